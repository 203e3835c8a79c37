import {
  ASCII_SECRET_KEY_WORDS,
  MAY_HAVE_SECRET_FIELD,
  MAY_NAME_STRONG_SECRET,
  MAY_NAME_WEAK_SECRET,
  SECRET_KEY_WORDS,
} from './secret-keys';

/**
 * The scans the built-ins' prefilters and their gate (builtin-gate.ts) share, each run at most
 * once per text. A V8 scan of a 2 KB record costs ~0.3 µs when the pattern starts with a literal
 * and 1-5 µs when it starts with a class or an alternation of many words; with every built-in
 * on, the prefilters asked the same questions several times (a secret's name: the secret-fields
 * prefilter, the JSON path's secret-field test, the gate). Here each question is one scan, its
 * answer kept for the next asker on the same text (one entry: a message is masked start to end
 * before the next). A family's scan is a superset of each member's own test; the members' exact
 * tests run only when it passes, so a text it rejects costs one scan for the whole family.
 * test/events/builtin-scans.test.ts holds every scan to "never rejects a text its built-ins'
 * patterns match", on generated texts.
 */

/** `test` answered once per text: the last text's answer is kept. */
export function oncePerText(test: (text: string) => boolean): (text: string) => boolean {
  let last: string | undefined;
  let answer = false;
  return (text) => {
    if (text !== last) {
      answer = test(text);
      last = text;
    }
    return answer;
  };
}

/**
 * Every word a credentials built-in needs, in any case: a secret's name before what may follow
 * it (a separator, `>`, a fullwidth `：` or `＝`, or the space of a flag's or an attribute's
 * value: the secret-fields prefilters and the JSON path's secret-field test), the short JSON
 * names, and the plain words of aws-secret, bearer, basic-auth and cookie. Most lines hold none
 * of them: one scan rejects six built-ins' tests. A text of ASCII characters only (most logs)
 * is scanned for the names written in ASCII: the other languages' names cannot match it, and
 * V8 scans a shorter alternation faster.
 */
export const mayHoldSecretWord = oncePerText((text) =>
  isAscii(text) ? ASCII_SECRET_WORDS.test(text) : SECRET_WORDS.test(text),
);
const secretWords = (names: string) =>
  new RegExp(
    [
      String.raw`(?:${names})(?:\\*["'])?[\s:=>：＝]`,
      String.raw`"(?:pass|auth|db[ _.-]?pass|cvv|cvc)\\*"\s*:`,
      'secret|passw|token|credential|private|bearer|basic|cookie',
    ].join('|'),
    // Unicode case folding, as RE2's `(?i)`: `ſ` is an `s`, the Kelvin sign a `k`.
    'iu',
  );
const SECRET_WORDS = secretWords(SECRET_KEY_WORDS);
const ASCII_SECRET_WORDS = secretWords(ASCII_SECRET_KEY_WORDS);
/** No character past U+007F (a UTF-8 byte count is native and ~memchr-fast). */
const isAscii = (text: string) => Buffer.byteLength(text, 'utf8') === text.length;

/**
 * The secret-fields prefilter of its strong names: a secret's name then a separator, a flag
 * naming one, or an attribute (secret-keys.ts).
 */
export const mayNameSecret = oncePerText(
  (text) => mayHoldSecretWord(text) && MAY_NAME_STRONG_SECRET.test(text),
);

/**
 * The secret-fields prefilter of its weak names (`key`, `code`, `sig`...: secret-keys.ts), and
 * that built-in's second gate part. Apart from the credentials words: a `"key":` in every S3
 * call's CloudTrail record would open the gate to all six built-ins' own tests.
 */
export const mayNameWeakSecret = oncePerText((text) => MAY_NAME_WEAK_SECRET.test(text));

/** A JSON text may have a field named like a secret (screen.ts: such a text is masked on its tree). */
export const mayHaveSecretField = oncePerText(
  (text) => mayHoldSecretWord(text) && MAY_HAVE_SECRET_FIELD.test(text),
);

/** A plain word of one built-in (aws-secret, bearer, ...), behind the family's scan. */
export function secretWord(regex: RegExp): (text: string) => boolean {
  return oncePerText((text) => mayHoldSecretWord(text) && regex.test(text));
}

/**
 * The vendors' token prefixes (secret-masks.ts VENDOR_TOKENS), in four scans: an alternation of
 * 29 prefixes with 20 first characters cost V8 ~2.5 ns a character. The prefixes that end with
 * `_` are found from each `_` (rare in text, found as fast as memchr) by a look-behind; the
 * upper-case ones and the others in two shorter alternations; Vault's legacy `s.` token apart.
 * Some parts are shorter than their prefix (`key-` for Mailgun's and Tailscale's `tskey-`,
 * `ops_` for 1Password's `ops_eyJ`): a scan may pass more, never less.
 */
