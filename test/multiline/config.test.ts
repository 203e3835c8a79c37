import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPipeline } from '../../libs/forwarding/pipeline/pipeline';
import { loadRulesFile, RulesError, rulesFileFromText } from '../../libs/forwarding/rules-file';

const problemsOf = (raw: unknown): string[] => {
  try {
    rulesFileFromText(JSON.stringify(raw), 'rules.test.json');
  } catch (error) {
    if (error instanceof RulesError) return error.problems;
    throw error;
  }
  return [];
};
const java = { name: 'java', logGroups: ['/ecs/orders-*'], start: '^\\d{4}-' };
const problemsOfRule = (extra: Record<string, unknown>) =>
  problemsOf({ multiline: [{ ...java, ...extra }], rules: [] });

describe('the multiline section of the rules file', () => {
  it('compiles the fixture: three rules, each selecting its log groups', () => {
    const { multiline, rules } = loadRulesFile({ RULES_FILE: 'test/fixtures/multiline/rules.json' });
    expect(multiline.map((rule) => rule.name)).toEqual(['java-traces', 'python-traces', 'node-traces']);
    expect(rules.map((rule) => rule.name)).toEqual(['orders-level']);
    const [javaRule, pythonRule] = multiline;
    expect(javaRule!.logGroups('/ecs/orders-api')).toBe(true);
    expect(javaRule!.logGroups('/ecs/worker')).toBe(false);
    expect([javaRule!.maxLines, javaRule!.maxBytes]).toEqual([200, 65536]);
    expect([pythonRule!.maxLines, pythonRule!.maxBytes]).toEqual([500, 262144]);
    // start: a line NOT matching continues; continuation: a line matching continues.
    expect(javaRule!.continues('\tat com.example.A.b(A.java:1)', '')).toBe(true);
    expect(javaRule!.continues('2024-11-20 17:12:23.505  INFO 1 --- [main] a : b', '')).toBe(false);
    expect(pythonRule!.continues('  File "/app/x.py", line 1, in run', '')).toBe(true);
    // The preset: a traceback's last line continues the frame before it, not any line.
    expect(pythonRule!.continues('worker.jobs.JobError: no body', '    raise JobError()')).toBe(true);
    expect(pythonRule!.continues('worker.jobs.JobError: no body', '2024-11-20 17:12:24,101 INFO a')).toBe(
      false,
    );
    expect(pythonRule!.continues('2024-11-20 17:12:24,101 INFO worker.jobs: started', '')).toBe(false);
  });

  it('no section, or an empty one: no multiline rules', () => {
    expect(rulesFileFromText('{"rules": []}', 'f').multiline).toEqual([]);
    expect(rulesFileFromText('{"rules": [], "multiline": []}', 'f').multiline).toEqual([]);
    expect(loadRulesFile({})).toEqual({ rules: [], multiline: [] });
  });

  it.each([
    [{ start: '(unclosed' }, 'multiline rule "java" (multiline[0]): start: invalid regular expression'],
    [
      { start: undefined, continuation: '^\\s+at (' },
      'multiline rule "java" (multiline[0]): continuation: invalid regular expression',
    ],
    [{ start: undefined }, 'multiline rule "java" (multiline[0]): start: give exactly one'],
    [{ continuation: '^\\s' }, 'multiline rule "java" (multiline[0]): start, continuation: give exactly one'],
    [{ start: '' }, 'multiline rule "java" (multiline[0]): start: must be a non-empty regular expression'],
    [{ start: 7 }, 'multiline rule "java" (multiline[0]): start: must be a non-empty regular expression'],
    [{ logGroups: [] }, 'multiline rule "java" (multiline[0]): logGroups: must be a log group name'],
    [{ logGroups: undefined }, 'multiline rule "java" (multiline[0]): logGroups: must be a log group name'],
    [{ maxLines: 1 }, 'multiline rule "java" (multiline[0]): maxLines: must be an integer from 2 to 10000'],
    [{ maxLines: 2.5 }, 'multiline rule "java" (multiline[0]): maxLines: must be an integer'],
    [
      { maxBytes: '64k' },
      'multiline rule "java" (multiline[0]): maxBytes: must be an integer from 1024 to 1048576',
    ],
    [{ name: 'has space' }, '(multiline[0]): name: is required'],
    [{ maxline: 3 }, 'multiline rule "java" (multiline[0]): maxline: unknown key'],
    [
      { negate: true },
      'multiline rule "java" (multiline[0]): negate: is Filebeat vocabulary: write "preset"',
    ],
    [
      { start: undefined, preset: 'kotlin' },
      'multiline rule "java" (multiline[0]): preset: "kotlin" is not a preset: one of java, python, go, node, dotnet, ruby',
    ],
    [
      { start: undefined, preset: ['java'] },
      'multiline rule "java" (multiline[0]): preset: ["java"] is not a preset',
    ],
    [{ start: undefined, preset: '' }, 'multiline rule "java" (multiline[0]): preset: "" is not a preset'],
    [
      { preset: 'java' },
      'multiline rule "java" (multiline[0]): preset, start: give exactly one: "preset" (java, python, go, node, dotnet, ruby), "start"',
    ],
    [
      { start: undefined, preset: 'python', continuation: '^\\s' },
      'multiline rule "java" (multiline[0]): preset, continuation: give exactly one',
    ],
  ])('%j is refused naming the rule and the field', (extra, problem) => {
    const problems = problemsOfRule(extra);
    expect(problems).toEqual([expect.stringContaining(problem)]);
  });

  it('lists every problem of every rule, and refuses a section that is not a list', () => {
    expect(
      problemsOf({
        multiline: [java, { ...java, start: '[' }, 'java', { ...java, name: 'py', maxLines: 0 }],
        rules: [],
      }),
    ).toEqual([
      expect.stringContaining(
        'multiline rule "java" (multiline[1]): name: is used by an earlier multiline rule',
      ),
      expect.stringContaining('multiline rule "java" (multiline[1]): start: invalid regular expression'),
      'multiline[2]: rule: must be an object',
      expect.stringContaining('multiline rule "py" (multiline[3]): maxLines'),
    ]);
    expect(problemsOf({ multiline: java, rules: [] })).toEqual([
      'rules file: multiline: must be a list of rules like {"name", "logGroups", "start"}',
    ]);
  });

  it('a bad multiline rule fails the cold start with the file, the rule and the field', () => {
    expect(() =>
      rulesFileFromText(
        JSON.stringify({ multiline: [{ ...java, start: '(?<x' }], rules: [] }),
        'config/rules.dev.json',
      ),
    ).toThrow(
      /^config\/rules\.dev\.json: 1 problem\(s\): multiline rule "java" \(multiline\[0\]\): start: invalid regular expression/,
    );
  });
});

describe('the cold start', () => {
  it('a bad multiline rule in RULES_FILE fails createPipeline, naming the rule and the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'multiline-'));
    const file = join(dir, 'rules.json');
    writeFileSync(file, JSON.stringify({ multiline: [{ ...java, maxBytes: 10 }], rules: [] }));
    expect(() => createPipeline({ RULES_FILE: file })).toThrow(RulesError);
    expect(() => createPipeline({ RULES_FILE: file })).toThrow(
      'multiline rule "java" (multiline[0]): maxBytes: must be an integer from 1024 to 1048576',
    );
  });
});

describe('presets in the rules file', () => {
  it.each(['java', 'python', 'go', 'node', 'dotnet', 'ruby'])(
    'accepts "preset": "%s" with the caps',
    (preset) => {
      const [rule] = rulesFileFromText(
        JSON.stringify({ multiline: [{ name: 'traces', logGroups: ['/ecs/*'], preset, maxLines: 300 }] }),
        'presets.json',
      ).multiline;
      expect(rule).toMatchObject({ name: 'traces', maxLines: 300 });
      expect(rule!.continues('2024-11-20 17:12:23.505 INFO started', '')).toBe(false);
    },
  );
});
