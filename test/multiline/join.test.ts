import type { CloudWatchLogEvent, CloudWatchLogsData } from '../../libs/forwarding/decoding/subscription';
import {
  joinPayload,
  multilineForGroup,
  ObjectJoin,
  type JoinedEvent,
} from '../../libs/forwarding/multiline';
import { rulesFileFromText } from '../../libs/forwarding/rules-file';
import { eventId, logsData } from '../support/subscription';

const compile = (extra: Record<string, unknown> = {}) =>
  rulesFileFromText(
    JSON.stringify({
      multiline: [{ name: 'java', logGroups: ['/ecs/*'], start: '^\\d{4}-\\d{2}-\\d{2} ', ...extra }],
      rules: [],
    }),
    'test',
  ).multiline;
const [rule] = compile();
const STREAM = { logGroup: '/ecs/orders', logStream: 'ecs/orders/task-1' };

/** A stream's events from lines, ids n, n+1, ... */
const events = (lines: string[], first = 0): Array<Partial<CloudWatchLogEvent>> =>
  lines.map((message, i) => ({ message, id: eventId(first + i), timestamp: 1732122743505 + first + i }));
const payload = (lines: string[], first = 0, overrides: Partial<CloudWatchLogsData> = {}) =>
  logsData(events(lines, first), { ...STREAM, ...overrides });
const messages = (data: CloudWatchLogsData) => data.logEvents.map((event) => event.message);
const ids = (data: CloudWatchLogsData) => data.logEvents.map((event) => event.id);

const TRACE = [
  '2024-11-20 17:12:23.512 ERROR request failed',
  'java.lang.IllegalStateException: no customer',
  '\tat com.example.A.b(A.java:1)',
  '\tat com.example.C.d(C.java:2)',
];

