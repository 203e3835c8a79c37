import { decodeSubscriptionEvent } from '../../libs/forwarding/decoding/subscription';
import {
  buildDocument,
  documentsFromLogsData,
  IndexNamer,
  parseLambdaLine,
  type RejectedEvent,
} from '../../libs/forwarding/documents';
import { logsData } from '../support/subscription';
import { fixture as loadFixture } from '../support/fixtures';

const options = { indexNamer: new IndexNamer('cwl'), region: 'ap-northeast-2', jsonAtRoot: false };
const context = { owner: '123456789012', logGroup: '/aws/lambda/orders', logStream: 'stream-1' };
const fixture = (name: string) => decodeSubscriptionEvent(loadFixture('forwarder', name));
const docs = (data: ReturnType<typeof fixture>, opts = options) => [
  ...documentsFromLogsData(data, opts, () => {}),
];

describe('documents from real subscription payloads', () => {
  it('Lambda console lines: a line becomes one document with level and request id', () => {
    const [doc, ...rest] = docs(fixture('lambda-console-lines.json'));
    expect(rest).toHaveLength(0);
    expect(doc).toEqual({
      _id: '38627627955484818852768098168489833298904231245367279618',
      _index: 'cwl-2024.11.20',
      _source: {
        '@timestamp': '2024-11-20T17:12:23.505Z',
        message:
          '2024-11-20T17:12:23.505Z\t830e95c2-4983-4e72-99f1-1aa410a0ffb0\tINFO\tFetching incorrect lists...',
        log: { level: 'info' },
        aws: {
          cloudwatch: {
            log_group: '/aws/lambda/getIncorrectLists',
            log_stream: '2024/11/20/[$LATEST]bb494dc82843496683c62052533a046f',
            event_id: '38627627955484818852768098168489833298904231245367279618',
          },
          lambda: { request_id: '830e95c2-4983-4e72-99f1-1aa410a0ffb0' },
        },
        cloud: { provider: 'aws', account: { id: '376129852049' }, region: 'ap-northeast-2' },
      },
    });
  });

  it('JSON lines of a Go service: messages are indexed under json, level from "level"', () => {
    const [first, second] = docs(fixture('go-service-json-lines.json'));
    expect(first!._index).toBe('cwl-2018.12.10');
    expect(first!._source['@timestamp']).toBe('2018-12-10T03:57:44.183Z');
    expect(first!._source.log).toEqual({ level: 'info' });
    expect(first!._source.json).toMatchObject({
      msg: 'request and response log',
      log: { response: { status: 200 } },
    });
    expect((second!._source.json as { log: { duration: number } }).log.duration).toBe(11138161);
  });

  it('a whole Lambda invocation: START, console levels, END and REPORT numbers', () => {
    const all = docs(fixture('lambda-invocation.json'));
    expect(all.map((d) => d._source.aws.lambda?.event ?? d._source.log?.level)).toEqual([
      'start',
      'info',
      'error',
      'end',
      'report',
    ]);
    expect(all[4]!._source.aws.lambda?.report).toEqual({
      duration_ms: 107.52,
      billed_duration_ms: 108,
      memory_size_mb: 128,
      max_memory_used_mb: 70,
      init_duration_ms: 150.12,
    });
    expect(new Set(all.map((d) => d._source.aws.lambda?.request_id))).toEqual(
      new Set(['830e95c2-4983-4e72-99f1-1aa410a0ffb0']),
    );
  });

  it('a control message yields no documents', () => {
    expect(docs(fixture('control-message.json'))).toEqual([]);
  });
});

