import fc from 'fast-check';
import { V8_BUILTIN_FORMS } from '../../libs/forwarding/filters-and-masks/builtin-masks';
import { compileRe2 } from '../../libs/forwarding/filters-and-masks/patterns';
import { re2 } from '../../libs/forwarding/filters-and-masks/re2';
import { v8LongestRegex, v8Regex, type MaskRegex } from '../../libs/forwarding/filters-and-masks/v8-regex';

/**
 * The built-ins that run on V8's RegExp (v8-regex.ts) find exactly what their RE2 form finds:
 * the same matches, at the same places, in the same order, on random text made of the pieces
 * the patterns are about (hex runs, colons, digits with spaces and dashes, vendor prefixes) and
 * of what breaks them (dots, `%`, letters, quotes, backslashes).
 */
const PIECES = [
  ...'0123456789abcdefABCDEFxyzXYZ_-. :%@"\\/+=\t',
  '::',
  'ffff:',
  '192.0.2.1',
  '255.',
  'fe80:',
  '%eth0',
  '2001:db8:',
  '4111 1111 1111 1111',
  '5500-0000-0000-0004',
  '3782 822463 10005',
  '0000000000',
  'AKIA',
  'ASIA',
  'ABIA',
  'ACCA',
  'IOSFODNN7EXAMPLE',
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
  'sk-ant-api03-',
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
  'key-',
  'dckr_pat_',
  'AGE-SECRET-KEY-1',
  'ab1Q~',
  'discord.com/api/webhooks/12345678901234567/',
  '.atlasv1.',
  'GR1348941',
  '12345678:AA',
  'hvs.',
  'ATBB',
  'v1.0-',
  'sk.eyJ',
  'pul-',
  'EAAA',
  'sbp_',
  // The weak names' keyed form.
  'key',
  'Code',
  'SIG',
  '키',
  'ключ',
  '=',
  '":"',
  '\\"',
  ': ',
  'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  '0123456789abcdef0123456789abcdef',
];

const text = fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }).map((parts) => parts.join(''));

function matches(regex: MaskRegex, input: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const matcher = regex.matcher(input);
  while (matcher.find()) if (matcher.end() > matcher.start()) out.push([matcher.start(), matcher.end()]);
  return out;
}

describe('built-ins on V8 answer as their RE2 forms', () => {
  it.each(V8_BUILTIN_FORMS.map((form) => [form.name, form] as const))('%s', (_name, form) => {
    const { RE2JS } = re2();
    const source = form.alternatives.join('|');
    const asRe2 = compileRe2(source, form.longest ? RE2JS.LONGEST_MATCH : 0);
    const onV8 = form.longest ? v8LongestRegex(form.alternatives) : v8Regex(form.v8 ?? source);
    fc.assert(
      fc.property(text, (input) => {
        expect(onV8.test(input)).toBe(asRe2.test(input));
        expect(matches(onV8, input)).toEqual(matches(asRe2, input));
      }),
      { numRuns: 3000 },
    );
  });

  it('finds what each form is for (the generated text is not all misses)', () => {
    const samples: Record<string, string> = {
      'aws-access-key-id': 'key AKIAIOSFODNN7EXAMPLE used',
      card: 'card 4111 1111 1111 1111 ok',
      ipv6: 'from 2001:db8::1 and fe80::1%eth0 and ::ffff:192.0.2.1',
      'vendor-tokens': `token ghp_${'a'.repeat(36)} end`,
      'secret-fields (weak names)':
        'GET /cb?code=gNxl%2BwJze29WDDP%2B8sa6 and {"Key": "e6065739ac8072bc93f9"}',
    };
    for (const form of V8_BUILTIN_FORMS) {
      const source = form.alternatives.join('|');
      const onV8 = form.longest ? v8LongestRegex(form.alternatives) : v8Regex(form.v8 ?? source);
      const asRe2 = compileRe2(source, form.longest ? re2().RE2JS.LONGEST_MATCH : 0);
      const found = matches(onV8, samples[form.name]!);
      expect(found.length).toBeGreaterThan(0);
      expect(found).toEqual(matches(asRe2, samples[form.name]!));
    }
  });
});