const VENDOR_UPPER =
  /AIza|GOCSPX-|SG\.|SK[0-9a-fA-F]|HRKU-|NRAK-|PMAK-|AT(?:ATT3|BB|CTT3)|AGE-SECRET-KEY-|GR1348941|EAAA|CFPAT-|LTAI|Q~|:AA/;
const VENDOR_OTHER =
  /gl(?:pat|dt|rt|ptt|ft|soat|cbt|imt|oas)-|xox|xapp-|hooks\.slack\.com|ya29\.|pypi-|sk-|sk\.eyJ|dapi|sq0|dp\.|key-|discord|\.atlasv1\.|hv[sbr]\.|v1\.0-|pul-|sntry|dt0c01\./;
const VENDOR_UNDERSCORE =
  /(?<=gh[pousr]|github_pat|_live|_test|whsec|npm|hf|_v1|glsa|lin_api|shp(?:at|ca|pa|ss)|dckr|pscale|sbp|sb_secret|figd|nf[pc]|rubygems|ops)_/y;
function vendorUnderscore(text: string): boolean {
  for (let i = text.indexOf('_'); i !== -1; i = text.indexOf('_', i + 1)) {
    VENDOR_UNDERSCORE.lastIndex = i;
    if (VENDOR_UNDERSCORE.test(text)) return true;
  }
  return false;
}
/** Vault's legacy service token: `s.` and 24 letters and digits (secret-masks.ts). */
export const mayHoldLegacyVaultToken = oncePerText((text) => /s\.[A-Za-z0-9]{24}/.test(text));
export const mayHoldVendorToken = oncePerText(
  (text) =>
    vendorUnderscore(text) ||
    VENDOR_UPPER.test(text) ||
    VENDOR_OTHER.test(text) ||
    mayHoldLegacyVaultToken(text),
);

/**
 * `needle` in `text`, found by its rarest character: V8 finds one character as fast as memchr,
 * but a short needle of common letters (`eyJ`) costs it ~0.5 ns a character of text.
 */
function findsBy(needle: string, rare: number): (text: string) => boolean {
  const char = needle[rare]!;
  return (text) => {
    for (let i = text.indexOf(char, rare); i !== -1; i = text.indexOf(char, i + 1))
      if (text.startsWith(needle, i - rare)) return true;
    return false;
  };
}

/** jwt: a JWS header is base64url of a JSON object (`eyJ`); `J` is rare in text. */
export const mayHoldJwt = oncePerText(findsBy('eyJ', 2));
export const mayHoldPrivateKey = oncePerText((text) => text.includes('PRIVATE KEY'));
/** url-userinfo and email. */
export const mayHoldAt = oncePerText((text) => text.includes('@'));
export const mayHoldSessionToken = oncePerText((text) => /IQoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz/.test(text));
export const mayHoldAccessKeyId = oncePerText((text) => /AKIA|ASIA|ABIA|ACCA/.test(text));
export const mayHoldIpv4 = oncePerText((text) => /\d\.\d{1,3}\.\d{1,3}\.\d/.test(text));

/**
 * Where card's pattern can first match: the first place thirteen digits follow each other, each
 * but the first after at most one space or dash (its first 13 digits), tried only where a chain
 * of such digits starts (no digit, nor digit and separator, before it). Testing two digits
 * before the look-behind is the cheapest form measured. -1 for none. No match of card's pattern
 * starts earlier: the chain a match lies in would start earlier and be found first.
 */
const CARD_DIGITS = /[0-9][ -]?[0-9](?<![0-9][ -]?[0-9][ -]?[0-9])(?:[ -]?[0-9]){11}/g;
let cardText: string | undefined;
let cardAt = -1;
export function cardDigitsAt(text: string): number {
  if (text !== cardText) {
    CARD_DIGITS.lastIndex = 0;
    cardAt = CARD_DIGITS.exec(text)?.index ?? -1;
    cardText = text;
  }
  return cardAt;
}
export const mayHoldCardDigits = (text: string) => cardDigitsAt(text) !== -1;

const isHex = (code: number) =>
  (code >= 48 && code <= 57) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);

/**
 * A full-form IPv6 address may be in `text`: seven colons in a row (no other colon between
 * them) each followed by a hex digit, as in every `h:h:h:h:h:h:h:h`. A loop over the colons
 * (found as fast as memchr) costs less than a regex that starts at each colon.
 */
export function mayHoldFullIpv6(text: string): boolean {
  let run = 0;
  for (let i = text.indexOf(':'); i !== -1; i = text.indexOf(':', i + 1)) {
    if (isHex(text.charCodeAt(i + 1))) {
      if (++run === 7) return true;
    } else run = 0;
  }
  return false;
}