describe('buildDocument', () => {
  const build = (message: string, opts = options, timestamp = Date.UTC(2024, 10, 20, 15, 30)) =>
    buildDocument(context, { id: 'e1', timestamp, message }, opts);

  it('takes @timestamp from the event, never from the clock', () => {
    expect(build('x', options, 0)._source['@timestamp']).toBe('1970-01-01T00:00:00.000Z');
  });

  it('removes only the trailing newline (LF or CRLF)', () => {
    expect(build('a\nb\n')._source.message).toBe('a\nb');
    expect(build('a\r\n')._source.message).toBe('a');
    expect(build('a')._source.message).toBe('a');
  });

  it('cuts the index by day in the configured time zone', () => {
    const seoul = { ...options, indexNamer: new IndexNamer('cwl', 'Asia/Seoul') };
    // 15:30 UTC on 20 Nov is 00:30 on 21 Nov in Seoul.
    expect(build('x')._index).toBe('cwl-2024.11.20');
    expect(build('x', seoul)._index).toBe('cwl-2024.11.21');
    expect(build('x', seoul, Date.UTC(2024, 10, 20, 14, 59, 59, 999))._index).toBe('cwl-2024.11.20');
    expect(build('x', seoul, Date.UTC(2024, 10, 20, 15, 0))._index).toBe('cwl-2024.11.21');
  });

  it('cuts days correctly in a time zone with a 45-minute offset', () => {
    const kathmandu = { ...options, indexNamer: new IndexNamer('cwl', 'Asia/Kathmandu') }; // UTC+5:45
    expect(build('x', kathmandu, Date.UTC(2024, 10, 20, 18, 14, 59))._index).toBe('cwl-2024.11.20');
    expect(build('x', kathmandu, Date.UTC(2024, 10, 20, 18, 15))._index).toBe('cwl-2024.11.21');
  });

  it.each([
    ['{"level":"ERROR","msg":"x"}', 'error'],
    ['{"logLevel":"warning"}', 'warn'],
    ['{"severity":"CRITICAL"}', 'critical'],
    ['{"level":50}', 'error'],
    ['{"logType":"ERROR","errorCode":"DA00012"}', 'error'],
    ['{"logType":"accesslog"}', undefined],
    ['  {"level":"debug"}  ', 'debug'],
  ])('JSON %s gives log.level %s', (message, level) => {
    expect(build(message)._source.log?.level).toBe(level);
  });

  it('keeps non-object JSON and broken JSON as plain messages', () => {
    expect(build('[1,2]')._source.json).toBeUndefined();
    expect(build('{"broken": ')._source.json).toBeUndefined();
    expect(build('{not json}')._source.json).toBeUndefined();
  });

  it('merges JSON keys at the root only when asked, never overwriting our fields', () => {
    const message = '{"message":"inner","user":{"id":7},"aws":"spoof","@timestamp":"1999"}';
    expect(build(message)._source.user).toBeUndefined();
    const merged = build(message, { ...options, jsonAtRoot: true })._source;
    expect(merged.user).toEqual({ id: 7 });
    expect(merged.message).toBe(message);
    expect(merged.aws).toMatchObject({ cloudwatch: { log_group: '/aws/lambda/orders' } });
    expect(merged['@timestamp']).toBe('2024-11-20T15:30:00.000Z');
    expect(merged.json).toMatchObject({ message: 'inner' });
  });

  it("reads Lambda's JSON log format, including platform.report metrics", () => {
    const app = build(
      '{"timestamp":"2024-11-20T17:12:23.505Z","level":"WARN","requestId":"r-1","message":"slow"}',
    )._source;
    expect(app.log?.level).toBe('warn');
    expect(app.aws.lambda?.request_id).toBe('r-1');
    const report = build(
      '{"time":"2024-11-20T17:12:23.505Z","type":"platform.report","record":{"requestId":"r-2","metrics":{"durationMs":12.5,"billedDurationMs":13,"memorySizeMB":128,"maxMemoryUsedMB":70,"initDurationMs":150.1}}}',
    )._source;
    expect(report.aws.lambda).toEqual({
      request_id: 'r-2',
      report: {
        duration_ms: 12.5,
        billed_duration_ms: 13,
        memory_size_mb: 128,
        max_memory_used_mb: 70,
        init_duration_ms: 150.1,
      },
    });
  });
});

describe('parseLambdaLine', () => {
  it('recognises a timeout line as an error', () => {
    expect(
      parseLambdaLine(
        '2024-11-20T17:12:26.505Z 830e95c2-4983-4e72-99f1-1aa410a0ffb0 Task timed out after 3.00 seconds',
      ),
    ).toEqual({
      requestId: '830e95c2-4983-4e72-99f1-1aa410a0ffb0',
      level: 'error',
      event: 'timeout',
    });
  });

  it('leaves ordinary text alone', () => {
    expect(parseLambdaLine('2024 was a good year')).toBeUndefined();
    expect(parseLambdaLine('hello')).toBeUndefined();
  });

  it('reads a REPORT line without Init Duration (warm start)', () => {
    expect(
      parseLambdaLine(
        'REPORT RequestId: r\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 256 MB\tMax Memory Used: 80 MB\t',
      )?.report,
    ).toEqual({
      duration_ms: 1,
      billed_duration_ms: 1,
      memory_size_mb: 256,
      max_memory_used_mb: 80,
    });
  });
});

describe('documentsFromLogsData', () => {
  it('rejects a malformed event with the reason and keeps going', () => {
    const rejected: RejectedEvent[] = [];
    const data = logsData([
      {},
      { id: undefined },
      { timestamp: 'soon' as unknown as number },
      { message: undefined },
      {},
    ]);
    const built = [...documentsFromLogsData(data, options, (r) => rejected.push(r))];
    expect(built.map((d) => d._source.message)).toEqual(['line 0', 'line 4']);
    expect(rejected.map((r) => r.reason)).toEqual([
      'log event has no string "id"',
      'log event has no numeric "timestamp"',
      'log event has no string "message"',
    ]);
    expect(rejected[0]!.logGroup).toBe('/aws/lambda/orders');
  });
});

describe('isoTimestamp', () => {
  it('matches Date#toISOString for any millisecond of years 0000-9999, including across seconds', async () => {
    const { isoTimestamp, MIN_TIME_MS, MAX_TIME_MS } =
      await import('../../libs/forwarding/decoding/timestamp');
    const fc = (await import('fast-check')).default;
    fc.assert(
      fc.property(fc.integer({ min: MIN_TIME_MS, max: MAX_TIME_MS - 1 }), (ms) => {
        expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
        expect(isoTimestamp(ms + 1)).toBe(new Date(ms + 1).toISOString());
      }),
      { numRuns: 5000 },
    );
    expect(isoTimestamp(MIN_TIME_MS)).toBe('0000-01-01T00:00:00.000Z');
    expect(isoTimestamp(MAX_TIME_MS)).toBe('9999-12-31T23:59:59.999Z');
    // Outside, toISOString writes six-digit years or throws: the event is dead-lettered instead.
    for (const ms of [MIN_TIME_MS - 1, MAX_TIME_MS + 1, 1e16, -1e16, Number.NaN, Infinity])
      expect(() => isoTimestamp(ms)).toThrow(/outside years 0000-9999|not a finite number/);
    expect(isoTimestamp(1732122743005)).toBe('2024-11-20T17:12:23.005Z');
    expect(isoTimestamp(1732122743050)).toBe('2024-11-20T17:12:23.050Z');
    expect(isoTimestamp(-1)).toBe('1969-12-31T23:59:59.999Z');
  });
});
