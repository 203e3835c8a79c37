import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../libs/runtime/errors';
import { loadRules, RulesError, rulesFromText } from '../../libs/forwarding/rules-file';

const problemsOf = (raw: unknown): string[] => {
  try {
    rulesFromText(typeof raw === 'string' ? raw : JSON.stringify(raw), 'rules.test.json');
  } catch (error) {
    if (error instanceof RulesError) return error.problems;
    throw error;
  }
  return [];
};
const base = { name: 'access', match: { fields: [{ field: 'logtype', equals: 'accesslog' }] } };
const problemsOfRule = (extra: Record<string, unknown>) => problemsOf({ rules: [{ ...base, ...extra }] });

describe('rules validation names the rule and the field', () => {
  it.each([
    [{ parsr: {} }, 'rule "access" (rules[0]): parsr: unknown key'],
    [{ parse: { type: 'grok' } }, 'rule "access" (rules[0]): parse.type: must be one of json, lambda, regex'],
    [{ parse: { type: 'regex' } }, 'rule "access" (rules[0]): parse.pattern: is required'],
    [
      { parse: { type: 'regex', pattern: '(unclosed' } },
      'rule "access" (rules[0]): parse.pattern: invalid regular expression',
    ],
    [
      { parse: { type: 'regex', pattern: '^(\\S+)$' } },
      'rule "access" (rules[0]): parse.pattern: has no named groups',
    ],
    [
      { parse: [{ type: 'json' }, { type: 'json', pattern: 'x' }] },
      'rules[0]): parse[1].pattern: only regex parsers take a pattern',
    ],
    [{ parse: { type: 'json', target: 'aws.x' } }, 'parse.target: "aws.x" is reserved'],
    [
      { types: { size: 'int' } },
      'rule "access" (rules[0]): types.size: must be one of integer, float, boolean, string, json',
    ],
    [
      { time: { field: 'time', format: '%Y %Q' } },
      'rule "access" (rules[0]): time.format: unsupported token %Q',
    ],
    [{ time: { field: 'time', format: '%H:%M' } }, 'time.format: needs a year'],
    [{ rename: { remote: '@timestamp' } }, 'rename.remote: "@timestamp" is reserved'],
    [{ add: { 'cloud.x': 1 } }, 'add.cloud.x: "cloud.x" is reserved'],
    [{ drop: ['tags'] }, 'drop[0]: "tags" is reserved'],
    [
      { include: [{ field: 'code', equals: 200, regex: '2..' }] },
      'include[0]: needs exactly one of equals, in, regex, glob, exists (got 2)',
    ],
    [{ exclude: [{ field: 'path', regex: '[' }] }, 'exclude[0].regex: invalid regular expression'],
    [{ exclude: { field: 'path' } }, 'exclude: must be a list of conditions'],
    [
      { index: { prefix: 'AccessLog' } },
      'rule "access" (rules[0]): index.prefix: "AccessLog" is not a valid index name start',
    ],
    [
      { index: { prefix: 'accesslog', date: 'weekly' } },
      'index.date: must be daily, monthly, none or a pattern',
    ],
    [
      { index: { prefix: 'accesslog', timeZone: 'Mars/Olympus' } },
      'index.timeZone: is not a known IANA time zone',
    ],
    [{ match: {} }, 'rule "access" (rules[0]): match: needs at least one of logGroup, logStream, fields'],
    [{ match: { logGroup: 5 } }, 'match.logGroup: must be a name or a glob'],
  ])('%j', (rule, expected) => {
    const problems = problemsOfRule(rule);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });

  it('collects every problem of every rule in one error', () => {
    let error: unknown;
    try {
      rulesFromText(
        JSON.stringify({
          rules: [
            { ...base, types: { code: 'int' }, index: { prefix: '_x' } },
            { name: 'access', match: { logGroup: '/x' } },
            { match: { logGroup: '/y' } },
          ],
        }),
        'config/rules.dev.json',
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RulesError);
    const { problems, message, name } = error as RulesError;
    expect(name).toBe('RulesError');
    expect(message).toMatch(/^config\/rules\.dev\.json: 4 problem\(s\)/);
    expect(problems).toEqual([
      expect.stringContaining('rule "access" (rules[0]): types.code'),
      expect.stringContaining('rule "access" (rules[0]): index.prefix'),
      expect.stringContaining('rule "access" (rules[1]): name: is used by an earlier rule'),
      expect.stringContaining('rules[2]: name: is required'),
    ]);
  });

  it('rejects files that are not JSON or have no rules list', () => {
    expect(problemsOf('{"rules": [')[0]).toMatch(/^not valid JSON/);
    expect(problemsOf([])).toEqual(['rules file: must be a JSON object {"rules": [...]}']);
    expect(problemsOf({ rule: [] })).toEqual([
      expect.stringContaining('rule: unknown key'),
      'rules file: rules: must be a list of rules',
    ]);
  });
});

describe('loadRules (RULES_FILE)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rules-'));

  it('no RULES_FILE: no rules', () => {
    expect(loadRules({})).toEqual([]);
    expect(loadRules({ RULES_FILE: '  ' })).toEqual([]);
  });

  it('reads the per-stage files shipped in config/', () => {
    expect(loadRules({ RULES_FILE: 'config/rules.dev.json' }).map((rule) => rule.name)).toEqual([
      'accesslog',
      'api-responselog',
      'api-requestlog',
      'eks-access-subscription',
    ]);
    expect(
      loadRules({ RULES_FILE: 'config/rules.prod.json', INDEX_TIMEZONE: 'Asia/Seoul' }).length,
    ).toBeGreaterThan(0);
  });

  it('resolves a relative path against LAMBDA_TASK_ROOT', () => {
    writeFileSync(join(dir, 'rules.json'), JSON.stringify({ rules: [base] }));
    expect(loadRules({ RULES_FILE: 'rules.json', LAMBDA_TASK_ROOT: dir })).toHaveLength(1);
  });

  it('names the variable when the file is missing or YAML', () => {
    expect(() => loadRules({ RULES_FILE: 'config/nope.json' })).toThrow(ConfigError);
    expect(() => loadRules({ RULES_FILE: 'config/nope.json' })).toThrow(
      'RULES_FILE: cannot read config/nope.json (ENOENT)',
    );
    expect(() => loadRules({ RULES_FILE: 'config/rules.dev.yml' })).toThrow(
      /RULES_FILE: .*YAML is not supported/,
    );
  });

  it('names the file and the rule when the content is invalid', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ rules: [{ ...base, types: { size: 'long' } }] }));
    expect(() => loadRules({ RULES_FILE: file })).toThrow(
      /bad\.json: 1 problem\(s\): rule "access" \(rules\[0\]\): types\.size/,
    );
  });
});
