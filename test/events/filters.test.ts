import fc from 'fast-check';
import { compilePatternSet, compileRe2 } from '../../libs/forwarding/filters-and-masks/patterns';
import { Problems } from '../../libs/forwarding/rules/problems';
import { prefilterOf, requiredText } from '../../libs/forwarding/filters-and-masks/prefilter';
import { NO_LOG_GROUP } from '../../libs/forwarding/filters-and-masks/screen';
import { RulesError, rulesFileFromText, type RulesFile } from '../../libs/forwarding/rules-file';

const load = (file: object): RulesFile => rulesFileFromText(JSON.stringify(file), 'rules.test.json');

function problemsOf(file: object): string[] {
  try {
    load(file);
  } catch (error) {
    if (error instanceof RulesError) return error.problems;
    throw error;
  }
  return [];
}

/** The name of the filter that drops `message` in `logGroup`, or undefined when kept. */
function verdict(file: RulesFile, logGroup: string, message: string): string | undefined {
  return file.messages?.forGroup(logGroup)?.droppedBy(message);
}

describe('filters', () => {
  const file = load({
    filters: [
      {
        name: 'drop-health-checks',
        logGroups: ['/ecs/*'],
        exclude: ['GET /health', '^DEBUG ', 'kube-probe/\\d+'],
      },
      { name: 'api-errors-only', logGroups: ['/aws/lambda/api'], include: ['ERROR|WARN'] },
      { name: 'everywhere', logGroups: '*', exclude: ['(?i)synthetic-canary'] },
    ],
  });

  it('exclude drops a message matching any pattern, in the groups it names only', () => {
    expect(verdict(file, '/ecs/web', '10.0.0.1 GET /health 200')).toBe('drop-health-checks');
    expect(verdict(file, '/ecs/web', 'DEBUG cache warm')).toBe('drop-health-checks');
    expect(verdict(file, '/ecs/web', 'info: DEBUG cache warm')).toBeUndefined(); // ^ anchors
    expect(verdict(file, '/ecs/web', 'ua kube-probe/1.29')).toBe('drop-health-checks');
    expect(verdict(file, '/ecs/web', 'GET /orders 200')).toBeUndefined();
    expect(verdict(file, '/aws/lambda/other', 'GET /health 200')).toBeUndefined();
  });

  it('include drops a message matching none of its patterns', () => {
    expect(verdict(file, '/aws/lambda/api', 'INFO all good')).toBe('api-errors-only');
    expect(verdict(file, '/aws/lambda/api', 'ERROR boom')).toBeUndefined();
    expect(verdict(file, '/aws/lambda/api', 'WARN slow')).toBeUndefined();
  });

  it('"*" also applies to lines without a log group (Fluent Bit records, raw object lines)', () => {
    expect(verdict(file, NO_LOG_GROUP, 'a Synthetic-Canary run')).toBe('everywhere');
    expect(verdict(file, NO_LOG_GROUP, 'GET /health')).toBeUndefined();
  });

  it('a file with only filters or masks needs no rules; a group nothing names costs nothing', () => {
    expect(file.rules).toEqual([]);
    expect(load({ rules: [] }).messages).toBeUndefined();
    expect(file.messages?.forGroup('/aws/lambda/api')).toBe(file.messages?.forGroup('/aws/lambda/api'));
  });
});

