import { compileRe2 } from './patterns';
import { v8LongestRegex, v8Regex } from './v8-regex';
import { SECRET_BUILTINS, VENDOR_TOKENS, WEAK_VALUE } from './secret-masks';
import {
  cardDigitsAt,
  mayHoldAccessKeyId,
  mayHoldCardDigits,
  mayHoldAt,
  mayHoldFullIpv6,
  mayHoldIpv4,
  mayHoldJwt,
  secretWord,
} from './builtin-scans';
import { charAt, fixed, isWord, wordBefore, type BuiltinPattern } from './match-context';
import type { Replacer } from './replace';

export type { BuiltinPattern } from './match-context';

// Both aws-secret patterns need one of these words: one test for the two (applyMask).
const mayHoldSecret = secretWord(/secret|passw|token|credential|private/iu);
const DOT = 46;
const COLON = 58;
const isHex = (code: number) =>
  (code >= 48 && code <= 57) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);

// The longest textual IPv6 address (full form with an embedded IPv4 address).
const IPV6_MAX_CHARS = 45;
const isIpv6Char = (code: number) => isHex(code) || code === COLON || code === DOT;

/**
 * A `::` that may start an address: the run of hex digits, colons and dots it is in does not
 * follow a word character. In `arn:aws:iam::123456789012:role`, `std::vector`, `Foo::Bar` it
 * does, and every match in such a run would be glued to that word (standsAlone leaves it), so
 * RE2 need not scan the line for it (a line of ARNs cost 86 ms so).
 */
function compressedMayStart(text: string, at: number): boolean {
  let start = at;
  while (start > 0 && isIpv6Char(text.charCodeAt(start - 1))) {
    start--;
    if (at - start > IPV6_MAX_CHARS) return true;
  }
  return !wordBefore(text, start);
}

const isAlnum = (code: number) => isWord(code) && code !== 95;
const isZoneChar = (code: number) => isAlnum(code) || code === COLON || code === DOT || code === 37; /* % */

/** The start of the span before `at` that a match's context needs: one character and its escapes. */
function contextStart(text: string, at: number): number {
  let start = at - 1;
  while (start > 0 && text.charCodeAt(start - 1) === 92) start--;
  return Math.max(0, start);
}

/**
 * The spans around each `::` that may start an address: the run of address characters it is
 * in, with the character before (and its escapes) and after. Then each full form's span (V8,
 * one deterministic path per start), behind a test over the colons only (builtin-scans.ts): a
 * hex-first regex over the whole record is costly where hex letters are everywhere (CloudTrail).
 */
function ipv6Windows(text: string): Array<[number, number]> {
  const windows: Array<[number, number]> = [];
  let covered = 0;
  for (let i = text.indexOf('::'); i !== -1; i = text.indexOf('::', Math.max(i + 2, covered))) {
    if (!compressedMayStart(text, i)) continue;
    let start = i;
    while (start > 0 && isIpv6Char(text.charCodeAt(start - 1))) start--;
    let end = i;
    while (end < text.length && isZoneChar(text.charCodeAt(end))) end++;
    windows.push([contextStart(text, start), Math.min(text.length, end + 1)]);
    covered = end;
  }
  if (!mayHoldFullIpv6(text)) return windows;
  const compressed = windows.length;
  for (const full of text.matchAll(FULL_IPV6_ALL)) {
    let end = full.index + full[0].length;
    while (end < text.length && isZoneChar(text.charCodeAt(end))) end++;
    windows.push([contextStart(text, full.index), Math.min(text.length, end + 1)]);
  }
  return windows.length === compressed ? windows : windows.sort((a, b) => a[0] - b[0]);
}
const FULL_IPV6_ALL = /[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){7}/g;

/**
 * The ipv6 prefilter and spans: a `::` that may start an address (every compressed form) or a
 * full form. The prefilter's spans are kept for the windows call that follows on the same text.
 */
let lastText: string | undefined;
let lastWindows: Array<[number, number]> = [];
function ipv6Spans(text: string): Array<[number, number]> {
  if (text !== lastText) {
    lastWindows = ipv6Windows(text);
    lastText = text;
  }
  return lastWindows;
}
export const mayHoldIpv6 = (text: string) => ipv6Spans(text).length > 0;

