import fc from 'fast-check';
import {
  BUILTIN_MASK_NAMES,
  builtinMask,
  type BuiltinPattern,
} from '../../libs/forwarding/filters-and-masks/builtin-masks';
import { builtinGate } from '../../libs/forwarding/filters-and-masks/builtin-gate';
import { mayHaveSecretField, mayNameWeakSecret } from '../../libs/forwarding/filters-and-masks/builtin-scans';
import { replaceMatches } from '../../libs/forwarding/filters-and-masks/replace';
import {
  MAY_HAVE_SECRET_FIELD,
  SECRET_KEY_WORDS,
  WEAK_KEY_WORDS,
} from '../../libs/forwarding/filters-and-masks/secret-keys';
import { VENDOR_TOKENS } from '../../libs/forwarding/filters-and-masks/secret-masks';

/**
 * The shared scans (builtin-scans.ts), the prefilters built on them and the built-ins' gate
 * never reject a text on which a built-in's own pattern finds something: on generated texts made
 * of what the patterns look for (names of secrets in every case and separator style, with the
 * characters RE2's `(?i)` folds into ASCII letters, vendor prefixes, digit runs, colons and hex,
 * addresses, keys' headers) and of what breaks them.
 */
const PIECES = [
  ...'0123456789abcdefxyzABCDEFXYZ_-. :%@"\'\\/+=;&\t\n',
  'password',
  'Passwd',
  'PWD',
  'passphrase',
  'Secret',
  'secrets',
  'aws_secret_access_key',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'aws_secret_access_key=',
  'client_secret: ',
  'SECRET-KEY',
  'token',
  'to\u212Aen', // the Kelvin sign: a `k` to RE2's (?i)
  '\u017Fecret', // a long s: an `s` to RE2's (?i)
  'api_key',
  'Api-Keys',
  'application.key',
  'AccessKey',
  'private key',
  'authorization',
  'Cookie',
  'set-cookie',
  'session_id',
  'SessionKey',
  'credentials',
  'signature',
  'connection string',
  'pass',
  'auth',
  'db_pass',
  'cvv',
  'credential',
  'bearer ',
  'Basic ',
  'BASIC dXNlcjpwYXNz',
  ': ',
  '=',
  ' => ',
  '\\"',
  '"x":',
  'PRIVATE KEY',
  '-----BEGIN RSA PRIVATE KEY-----',
  '-----END RSA PRIVATE KEY-----',
  'eyJhbGciOiJub25lIn0',
  'eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.',
  'IQoJb3JpZ2lu',
  'FwoGZXIvYXdz',
  'AKIA',
  'ASIA',
  'ABIA',
  'ACCA',
  'IOSFODNN7EXAMPLE',
  ' AKIAIOSFODNN7EXAMPLE ',
  ' IQoJb3JpZ2luX2VjEJr//////////wEaCXVz ',
  'ghp_',
  'github_pat_',
  'glpat-',
  'xoxb-',
  'xapp-1-',
  'hooks.slack.com/services/',
  'sk_live_',
  'rk_test_',
  'whsec_',
  'AIza',
  'GOCSPX-',
  'ya29.',
  'npm_',
  'pypi-AgEIcHlwaS5vcmc',
  'SG.',
  'SK',
  'sk-proj-',
  'HRKU-',
  'shpat_',
  'hf_',
  'dop_v1_',
  'dapi',
  'NRAK-',
  'glsa_',
  'PMAK-',
  'sq0atp-',
  'ATATT3',
  'lin_api_',
  'dp.pt.',
  'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  '0123456789abcdef0123456789abcdef',
  'ABCDEF0123456789ABCDEF0123456789',
  '::',
  'ffff:',
  '2001:db8:',
  'fe80:',
  '%eth0',
  '192.0.2.1',
  '10.0.',
  '4111 1111 1111 1111',
  '5500-0000-0000-0004',
  '378282246310005',
  '1234567890',
  'user@example.com',
  '@host',
  'https://',
  'redis://u:pw@',
  'u:p',
  'arn:aws:iam::123456789012:role/x',
  // The forms of secret-fields beyond `name: value`: other scripts' separators, XML, flags,
  // attributes, weak names standing alone, a Go DSN, URL escapes in a session token.
  '：',
  '＝',
  '<',
  '>',
  '</',
  '--',
  '--db-password ',
  ' value=',
  'key="',
  '<add key=\\"DbPassword\\" value=\\"',
  'key',
  'Key',
  'code',
  'sig',
  '?code=',
  'errorCode',
  'キー',
  '키',
  'パスワード',
  'ПАРОЛЬ',
  'contraseña',
  'mot de passe',
  'user:pw@tcp(',
  '%2B',
  '%3D',
  'gNxl%2BwJze29aB3kX9Q',
  's.',
  'Ab3dEf6hIj9kLm2nOp5qRs8t',
];