describe('filters and masks validation names the entry and the field', () => {
  it.each([
    [{ filters: {} }, 'rules file: filters: must be a list of filters'],
    [{ filters: [{ logGroups: ['*'], exclude: ['x'] }] }, 'filters[0]: name: is required'],
    [
      { filters: [{ name: 'f', exclude: ['x'] }] },
      'filter "f" (filters[0]): logGroups: must be a log group name',
    ],
    [
      { filters: [{ name: 'f', logGroups: ['*'] }] },
      'filter "f" (filters[0]): filter: needs include or exclude',
    ],
    [
      { filters: [{ name: 'f', logGroups: ['*'], exclude: [] }] },
      'filter "f" (filters[0]): exclude: must be a non-empty list',
    ],
    [
      { filters: [{ name: 'f', logGroups: ['*'], exclude: ['ok', '(unclosed'] }] },
      'filter "f" (filters[0]): exclude[1]: invalid regular expression: error parsing regexp: missing closing )',
    ],
    [
      { filters: [{ name: 'f', logGroups: ['*'], include: ['(?=lookahead)'] }] },
      'filter "f" (filters[0]): include[0]: invalid regular expression: error parsing regexp: invalid or unsupported Perl syntax: `(?=` (lookarounds and backreferences are not supported',
    ],
    [
      { filters: [{ name: 'f', logGroups: ['*'], exclude: [''] }] },
      'filter "f" (filters[0]): exclude[0]: must be a non-empty regular expression',
    ],
    [
      { filters: [{ name: 'f', logGroups: ['*'], exclude: ['x'], drop: true }] },
      'filter "f" (filters[0]): drop: unknown key',
    ],
    [
      { masks: [{ name: 'm', logGroups: ['*'], builtins: ['ssn'] }] },
      'mask "m" (masks[0]): builtins[0]: must be one of private-key, jwt, bearer',
    ],
    [
      { masks: [{ name: 'm', logGroups: ['*'] }] },
      'mask "m" (masks[0]): mask: needs builtins or custom patterns',
    ],
    [
      { masks: [{ name: 'm', logGroups: ['*'], custom: [{ name: 'c', pattern: '(a)\\1' }] }] },
      'mask "m" (masks[0]): custom[0].pattern: invalid regular expression',
    ],
    [
      {
        masks: [{ name: 'm', logGroups: ['*'], custom: [{ name: 'c', pattern: 'a(b)', replacement: '$2' }] }],
      },
      'mask "m" (masks[0]): custom[0].replacement: $2 refers to a group the pattern does not have',
    ],
    [
      { masks: [{ name: 'm', logGroups: ['*'], custom: [{ name: 'c', pattern: 'a', replacement: 'x"y' }] }] },
      'mask "m" (masks[0]): custom[0].replacement: must not contain " or \\',
    ],
    [
      { masks: [{ name: 'm', logGroups: ['*'], custom: [{ pattern: 'a' }] }] },
      'mask "m" (masks[0]): custom[0].name: is required',
    ],
    [
      {
        rules: [{ name: 'dup', match: { fields: [] } }],
        masks: [{ name: 'dup', logGroups: ['*'], builtins: ['email'] }],
      },
      'mask "dup" (masks[0]): name: is used by an earlier rule, filter or mask',
    ],
    [{ filtres: [] }, 'rules file: filtres: unknown key'],
  ])('%j fails with "%s"', (file, message) => {
    expect(problemsOf(file).join('\n')).toContain(message);
  });

  it('lists every problem of the file at once', () => {
    const problems = problemsOf({
      filters: [{ name: 'a', logGroups: ['*'], exclude: ['['] }],
      masks: [{ name: 'b', logGroups: [], builtins: ['email'] }],
    });
    expect(problems).toHaveLength(2);
  });
});

describe('patterns run on a linear-time engine', () => {
  it('a catastrophic-backtracking pattern on a long line finishes with the right answer', () => {
    // On V8's backtracking RegExp, `(a+)+$` against 30 `a`s and a `!` already takes 2^30 steps;
    // RE2 runs an automaton whose work grows linearly with the line.
    const file = load({ filters: [{ name: 'hostile', logGroups: ['*'], exclude: ['(a+)+$', '(x|x)*y'] }] });
    const line = 'a'.repeat(100_000) + '!' + 'x'.repeat(100_000);
    expect(verdict(file, '/any', line)).toBeUndefined();
    expect(verdict(file, '/any', line + 'y')).toBe('hostile');
    const mask = load({
      masks: [{ name: 'hostile', logGroups: ['*'], custom: [{ name: 'h', pattern: '(\\w+\\s?)*!' }] }],
    }).messages!.forGroup('/any')!;
    const words = 'word '.repeat(20_000);
    expect(mask.mask(words + '?')).toBe(words + '?');
    expect(mask.mask(words + '!')).toBe('[MASKED]');
  });

  it('refuses what only a backtracking engine can do (RE2 syntax), at cold start', () => {
    expect(() => compileRe2('(?<=a)b')).toThrow();
    expect(() => compileRe2('(a)\\1')).toThrow();
  });
});