describe('joining within one payload', () => {
  it('joins the lines that continue a start line; keeps the first id and time; a single event stays as received', () => {
    const data = payload([
      '2024-11-20 17:12:23.505 INFO hello\n',
      ...TRACE,
      '2024-11-20 17:12:23.530 INFO next',
    ]);
    const joined = joinPayload(data, rule!);
    expect(messages(joined)).toEqual([
      '2024-11-20 17:12:23.505 INFO hello\n', // untouched: the same document as without a rule
      TRACE.join('\n'),
      '2024-11-20 17:12:23.530 INFO next',
    ]);
    expect(ids(joined)).toEqual([eventId(0), eventId(1), eventId(5)]);
    expect(joined.logEvents[1]!.timestamp).toBe(data.logEvents[1]!.timestamp);
    expect((joined.logEvents[1] as JoinedEvent).parts).toEqual(data.logEvents.slice(1, 5));
    expect(joined.logEvents[0]).toBe(data.logEvents[0]);
  });

  it('a payload with nothing to join is returned as it is', () => {
    const data = payload(['2024-11-20 17:12:23.505 INFO a', '2024-11-20 17:12:23.506 INFO b']);
    expect(joinPayload(data, rule!)).toBe(data);
  });

  it('a trailing newline (or CRLF) of each part is not doubled in the joined message', () => {
    const joined = joinPayload(payload(['2024-11-20 17:12:23.512 ERROR x\r\n', '\tat a\n', '\tat b']), rule!);
    expect(messages(joined)).toEqual(['2024-11-20 17:12:23.512 ERROR x\n\tat a\n\tat b']);
  });

  it('a payload that starts with continuation lines (the tail of a trace cut by the payload before) starts its own document', () => {
    const joined = joinPayload(payload(['\tat c', '\tat d', '2024-11-20 17:12:23.530 INFO next'], 7), rule!);
    expect(messages(joined)).toEqual(['\tat c\n\tat d', '2024-11-20 17:12:23.530 INFO next']);
    expect(ids(joined)).toEqual([eventId(7), eventId(9)]);
  });

  it('maxLines: the line past the cap starts a new document (nothing is cut or dropped)', () => {
    const [capped] = compile({ maxLines: 3 });
    const lines = ['2024-11-20 17:12:23.512 ERROR x', ...Array.from({ length: 7 }, (_, i) => `\tat f${i}`)];
    const joined = joinPayload(payload(lines), capped!);
    expect(messages(joined)).toEqual([
      '2024-11-20 17:12:23.512 ERROR x\n\tat f0\n\tat f1',
      '\tat f2\n\tat f3\n\tat f4',
      '\tat f5\n\tat f6',
    ]);
    expect(ids(joined)).toEqual([eventId(0), eventId(3), eventId(6)]);
    expect(messages(joined).join('\n')).toBe(lines.join('\n'));
  });

  it('maxBytes counts UTF-8 bytes of the joined message, newlines included', () => {
    const [capped] = compile({ maxBytes: 1024 });
    const head = '2024-11-20 17:12:23.512 ERROR 주문 실패'; // Korean: 3 bytes a character
    const frame = `\tat ${'가'.repeat(100)}`; // 304 bytes
    const joined = joinPayload(payload([head, frame, frame, frame, frame]), capped!);
    const sizes = messages(joined).map((message) => Buffer.byteLength(message));
    expect(sizes.every((size) => size <= 1024)).toBe(true);
    expect(joined.logEvents.map((event) => (event as JoinedEvent).parts?.length ?? 1)).toEqual([4, 1]);
  });

  it('one event larger than maxBytes is still one document (caps decide joins, never cut an event)', () => {
    const [capped] = compile({ maxBytes: 1024 });
    const big = `\tat ${'x'.repeat(5000)}`;
    const joined = joinPayload(payload(['2024-11-20 17:12:23.512 ERROR x', big, '\tat y']), capped!);
    expect(messages(joined)).toEqual(['2024-11-20 17:12:23.512 ERROR x', big, '\tat y']);
  });

  it('continuation patterns: lines matching continue, the rest start', () => {
    const [python] = rulesFileFromText(
      JSON.stringify({
        multiline: [{ name: 'py', logGroups: '/ecs/worker', continuation: '^(\\s|Traceback|\\w+Error:)' }],
        rules: [],
      }),
      'test',
    ).multiline;
    const joined = joinPayload(
      payload([
        'job failed',
        'Traceback (most recent call last):',
        '  File "x.py", line 1',
        'KeyError: 1',
        'next',
      ]),
      python!,
    );
    expect(messages(joined)).toEqual([
      'job failed\nTraceback (most recent call last):\n  File "x.py", line 1\nKeyError: 1',
      'next',
    ]);
  });

  it('a malformed event is not joined: it closes the open group and passes alone (to be dead-lettered)', () => {
    const data = payload(['2024-11-20 17:12:23.512 ERROR x', '\tat a', 'bad', '\tat b']);
    (data.logEvents[2] as unknown as { id: number }).id = 42;
    const joined = joinPayload(data, rule!);
    expect(messages(joined)).toEqual(['2024-11-20 17:12:23.512 ERROR x\n\tat a', 'bad', '\tat b']);
    expect(joined.logEvents[1]).toBe(data.logEvents[2]);
  });

  it('patterns are tested against the first 1024 characters of a line', () => {
    const [ending] = compile({ start: 'START$' });
    const long = `${'x'.repeat(2000)}START`;
    // The long line's end is past what is tested: it does not match `start`, so it continues.
    expect(messages(joinPayload(payload(['a START', long]), ending!))).toEqual([`a START\n${long}`]);
  });
});