/** Keeps the key and separator (group 1 and 2), masks the value. */
const keyedValue: Replacer = (match) => `${match.group(1)}${match.group(2)}[MASKED]`;

/** The Luhn checksum of a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = digits.charCodeAt(i) - 48;
    if (double) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * The lengths the card networks issue, by leading digits: Visa 13, 16, 19; Mastercard (51-55,
 * 2221-2720) 16; Amex (34, 37) 15; Diners (30, 36, 38, 39) 14-16; JCB (35), Discover and
 * UnionPay (6) 16-19. A 13-digit run starting with 5 is not a card, however its Luhn sum ends.
 */
function cardShaped(digits: string): boolean {
  const n = digits.length;
  switch (digits[0]) {
    case '4':
      return n === 13 || n === 16 || n === 19;
    case '5':
      return n === 16 && digits[1]! >= '1' && digits[1]! <= '5';
    case '2': {
      const four = Number(digits.slice(0, 4));
      return n === 16 && four >= 2221 && four <= 2720;
    }
    case '3':
      if (digits[1] === '4' || digits[1] === '7') return n === 15;
      if (digits[1] === '5') return n >= 16 && n <= 19;
      return (
        (digits[1] === '0' || digits[1] === '6' || digits[1] === '8' || digits[1] === '9') &&
        n >= 14 &&
        n <= 16
      );
    case '6':
      return n >= 16 && n <= 19;
    default:
      return false;
  }
}

/** A card number: a length its network issues, and the Luhn check. */
export const isCardNumber = (digits: string): boolean => cardShaped(digits) && luhnValid(digits);

/**
 * Card numbers: 13 to 19 digits starting with 2-6 (the card networks' ranges: an epoch time in
 * milliseconds starts with 1), optionally grouped by single spaces or dashes, that pass the
 * Luhn check. The pattern takes a whole run of digit groups (`order 5123 4111 1111 1111 1111`):
 * each span of whole groups that is a valid card is masked, the rest kept. Spans are at most
 * 19 digits, so a run of g groups costs at most 19g checks.
 */
const card: Replacer = (match, text) => {
  const run = match.group(0)!;
  const groups = run.split(/[ -]/);
  // A group glued to a word (`x12`, `1111abc`) is part of something else: not a card digit.
  const from = wordBefore(text, match.start) ? 1 : 0;
  const to = isWord(charAt(text, match.end)) ? groups.length - 2 : groups.length - 1;
  // Where each group starts in the run.
  const starts: number[] = [];
  for (let i = 0, at = 0; i < groups.length; at += groups[i]!.length + 1, i++) starts.push(at);
  let out = '';
  let kept = 0;
  for (let first = from; first <= to; first++) {
    const lead = groups[first]![0]!;
    if (lead < '2' || lead > '6') continue;
    let digits = '';
    let found = -1;
    for (let last = first; last <= to; last++) {
      digits += groups[last];
      if (digits.length > 19) break;
      if (isCardNumber(digits)) found = last;
    }
    if (found === -1) continue;
    const end = starts[found]! + groups[found]!.length;
    out += `${run.slice(kept, starts[first])}${first === 0 ? cardAsJsonNumber(text, match.start) : '[CARD]'}`;
    kept = end;
    first = found;
  }
  return kept === 0 ? undefined : out + run.slice(kept);
};

/**
 * `[CARD]` for a card at `at`, quoted when it is a JSON number inside a JSON string
 * (`{"body":"{\\"number\\":6011...}"}`), with the escapes of the key's closing quote, so the inner
 * JSON stays JSON. A number of the message's own JSON is left to the tree masking (structure.ts).
 */
