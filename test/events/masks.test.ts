import fc from 'fast-check';
import { BUILTIN_MASK_NAMES, luhnValid } from '../../libs/forwarding/filters-and-masks/builtin-masks';
import { applyMask, compileMask, type CompiledMask } from '../../libs/forwarding/filters-and-masks/masks';
import { rulesFileFromText } from '../../libs/forwarding/rules-file';
import { Problems } from '../../libs/forwarding/rules/problems';

function mask(raw: Record<string, unknown>): CompiledMask {
  const problems = new Problems('test');
  const compiled = compileMask({ name: 'm', logGroups: ['*'], ...raw }, problems);
  expect(problems.list).toEqual([]);
  return compiled!;
}

const only = (builtin: string) => mask({ builtins: [builtin] });
const masked = (builtin: string, text: string) => applyMask(only(builtin), text);

describe('built-in masks, each with what it must and must not mask', () => {
  it.each([
    ['email', 'login bob.smith+tag@mail.example.co.uk ok', 'login [EMAIL] ok'],
    ['email', '{"user":"ana@example.com"}', '{"user":"[EMAIL]"}'],
    ['ipv4', 'from 192.168.1.100:443 to 10.0.0.1', 'from [IPV4]:443 to [IPV4]'],
    ['ipv4', 'client=255.255.255.255,', 'client=[IPV4],'],
    ['ipv6', 'peer 2001:0db8:85a3:0000:0000:8a2e:0370:7334 up', 'peer [IPV6] up'],
    ['ipv6', 'peer 2001:db8::1 up', 'peer [IPV6] up'],
    ['ipv6', 'loopback ::1, any ::', 'loopback [IPV6], any ::'],
    ['ipv6', 'link fe80::1ff:fe23:4567:890a%eth0 up', 'link [IPV6] up'],
    ['ipv6', 'mapped ::ffff:192.0.2.128 up', 'mapped [IPV6] up'],
    ['ipv6', '[2001:db8:0:0:1::1]:8080', '[[IPV6]]:8080'],
    ['aws-access-key-id', 'key=AKIAIOSFODNN7EXAMPLE,', 'key=[AWS_ACCESS_KEY_ID],'],
    ['aws-access-key-id', 'temp ASIAY34FZKBOKMUTVV7A', 'temp [AWS_ACCESS_KEY_ID]'],
    [
      'aws-secret',
      'aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'aws_secret_access_key=[MASKED]',
    ],
    [
      'aws-secret',
      '{"SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}',
      '{"SecretAccessKey": "[MASKED]"}',
    ],
    ['aws-secret', 'db_password: "abcdefghijABCDEFGHIJ0123456789abcdefghij"', 'db_password: "[MASKED]"'],
    ['bearer', 'Authorization: Bearer abc.DEF-123_x', 'Authorization: Bearer [MASKED]'],
    ['bearer', 'authorization: bearer   0123456789', 'authorization: bearer   [MASKED]'],
    [
      'jwt',
      'token eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c done',
      'token [JWT] done',
    ],
    ['jwt', 'unsigned eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0. done', 'unsigned [JWT] done'],
    ['card', 'paid with 4111 1111 1111 1111 today', 'paid with [CARD] today'],
    ['card', 'paid with 4111-1111-1111-1111.', 'paid with [CARD].'],
    ['card', 'card=5500000000000004', 'card=[CARD]'],
    ['card', 'amex 3782 822463 10005', 'amex [CARD]'],
    ['card', 'order 5123 4111 1111 1111 1111', 'order 5123 [CARD]'],
    ['card', 'two 4111111111111111 5500000000000004', 'two [CARD] [CARD]'],
  ])('%s masks %j', (builtin, text, want) => {
    expect(masked(builtin, text)).toBe(want);
  });

  it.each([
    ['email', 'user@localhost and @handle and a@b'],
    ['ipv4', 'version 1.2.3.4.5, v1.2.3.4, 10.0.0.256, 1.2.3'],
    ['ipv6', 'time 17:12:23.505 mac 00:1a:2b:3c:4d:5e std::vector deadbeef:cafe::1x'],
    ['aws-access-key-id', 'AKIA1234 and XAKIAIOSFODNN7EXAMPLE and AKIAIOSFODNN7EXAMPLEX'],
    ['aws-secret', 'aws_secret_access_key= and token=short and password: 12345'],
    ['bearer', 'Bearer abc and unbearer 1234567890'],
    ['jwt', 'eyJhbGciOiJIUzI1NiJ9 alone, and xeyJhbGc.eyJzdWIi.sig'],
    // A 16-digit order id failing Luhn, an epoch time in ms, a CloudWatch event id, a phone number.
    [
      'card',
      'order 4111111111111112 at 1732122743505 id 38627627955484818852768098168489833298904231245367279618',
    ],
    ['card', 'call +1 555-123-4567 or ref 4111111111111111x'],
  ])('%s leaves %j alone', (builtin, text) => {
    expect(masked(builtin, text)).toBe(text);
  });

  it('Luhn: passes valid numbers, fails one changed digit', () => {
    for (const valid of ['4111111111111111', '5500000000000004', '378282246310005', '6011111111111117'])
      expect(luhnValid(valid)).toBe(true);
    for (const invalid of ['4111111111111112', '5500000000000005', '378282246310006'])
      expect(luhnValid(invalid)).toBe(false);
  });

  it('keeps a JSON message JSON: a match right after a backslash keeps the escaped character', () => {
    const text = '{"msg":"hello\\nbob@example.com\\tAKIAIOSFODNN7EXAMPLE"}';
    const out = applyMask(mask({ builtins: BUILTIN_MASK_NAMES }), text);
    expect(JSON.parse(out)).toEqual({ msg: 'hello\n[EMAIL]\t[AWS_ACCESS_KEY_ID]' });
  });

  it('applies the built-ins most specific first, whatever order they are listed in', () => {
    const text = 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln from ::ffff:192.0.2.1';
    const reversed = mask({ builtins: [...BUILTIN_MASK_NAMES].reverse() });
    expect(applyMask(reversed, text)).toBe('Bearer [JWT] from [IPV6]');
  });

  it('returns the same string when nothing matched (a change is seen by identity)', () => {
    const text = 'nothing secret here 2024-11-20T17:12:23.505Z';
    expect(applyMask(mask({ builtins: BUILTIN_MASK_NAMES }), text)).toBe(text);
  });
});

