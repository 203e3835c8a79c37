import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileFilterPattern, regexProblem } from '../support/filter-pattern';

/** The patterns of resources/alarms.yml (single-quoted YAML scalars). */
function defaultPatterns(): Record<string, string> {
  const yml = readFileSync(join(__dirname, '..', '..', 'resources', 'alarms.yml'), 'utf8');
  const block = /\npatterns:\n((?: {2}\w+: '.*'\n)+)/.exec(yml);
  if (block === null) throw new Error('patterns not found in resources/alarms.yml');
  const patterns: Record<string, string> = {};
  for (const line of block[1]!.trimEnd().split('\n')) {
    const [, key, value] = /^ {2}(\w+): '(.*)'$/.exec(line)!;
    patterns[key!] = value!.replace(/''/g, "'");
  }
  return patterns;
}

const REQUEST = '830e95c2-4983-4e72-99f1-1aa410a0ffb0';

// Real line shapes, as each runtime and logger writes them to CloudWatch Logs.
const ERROR_LINES: Record<string, string[]> = {
  'Node.js, text format': [
    `2024-11-20T17:12:23.505Z\t${REQUEST}\tERROR\tInvoke Error \t{"errorType":"TypeError","errorMessage":"x is undefined"}`,
    `2024-11-20T17:12:23.505Z\t${REQUEST}\tERROR\tfailed to save order 42`,
    `2024-11-20T17:12:23.505Z\tundefined\tERROR\tUncaught Exception \t{"errorType":"Error"}`,
  ],
  'Lambda JSON log format': [
    `{"timestamp":"2024-11-20T17:12:23.505Z","level":"ERROR","requestId":"${REQUEST}","message":"failed to save order 42"}`,
    `{"timestamp":"2024-11-20T17:12:23.505Z","level":"ERROR","requestId":"${REQUEST}","message":{"errorType":"TypeError","errorMessage":"x"}}`,
    `{"timestamp":"2024-11-20T17:12:23.505Z","level":"FATAL","requestId":"${REQUEST}","message":"out of memory"}`,
  ],
  'Python, text format': [
    `[ERROR]\t2024-11-20T17:12:23.505Z\t${REQUEST}\tfailed to save order 42`,
    `[ERROR] ZeroDivisionError: division by zero`,
    `[CRITICAL]\t2024-11-20T17:12:23.505Z\t${REQUEST}\tdatabase unreachable`,
  ],
  'Java log4j2 (Lambda appender)': [
    `2024-11-20 17:12:23 ${REQUEST} ERROR OrderHandler - failed to save order 42`,
  ],
  'structured loggers': [
    '{"level":"error","ts":1732122743.505,"caller":"main.go:42","msg":"failed"}', // zap
    '{"level":"fatal","msg":"cannot start","time":"2024-11-20T17:12:23Z"}', // logrus
    '{"level":"dpanic","msg":"invariant broken"}', // zap
    '{"level":50,"time":1732122743505,"msg":"failed"}', // pino
    '{"level":60,"time":1732122743505,"msg":"crashed"}', // pino fatal
    '{"level":"CRITICAL","location":"handler:12","message":"failed","service":"orders"}', // Powertools
    '{"level":"Error","message":"failed"}',
    '{"logType":"ERROR","message":"failed to save order 42"}',
    '{"logType":"error","message":"failed"}',
  ],
  timeouts: [
    `2024-11-20T17:12:26.505Z ${REQUEST} Task timed out after 3.00 seconds`,
    `{"time":"2024-11-20T17:12:26.505Z","type":"platform.report","record":{"requestId":"${REQUEST}","metrics":{"durationMs":3000.0},"status":"timeout"}}`,
  ],
};

const QUIET_LINES = [
  `2024-11-20T17:12:23.505Z\t${REQUEST}\tINFO\tsaved order 42 (no ERROR here)`,
  `2024-11-20T17:12:23.505Z\t${REQUEST}\tWARN\tretrying`,
  `START RequestId: ${REQUEST} Version: $LATEST`,
  `REPORT RequestId: ${REQUEST}\tDuration: 2.00 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB`,
  `{"timestamp":"2024-11-20T17:12:23.505Z","level":"INFO","requestId":"${REQUEST}","message":"error rate is 0"}`,
  `[INFO]\t2024-11-20T17:12:23.505Z\t${REQUEST}\tERROR handling is fine`,
  '{"level":30,"msg":"ok"}',
  '{"level":40,"msg":"slow"}',
  '{"level":"warn","msg":"ERROR budget at 10%"}',
  `{"time":"2024-11-20T17:12:26.505Z","type":"platform.report","record":{"requestId":"${REQUEST}","status":"success"}}`,
];

describe('default metric filter patterns', () => {
  const patterns = defaultPatterns();
  const compiled = Object.entries(patterns).map(
    ([key, pattern]) => [key, compileFilterPattern(pattern)] as const,
  );
  const matching = (line: string) => compiled.filter(([, matches]) => matches(line)).map(([key]) => key);

  it('use only the documented syntax (regex characters, {m,n} quantifiers, no parentheses)', () => {
    expect(Object.keys(patterns).sort()).toEqual([
      'lambdaConsoleError',
      'levelError',
      'logTypeError',
      'taskTimedOut',
    ]);
    for (const pattern of Object.values(patterns)) {
      for (const [, body] of pattern.matchAll(/%([^%]*)%/g))
        expect([pattern, regexProblem(body!)]).toEqual([pattern, undefined]);
      expect(pattern.length).toBeLessThanOrEqual(1024); // the FilterPattern limit
    }
    // The exact quantifier {36} is not in the documentation: refused by the checker itself.
    expect(regexProblem('[0-9a-f-]{36}\\s+ERROR')).toMatch(/not \{m,n\}/);
    expect(regexProblem('(ERROR|FATAL)')).toMatch(/characters outside/);
  });

  it.each(Object.entries(ERROR_LINES))('count every error line of %s', (_format, lines) => {
    for (const line of lines) expect([line, matching(line).length > 0]).toEqual([line, true]);
  });

  it('count no ordinary line (case-sensitive: an ERROR inside a message at another level is not an error)', () => {
    for (const line of QUIET_LINES) expect([line, matching(line)]).toEqual([line, []]);
  });

  it('each pattern counts some real line (none is dead)', () => {
    const all = Object.values(ERROR_LINES).flat();
    for (const [key, matches] of compiled) expect([key, all.some(matches)]).toEqual([key, true]);
  });

  it('the old defaults missed the JSON log format (the reason for the spellings above)', () => {
    const old = compileFilterPattern('{ $.level = "error" }');
    expect(old(ERROR_LINES['Lambda JSON log format']![0]!)).toBe(false);
  });
});
