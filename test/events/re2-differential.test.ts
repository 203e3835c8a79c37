import fc from 'fast-check';
import { BUILTIN_MASK_NAMES } from '../../libs/forwarding/filters-and-masks/builtin-masks';
import { applyMask, compileMask, type CompiledMask } from '../../libs/forwarding/filters-and-masks/masks';
import { compilePatternSet, compileRe2 } from '../../libs/forwarding/filters-and-masks/patterns';
import { prefilterOf } from '../../libs/forwarding/filters-and-masks/prefilter';
import { compileFilter, droppedBy } from '../../libs/forwarding/filters-and-masks/filters';
import { Problems } from '../../libs/forwarding/rules/problems';

/**
 * Patterns behave exactly as RE2 reads them: whatever the prefilters, gates and literal
 * shortcuts in front of RE2 decide, the answer is plain RE2's. Random patterns mix the escapes
 * a text-level reading gets wrong (`\x2F`, `\u0045`, `\x{41}`, escaped punctuation) with
 * groups, classes, repeats, anchors and case flags; random lines use the characters they name.
 */
const ATOMS = [
  'E',
  'R',
  'O',
  'a',
  'b',
  '/',
  '-',
  ' ',
  'ERROR',
  'ab',
  'x2F',
  'u0045',
  '\\x2F',
  '\\x41',
  '\\x45',
  '\\u0045',
  '\\u0052',
  '\\x{41}',
  '\\x{2F}',
  '\\/',
  '\\-',
  '\\.',
  '\\\\',
  '.',
  '\\d',
  '\\s',
  '\\w',
  '\\b',
  '[ab]',
  '[\\x41-\\x45]',
  '[^a]',
  '(a|b)',
  '(ERROR|\\x2Fa)',
  '(?:\\u0045|b)',
  '(?i)',
  '(?i:e)',
  '^',
  '$',
];
const SUFFIXES = ['', '', '', '*', '+', '?', '{2}', '{1,2}'];
const atom = fc.tuple(fc.constantFrom(...ATOMS), fc.constantFrom(...SUFFIXES)).map(([a, q]) => a + q);
const pattern = fc.array(atom, { minLength: 1, maxLength: 5 }).map((atoms) => atoms.join(''));
const line = fc
  .array(
    fc.constantFrom(
      'E',
      'R',
      'O',
      'r',
      'e',
      'a',
      'b',
      'A',
      'B',
      '/',
      '-',
      '.',
      ' ',
      '1',
      'x',
      '2',
      'F',
      'u',
      '0',
      '4',
      '5',
      '\\',
    ),
    { maxLength: 14 },
  )
  .map((chars) => chars.join(''));

function compiles(p: string): boolean {
  try {
    compileRe2(p);
    return true;
  } catch {
    return false;
  }
}

const validPattern = pattern.filter(compiles);

describe('prefilter-gated results equal plain RE2 (differential, random patterns and lines)', () => {
  it('a pattern behind its prefilter (masks, filters)', () => {
    fc.assert(
      fc.property(validPattern, fc.array(line, { minLength: 1, maxLength: 6 }), (p, lines) => {
        const regex = compileRe2(p);
        const prefilter = prefilterOf(p);
        for (const text of lines) {
          const gated = (prefilter === undefined || prefilter(text)) && regex.test(text);
          expect([p, text, gated]).toEqual([p, text, regex.test(text)]);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("a filter's list (gate, literal shortcuts, prefilters) answers as its patterns one by one", () => {
    fc.assert(
      fc.property(fc.array(validPattern, { minLength: 1, maxLength: 4 }), line, (patterns, text) => {
        const problems = new Problems('test');
        const set = compilePatternSet(patterns, 'exclude', problems);
        expect(problems.list).toEqual([]);
        expect([patterns, text, set.test(text)]).toEqual([
          patterns,
          text,
          patterns.some((p) => compileRe2(p).test(text)),
        ]);
      }),
      { numRuns: 2000 },
    );
  });

  it('a custom mask masks what it masks without its prefilter', () => {
    fc.assert(
      fc.property(validPattern, line, (p, text) => {
        const problems = new Problems('test');
        const mask = compileMask(
          { name: 'm', logGroups: ['*'], custom: [{ name: 'c', pattern: p }] },
          problems,
        )!;
        const plain: CompiledMask = {
          ...mask,
          patterns: mask.patterns.map((x) => ({ ...x, prefilter: undefined, windows: undefined })),
        };
        expect([p, text, applyMask(mask, text)]).toEqual([p, text, applyMask(plain, text)]);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('the escapes of the report, as RE2 reads them', () => {
  const filter = (raw: Record<string, unknown>) => {
    const problems = new Problems('test');
    const compiled = compileFilter({ name: 'f', logGroups: ['*'], ...raw }, problems)!;
    expect(problems.list).toEqual([]);
    return compiled;
  };

  it('include ["\\u0045RROR"] keeps ERROR lines; exclude ["\\x2Fhealth"] drops /health', () => {
    expect(droppedBy([filter({ include: ['\\u0045RROR'] })], 'ERROR db down')).toBeUndefined();
    expect(droppedBy([filter({ include: ['\\u0045RROR'] })], 'INFO ok')).toBe('f');
    expect(droppedBy([filter({ exclude: ['GET \\x2Fhealth'] })], 'GET /health 200')).toBe('f');
  });

  it('a custom mask for Japanese and Korean terms written with \\u escapes masks them', () => {
    const problems = new Problems('test');
    const mask = compileMask(
      {
        name: 'm',
        logGroups: ['*'],
        custom: [{ name: 'terms', pattern: '\\u6c0f\\u540d|\\uc8fc\\ubbfc\\ubc88\\ud638' }],
      },
      problems,
    )!;
    expect(applyMask(mask, '氏名: 山田 주민번호 1234')).toBe('[MASKED]: 山田 [MASKED] 1234');
  });
});

describe("the built-ins' own prefilters and their gate change nothing RE2 would mask", () => {
  it.each([...BUILTIN_MASK_NAMES, '*'])('%s', (builtin) => {
    const problems = new Problems('test');
    const mask = compileMask({ name: 'm', logGroups: ['*'], builtins: [builtin] }, problems)!;
    const plain: CompiledMask = {
      ...mask,
      patterns: mask.patterns.map((x) => ({ ...x, prefilter: undefined, windows: undefined })),
      builtinGate: undefined,
    };
    const chars = fc.constantFrom(
      ...'0123456789abcdefxyz:::.. -_/@=%"\\'.split(''),
      'fe80',
      'iam',
      'std',
      'arn:aws:',
      'token',
      'password',
      '4111111111111111',
      'ghp_',
      '://',
      'AKIAIOSFODNN7EXAMPLE',
      'ASIA',
      '%eth0',
      '2001:db8',
      '::ffff:192.0.2.1',
      'Bearer ',
      'Basic dXNlcjpwYXNz',
      'Cookie: ',
      'eyJhbGciOiJub25lIn0',
      '-----BEGIN PRIVATE KEY-----',
      'secret=',
      'IQoJb3JpZ2lu',
      '4111 1111 1111 1111',
      'user@example.com',
      'https://u:p@host',
    );
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 30 }), (parts) => {
        const text = parts.join('');
        expect([text, applyMask(mask, text)]).toEqual([text, applyMask(plain, text)]);
      }),
      { numRuns: 3000 },
    );
  });
});