describe('custom masks', () => {
  it('replaces with the replacement, its groups ($1, $<name>, $&, $$) expanded', () => {
    const custom = mask({
      custom: [
        { name: 'session', pattern: 'session=[^;\\s]+', replacement: 'session=[MASKED]' },
        { name: 'user', pattern: 'user=(?<name>\\w)\\w*', replacement: 'user=$<name>***' },
        { name: 'pin', pattern: 'pin (\\d)\\d+', replacement: 'pin $1*** ($$)' },
        { name: 'default', pattern: 'otp=\\d+' },
      ],
    });
    expect(applyMask(custom, 'Cookie: session=abc123; user=alice pin 4321 otp=998877')).toBe(
      'Cookie: session=[MASKED]; user=a*** pin 4*** ($) [MASKED]',
    );
  });
});

describe('masking a JSON message (property)', () => {
  const SECRETS = [
    'bob@example.com',
    '192.168.1.20',
    '2001:db8::1',
    'AKIAIOSFODNN7EXAMPLE',
    'Bearer abcdef123456',
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln',
    '4111 1111 1111 1111',
  ];
  const screen = rulesFileFromText(
    JSON.stringify({ masks: [{ name: 'pii', logGroups: ['*'], builtins: BUILTIN_MASK_NAMES }] }),
    'test',
  ).messages!.forGroup('/any')!;
  // Text around the secrets: anything, escapes JSON must write included (\n, \u0001, quotes,
  // backslashes), but next to a secret a character that is not a letter or digit (a secret glued
  // to a word is left alone on purpose: `v1.2.3.4` is no address).
  const filler = fc
    .array(fc.constantFrom(...'az09 \n\t"\\\u0001é:.@-'), { maxLength: 8 })
    .map((chars) => chars.join(''));
  const boundary = fc.constantFrom(' ', '\n', '\t', '"', '\\', '\u0001', 'é', ',', '=');
  const value = fc
    .tuple(filler, boundary, fc.constantFrom(...SECRETS), boundary, filler)
    .map((parts) => parts.join(''));

  it('stays valid JSON and holds none of the secrets, whatever surrounds them', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('msg', 'user', 'note'), value, { minKeys: 1 }), (object) => {
        const text = JSON.stringify(object);
        const out = screen.maskMessage(text);
        const parsed = JSON.parse(out) as Record<string, string>;
        expect(Object.keys(parsed)).toEqual(Object.keys(object));
        for (const secret of SECRETS) expect(out).not.toContain(secret);
      }),
      { numRuns: 500 },
    );
  });
});