/** A name in random case: RE2's (?i) and the scans' `iu` must agree on every spelling. */
const anyCase = (word: string) =>
  fc
    .array(fc.boolean(), { minLength: word.length, maxLength: word.length })
    .map((upper) => [...word].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(''));

const piece = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...PIECES) },
  // Every vendor token format (a new one in VENDOR_TOKENS is generated without a new piece).
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(...VENDOR_TOKENS)
      .chain((token) => fc.stringMatching(new RegExp(`^(?:${token})$`))),
  },
  // Every secret's name of the vocabulary (other languages' too), and the weak names.
  {
    weight: 1,
    arbitrary: fc.stringMatching(new RegExp(`^(?:${SECRET_KEY_WORDS})$`)).chain(anyCase),
  },
  { weight: 1, arbitrary: fc.stringMatching(new RegExp(`^(?:${WEAK_KEY_WORDS})$`)) },
);
const text = fc.array(piece, { maxLength: 30 }).map((parts) => parts.join(''));

// A `::` glued to a word (`arn:aws:iam::1`) is left by ipv6's replacement: its prefilter skips
// it by design, so only the matches it would replace are required of it. The same for the weak
// names (`key`, `code`): one glued to a word (`errorCode":`) is left by the replacement and
// skipped by its prefilter.
const MATCHES_REPLACED_ONLY = new Set(['ipv6']);
const replacedOnly = (name: string, pattern: BuiltinPattern) =>
  MATCHES_REPLACED_ONLY.has(name) || pattern.prefilter === mayNameWeakSecret;

describe("the built-ins' scans, prefilters and gate miss nothing their patterns find", () => {
  it.each(BUILTIN_MASK_NAMES)('%s', (name) => {
    const gate = builtinGate([name])!;
    const everyGate = builtinGate(BUILTIN_MASK_NAMES)!;
    fc.assert(
      fc.property(text, (input) => {
        for (const pattern of builtinMask(name)) {
          const replaced = replaceMatches(pattern.regex, input, pattern.replace) !== input;
          const found = replacedOnly(name, pattern) ? replaced : pattern.regex.test(input);
          if (!found) continue;
          expect([input, pattern.prefilter?.(input) ?? true]).toEqual([input, true]);
          expect([input, gate(input), everyGate(input)]).toEqual([input, true, true]);
          if (pattern.windows !== undefined) {
            const inWindows = replaceMatches(pattern.regex, input, pattern.replace, pattern.windows(input));
            expect([input, inWindows]).toEqual([
              input,
              replaceMatches(pattern.regex, input, pattern.replace),
            ]);
          }
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("the JSON path's secret-field test passes whenever its exact pattern does", () => {
    fc.assert(
      fc.property(text, (input) => {
        if (MAY_HAVE_SECRET_FIELD.test(input))
          expect([input, mayHaveSecretField(input)]).toEqual([input, true]);
      }),
      { numRuns: 3000 },
    );
  });

  it('the generated texts hold what each built-in finds (the property is not vacuous)', () => {
    const found = new Map<string, number>();
    fc.assert(
      fc.property(text, (input) => {
        for (const name of BUILTIN_MASK_NAMES)
          if (builtinMask(name).some((p) => replaceMatches(p.regex, input, p.replace) !== input))
            found.set(name, (found.get(name) ?? 0) + 1);
      }),
      { numRuns: 3000, seed: 24 },
    );
    for (const name of BUILTIN_MASK_NAMES) expect([name, (found.get(name) ?? 0) > 0]).toEqual([name, true]);
  });

  it('scans ASCII texts for the ASCII names only: no other letter of the vocabulary folds to ASCII', () => {
    const ascii = Array.from({ length: 128 }, (_, code) => String.fromCharCode(code));
    const others = [...new Set(SECRET_KEY_WORDS)].filter((char) => char.charCodeAt(0) > 127);
    expect(others.length).toBeGreaterThan(50);
    for (const char of others) {
      const folded = new RegExp(`^${char}$`, 'iu');
      expect([char, ascii.filter((c) => folded.test(c))]).toEqual([char, []]);
    }
  });

  it("reads names as RE2's (?i) does: the Kelvin sign and the long s fold to ASCII", () => {
    for (const input of ['to\u212Aen=abc123def', '\u017Fecret: abc123def', '--\u017Fecret abc123def']) {
      const found = builtinMask('secret-fields').filter((pattern) => pattern.regex.test(input));
      expect([input, found.length > 0]).toEqual([input, true]);
      for (const pattern of found) expect([input, pattern.prefilter!(input)]).toEqual([input, true]);
    }
  });
});