describe('joining across the payloads of an S3 object (per stream)', () => {
  const forGroup = multilineForGroup(compile())!;

  it('continues a group in the next payload of the same stream, whatever other streams come between', () => {
    const join = new ObjectJoin(forGroup);
    const other = payload(['2024-11-20 17:12:23.520 INFO other task', '\tat other'], 50, {
      logStream: 'ecs/orders/task-2',
    });
    const ready = [
      ...join.add(payload(['2024-11-20 17:12:23.505 INFO a', ...TRACE.slice(0, 2)])),
      ...join.add(other),
      ...join.add(logsData(events(['lambda line'], 90), { logGroup: '/aws/lambda/x' })),
      ...join.add(payload([...TRACE.slice(2), '2024-11-20 17:12:23.530 INFO b'], 3)),
      ...join.flush(),
    ];
    const byStream = (stream: string) =>
      ready.filter((data) => data.logStream === stream && data.logGroup === '/ecs/orders').flatMap(messages);
    expect(byStream('ecs/orders/task-1')).toEqual([
      '2024-11-20 17:12:23.505 INFO a',
      TRACE.join('\n'),
      '2024-11-20 17:12:23.530 INFO b',
    ]);
    expect(byStream('ecs/orders/task-2')).toEqual(['2024-11-20 17:12:23.520 INFO other task\n\tat other']);
    // A log group without a rule passes through as it came.
    expect(ready.filter((data) => data.logGroup === '/aws/lambda/x').flatMap(messages)).toEqual([
      'lambda line',
    ]);
    const trace = ready.flatMap((data) => data.logEvents).find((event) => event.message === TRACE.join('\n'));
    expect(trace!.id).toBe(eventId(1));
  });

  it('a payload repeated in the object (at-least-once delivery) is read once: its events are in one document each', () => {
    const join = new ObjectJoin(forGroup);
    const first = payload(['2024-11-20 17:12:23.505 INFO a', ...TRACE.slice(0, 2)]);
    const ready = [
      ...join.add(first),
      ...join.add(first),
      ...join.add(payload([...TRACE.slice(2), '2024-11-20 17:12:23.530 INFO b'], 3)),
      ...join.flush(),
    ];
    expect(ready.flatMap(messages)).toEqual([
      '2024-11-20 17:12:23.505 INFO a',
      TRACE.join('\n'),
      '2024-11-20 17:12:23.530 INFO b',
    ]);
    expect(ready.flatMap(ids)).toEqual([eventId(0), eventId(1), eventId(5)]);
  });

  it('a payload whose ids do not follow the open group does not continue it', () => {
    const join = new ObjectJoin(forGroup);
    const ready = [
      ...join.add(payload(TRACE.slice(0, 2), 10)),
      ...join.add(payload(TRACE.slice(2), 0)),
      ...join.flush(),
    ];
    expect(ready.flatMap(messages).sort()).toEqual(
      [TRACE.slice(0, 2).join('\n'), TRACE.slice(2).join('\n')].sort(),
    );
  });

  it('holds a bounded number of open groups: past the bound the stream that waited longest is closed', () => {
    const join = new ObjectJoin(forGroup, { maxStreams: 2, maxHeldBytes: 1 << 20 });
    const ready: CloudWatchLogsData[] = [];
    for (let task = 0; task < 3; task++)
      ready.push(...join.add(payload(TRACE.slice(0, 2), 0, { logStream: `task-${task}` })));
    expect(ready.map((data) => data.logStream)).toEqual(['task-0']);
    ready.push(...join.add(payload(TRACE.slice(2), 2, { logStream: 'task-0' })));
    ready.push(...join.flush());
    // task-0 was closed early: its next lines are a document of their own (as at a payload boundary).
    expect(ready.filter((data) => data.logStream === 'task-0').flatMap(messages)).toEqual([
      TRACE.slice(0, 2).join('\n'),
      TRACE.slice(2).join('\n'),
    ]);
    expect(ready.flatMap(messages)).toHaveLength(4);
  });

  it('holds a bounded number of bytes', () => {
    const join = new ObjectJoin(forGroup, { maxStreams: 100, maxHeldBytes: 600 });
    // Two lines (89 bytes and two parts of PART_OVERHEAD_BYTES: 489) each: the second stream's
    // group passes the bound, the first is closed.
    const first = join.add(payload(TRACE.slice(0, 2), 0, { logStream: 'a' }));
    expect(first).toEqual([]);
    const second = join.add(payload(TRACE.slice(0, 2), 0, { logStream: 'b' }));
    expect(second.map((data) => data.logStream)).toEqual(['a']);
    expect(join.flush().map((data) => data.logStream)).toEqual(['b']);
    expect(join.flush()).toEqual([]);
  });
});