describe('prefilters never reject a line the pattern matches', () => {
  it.each([
    ['GET /health(z|check)? ', ['GET /health'], false],
    ['^(DEBUG|TRACE)\\s', ['DEBUG', 'TRACE'], false],
    // Escapes read as RE2 reads them, not as the letters x and u followed by digits.
    ['\\u0045RROR', ['ERROR'], false],
    ['\\x2Fapi\\x2F', ['/api/'], false],
    ['\\x{41}BC\\d', ['ABC'], false],
    ['\\.(ico|png|css)\\b', ['ico', 'png', 'css'], false],
    ['ab{2}cd', ['cd'], false],
    ['kube-probe/\\d+\\.\\d+', ['kube-probe/'], false],
  ])('%s requires one of %j (anchored: %s)', (pattern, alternatives, anchored) => {
    expect(requiredText(pattern)).toMatchObject({ alternatives, anchored });
  });

  it.each(['a|b', 'x*', '(ab)?c', '(?i:ab)c'])('%s has no prefilter', (pattern) => {
    expect(prefilterOf(pattern)).toBeUndefined();
  });

  it('holds for generated patterns and lines (property)', () => {
    const atom = fc.oneof(
      fc.constantFrom(
        'a',
        'b',
        'ab',
        'ba',
        '\\.',
        '.',
        '\\d',
        '[ab]',
        '(a|b)',
        '(ab|ba)',
        '(?:a|bb)',
        '^',
        '$',
      ),
      fc.constantFrom('a*', 'b+', '(ab)?', 'a{2}', '(a|b){1,2}', '\\b', '(?i)'),
    );
    const patterns = fc.array(atom, { minLength: 1, maxLength: 6 }).map((atoms) => atoms.join(''));
    const lines = fc.stringMatching(/^[ab.1 A]{0,12}$/);
    fc.assert(
      fc.property(patterns, lines, (pattern, line) => {
        let regex;
        try {
          regex = compileRe2(pattern);
        } catch {
          return; // not a pattern RE2 accepts: refused at cold start
        }
        const prefilter = prefilterOf(pattern);
        if (regex.test(line)) expect(prefilter === undefined || prefilter(line)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("a filter's list answers as its patterns one by one would (gate, literals, prefilters)", () => {
    const atom = fc.constantFrom(
      'a',
      'b',
      'ab',
      '\\.',
      '.',
      '\\d',
      '[ab]',
      '(a|b)',
      '(?:ab|ba)',
      'a*',
      '(ab)?',
      '$',
    );
    const pattern = fc
      .tuple(fc.constantFrom('', '^', '(?i)'), fc.array(atom, { minLength: 1, maxLength: 4 }))
      .map(([start, atoms]) => start + atoms.join(''));
    const lines = fc.stringMatching(/^[ab.1 A]{0,10}$/);
    fc.assert(
      fc.property(fc.array(pattern, { minLength: 1, maxLength: 4 }), lines, (patterns, line) => {
        const valid = patterns.filter((p) => {
          try {
            compileRe2(p);
            return true;
          } catch {
            return false;
          }
        });
        fc.pre(valid.length > 0);
        const problems = new Problems('test');
        const set = compilePatternSet(valid, 'exclude', problems);
        expect(problems.list).toEqual([]);
        expect(set.test(line)).toBe(valid.some((p) => compileRe2(p).test(line)));
      }),
      { numRuns: 2000 },
    );
  });
});
