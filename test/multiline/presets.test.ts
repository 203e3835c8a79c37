import type { CloudWatchLogsData } from '../../libs/forwarding/decoding/subscription';
import { joinPayload, ObjectJoin, type MultilineRule } from '../../libs/forwarding/multiline';
import { PRESET_NAMES } from '../../libs/forwarding/multiline/presets';
import { rulesFileFromText } from '../../libs/forwarding/rules-file';
import { fixture } from '../support/fixtures';
import { eventId, logsData } from '../support/subscription';

// Each preset against real stack traces (test/fixtures/multiline/presets/<language>.json: each
// trace's source is named in the file). A trace is one document; the log line that reported it
// (`lead`), when the language's logs write one, is its first line; ordinary lines stay alone.

interface Trace {
  source: string;
  lead?: string;
  lines: string[];
}
interface PresetFixture {
  ordinary: string[];
  traces: Trace[];
}

const ruleOf = (preset: string): MultilineRule =>
  rulesFileFromText(
    JSON.stringify({ multiline: [{ name: preset, logGroups: ['*'], preset, maxLines: 1000 }] }),
    'presets.json',
  ).multiline[0]!;

const payloadOf = (lines: string[]): CloudWatchLogsData =>
  logsData(
    lines.map((line, i) => ({ message: `${line}\n`, id: eventId(i), timestamp: 1732122743505 + i })),
    { logGroup: '/ecs/app', logStream: 'app/1' },
  );

/** The documents' messages when these lines come one event each (as awslogs sends them). */
const documentsOf = (rule: MultilineRule, lines: string[]) =>
  joinPayload(payloadOf(lines), rule).logEvents.map((event) => event.message.replace(/\n$/, ''));

describe.each(PRESET_NAMES)('preset "%s"', (preset) => {
  const { ordinary, traces } = fixture<PresetFixture>('multiline', `presets/${preset}.json`);
  const rule = ruleOf(preset);

  it('leaves ordinary lines alone', () => {
    expect(documentsOf(rule, ordinary)).toEqual(ordinary);
  });

  it.each(traces.map((trace) => [trace.source, trace] as const))(
    'makes one document of the trace from %s, between ordinary lines',
    (_, trace) => {
      const whole = [...(trace.lead === undefined ? [] : [trace.lead]), ...trace.lines];
      const lines = [...ordinary, ...whole, ...ordinary];
      expect(documentsOf(rule, lines)).toEqual([...ordinary, whole.join('\n'), ...ordinary]);
    },
  );

  it('makes one document of each trace when they follow each other', () => {
    const lines = traces.flatMap((trace) => [
      ordinary[0]!,
      ...(trace.lead ? [trace.lead] : []),
      ...trace.lines,
    ]);
    const expected = traces.flatMap((trace) => [
      ordinary[0]!,
      [...(trace.lead ? [trace.lead] : []), ...trace.lines].join('\n'),
    ]);
    expect(documentsOf(rule, lines)).toEqual(expected);
  });

  it('gives the same documents in the splitter, the trace cut between two payloads of the object', () => {
    const trace = traces[0]!;
    const lines = [...ordinary, ...(trace.lead ? [trace.lead] : []), ...trace.lines, ...ordinary];
    const all = payloadOf(lines);
    const cut = ordinary.length + 2;
    const join = new ObjectJoin(() => rule);
    const ready = [
      ...join.add({ ...all, logEvents: all.logEvents.slice(0, cut) }),
      ...join.add({ ...all, logEvents: all.logEvents.slice(cut) }),
      ...join.flush(),
    ];
    expect(ready.flatMap((data) => data.logEvents.map((event) => event.message.replace(/\n$/, '')))).toEqual(
      documentsOf(rule, lines),
    );
  });
});

describe('the Python endings the hand-written regex split off', () => {
  const rule = ruleOf('python');
  const frames = ['Traceback (most recent call last):', '  File "/app/jobs.py", line 12, in run', '    do()'];
  it.each([
    'Exception: no body',
    'KeyboardInterrupt',
    'SystemExit: 1',
    'botocore.errorfactory.NoSuchKey: An error occurred (NoSuchKey) when calling the GetObject operation: The specified key does not exist.',
    'psycopg2.errors.UniqueViolation: duplicate key value violates unique constraint "orders_pkey"',
    'httpx.ConnectTimeout',
    'celery.exceptions.SoftTimeLimitExceeded: SoftTimeLimitExceeded()',
    'pydantic_core._pydantic_core.ValidationError: 1 validation error for Order',
  ])('%s stays with its traceback; the next log line does not', (ending) => {
    const next = '2024-11-20 17:12:24,101 INFO worker.jobs: next';
    expect(
      documentsOf(rule, ['2024-11-20 17:12:24,100 ERROR worker.jobs: failed', ...frames, ending, next]),
    ).toEqual([['2024-11-20 17:12:24,100 ERROR worker.jobs: failed', ...frames, ending].join('\n'), next]);
  });

  it('a traceback printed after an unrelated line (an uncaught exception) starts its own document', () => {
    expect(
      documentsOf(rule, [
        '2024-11-20 17:12:24,100 INFO worker.jobs: started',
        ...frames,
        'KeyboardInterrupt',
      ]),
    ).toEqual([
      '2024-11-20 17:12:24,100 INFO worker.jobs: started',
      [...frames, 'KeyboardInterrupt'].join('\n'),
    ]);
  });
});

describe("Go's standard log prefix", () => {
  it('starts an event: lines of `log` are each a document, a panic after them its own', () => {
    const rule = ruleOf('go');
    const lines = ['2019/01/15 07:48:05 listening on :8080', '2019/01/15 07:48:05 config: no DATABASE_URL'];
    const panic = [
      'panic: config: no DATABASE_URL',
      '',
      'goroutine 1 [running]:',
      'main.main()',
      '\t/app/main.go:21 +0x1d',
    ];
    expect(documentsOf(rule, [...lines, ...panic, '2019/01/15 07:48:06 restarting'])).toEqual([
      ...lines,
      panic.join('\n'),
      '2019/01/15 07:48:06 restarting',
    ]);
  });
});