function cardAsJsonNumber(text: string, at: number): string {
  let i = at - 1;
  while (i >= 0 && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i--;
  if (text.charCodeAt(i) !== COLON || text.charCodeAt(i - 1) !== 34 /* " */) return '[CARD]';
  let backslashes = 0;
  while (text.charCodeAt(i - 2 - backslashes) === 92) backslashes++;
  if (backslashes === 0) return '[CARD]';
  const quote = `${'\\'.repeat(backslashes)}"`;
  return `${quote}[CARD]${quote}`;
}

const HEX = '[0-9A-Fa-f]{1,4}';
const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = `(?:${OCTET}\\.){3}${OCTET}`;
// Every textual form of RFC 4291 / 5952: full, compressed (`::`), with a zone (`fe80::1%eth0`)
// and with an embedded IPv4. Matched longest-first (RE2's LONGEST_MATCH), so the order of the
// alternatives does not cut `2001:db8::1` short at `2001:db8::`.
const IPV6_ALTERNATIVES = [
  `(?:${HEX}:){7}${HEX}`,
  `(?:${HEX}:){1,7}:`,
  `(?:${HEX}:){1,6}:${HEX}`,
  `(?:${HEX}:){1,5}(?::${HEX}){1,2}`,
  `(?:${HEX}:){1,4}(?::${HEX}){1,3}`,
  `(?:${HEX}:){1,3}(?::${HEX}){1,4}`,
  `(?:${HEX}:){1,2}(?::${HEX}){1,5}`,
  `${HEX}:(?::${HEX}){1,6}`,
  `:(?::${HEX}){1,7}`,
  `[Ff][Ee]80:(?::${HEX}){1,4}%[0-9A-Za-z]+`,
  `::(?:[Ff]{4}(?::0{1,4})?:)?${IPV4}`,
  `(?:${HEX}:){1,4}:${IPV4}`,
];
const ACCESS_KEY_ID = '(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}';
// A digit, then 12 or more digits each after at most one space or dash: one path per start.
const CARD_RUN = '[0-9](?:[ -]?[0-9]){12,}';
// The same matches on V8, tried only where a run of digits starts: the leftmost match never
// follows a digit (it would start one digit earlier), and a match ends where no digit follows.
// Without the look-behind V8 tries 12 starts inside every 12-digit account id.
const CARD_RUN_V8 = `(?<![0-9])${CARD_RUN}`;

/**
 * The built-ins that run on V8 (v8-regex.ts), with their RE2 form: the property test holds the
 * two to the same matches. `longest`: RE2 reads the alternatives leftmost-longest. `v8`: the
 * V8 source when it is not the RE2 one (a look-behind RE2 lacks).
 */
export const V8_BUILTIN_FORMS: ReadonlyArray<{
  name: string;
  alternatives: readonly string[];
  longest: boolean;
  v8?: string;
}> = [
  { name: 'aws-access-key-id', alternatives: [ACCESS_KEY_ID], longest: false },
  { name: 'card', alternatives: [CARD_RUN], longest: false, v8: CARD_RUN_V8 },
  { name: 'ipv6', alternatives: IPV6_ALTERNATIVES, longest: true },
  { name: 'vendor-tokens', alternatives: [`(?:${VENDOR_TOKENS.join('|')})`], longest: false },
  { name: 'secret-fields (weak names)', alternatives: [WEAK_VALUE], longest: false },
];

const SECRET_SEPARATOR = `(["']?\\s*[:=]\\s*["']?)`;

// In the order they apply, whatever order a mask lists them: the most specific first, so a
// token is masked whole before its parts could look like something else (`::ffff:192.0.2.1`
// is one IPv6 address, not an IPv4 one behind `::ffff:`).
const BUILTINS: Record<string, () => BuiltinPattern[]> = {
  'private-key': SECRET_BUILTINS['private-key']!,
  // A JWS: base64url header (a JSON object: `eyJ`), payload and signature (empty for alg none).
  jwt: () => [
    {
      regex: compileRe2('eyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*'),
      replace: fixed('[JWT]'),
      prefilter: mayHoldJwt,
    },
  ],
  bearer: () => [
    {
      // RFC 6750's token alphabet, `=` anywhere (not only as padding: some tokens carry it).
      regex: compileRe2('(?i)(bearer)(\\s+)([A-Za-z0-9._~+/=-]{6,})'),
      prefilter: secretWord(/bearer/iu),
      replace: (match, text) =>
        wordBefore(text, match.start) || !looksLikeToken(match.group(3)!)
          ? undefined
          : `${match.group(1)}${match.group(2)}[MASKED]`,
    },
  ],
  'aws-session-token': SECRET_BUILTINS['aws-session-token']!,
  'vendor-tokens': SECRET_BUILTINS['vendor-tokens']!,
  'url-userinfo': SECRET_BUILTINS['url-userinfo']!,
  'basic-auth': SECRET_BUILTINS['basic-auth']!,
  cookie: SECRET_BUILTINS.cookie!,
  'secret-fields': SECRET_BUILTINS['secret-fields']!,
  'aws-secret': () => [
    // Any value after an AWS secret key's name (`aws_secret_access_key=...`, JSON, YAML).
    {
      regex: compileRe2(
        `(?i)(aws_?secret_?access_?key|aws_?secret_?key|secret_?access_?key)${SECRET_SEPARATOR}([A-Za-z0-9/+=]{8,})`,
      ),
      replace: keyedValue,
      prefilter: mayHoldSecret,
    },
    // A 40-character base64 value (an AWS secret key's shape) after any secret-ish key, also
    // after a space (`aws configure set aws_secret_access_key <key>`).
    {
      regex: compileRe2(
        `(?i)((?:secret|password|passwd|token|credential|private)[A-Za-z0-9_.-]*)(["']?\\s*[:=]\\s*["']?|[ \\t]+)([A-Za-z0-9/+]{40})`,
      ),
      replace: (match, text) =>
        /[A-Za-z0-9/+]/.test(text[match.end] ?? '') ? undefined : keyedValue(match, text),
      prefilter: mayHoldSecret,
    },
  ],
  'aws-access-key-id': () => [
    // Long-term (AKIA), temporary (ASIA) and the other access-key-like prefixes AWS documents.
    {
      regex: v8Regex(ACCESS_KEY_ID),
      replace: fixed('[AWS_ACCESS_KEY_ID]'),
      prefilter: mayHoldAccessKeyId,
    },
  ],
  email: () => [
    {
      regex: compileRe2('[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}'),
      replace: fixed('[EMAIL]'),
      prefilter: mayHoldAt,
    },
  ],
  ipv6: () => [
    {
      regex: v8LongestRegex(IPV6_ALTERNATIVES),
      replace: fixed('[IPV6]', [COLON, DOT]),
      prefilter: mayHoldIpv6,
      // The spans around each `::` that may start an address: one V8 scan of the whole record
      // tries twelve alternatives at every hex letter and costs several times more.
      windows: ipv6Spans,
    },
  ],
  ipv4: () => [
    {
      regex: compileRe2(IPV4),
      replace: fixed('[IPV4]', [DOT]),
      prefilter: mayHoldIpv4,
    },
  ],
  card: () => [
    {
      regex: v8Regex(CARD_RUN_V8),
      replace: card,
      // The gate's scan finds where the first match can start (builtin-scans.ts); the pattern
      // scans on from there, not from the start of a 2 KB record.
      prefilter: mayHoldCardDigits,
      windows: (text) => [[cardDigitsAt(text), text.length]],
    },
  ],
};

export const BUILTIN_MASK_NAMES = Object.keys(BUILTINS);

/**
 * Names for sets of built-ins in a mask's `builtins`: `secrets` (credentials of every kind),
 * `pii` (personal data: addresses, e-mail, cards) and `*` (every built-in).
 */
export const BUILTIN_GROUPS: Record<string, readonly string[]> = {
  secrets: [
    'private-key',
    'jwt',
    'bearer',
    'aws-session-token',
    'vendor-tokens',
    'url-userinfo',
    'basic-auth',
    'cookie',
    'secret-fields',
    'aws-secret',
    'aws-access-key-id',
  ],
  pii: ['email', 'ipv6', 'ipv4', 'card'],
  '*': BUILTIN_MASK_NAMES,
};

/**
 * A bearer credential, not a word or a pair: `Bearer authentication failed` keeps its word.
 */
function looksLikeToken(token: string): boolean {
  // `token_type=bearer max_tokens=4096`: the next word is a snake_case `name=value` pair.
  if (/^[a-z][a-z0-9]*(?:_[a-z0-9]+)+=/.test(token)) return false;
  if (/[0-9._~+/=-]/.test(token)) return true;
  // Letters only: a token when long and mixed-case beyond a capital first letter.
  return token.length >= 16 && /[a-z]/.test(token) && /[A-Z]/.test(token.slice(1));
}

const compiled = new Map<string, readonly BuiltinPattern[]>();

/** A built-in's patterns, compiled on first use (a stage that masks nothing compiles none). */
export function builtinMask(name: string): readonly BuiltinPattern[] {
  let patterns = compiled.get(name);
  if (patterns === undefined) {
    patterns = BUILTINS[name]!();
    compiled.set(name, patterns);
  }
  return patterns;
}
