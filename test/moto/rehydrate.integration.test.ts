import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { gunzipSync, gzipSync } from 'node:zlib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudWatchLogEvent } from '../../libs/forwarding/decoding/subscription';
import type { LogDocument } from '../../libs/forwarding/documents/types';
import { engineSearch, HotIndexFilter, indexedLines } from '../../tools/rehydrate/hot-index';
import { exportEventId } from '../../tools/rehydrate/readers';
import { loadDestinationConfig } from '../../libs/forwarding/destinations';
import { runRehydrate, type RehydrateRunDeps } from '../../tools/rehydrate/run';
import { archiveKey, archiveLine } from '../../libs/splitter/archive';
import { describeEachEngine, engineUrl } from '../peers/engine-env';
import { coldStart } from '../support/cold-start';
import { EngineClient } from '../support/engine-client';
import { quiet } from '../support/logging';
import { MOTO_ACCOUNT, useMoto } from '../support/moto';
import { eventId, logsData, subscriptionEvent } from '../support/subscription';
import { lambdaContext } from '../support/lambda';

/**
 * `npm run rehydrate` end to end on moto's S3 and a real node: the splitter's archive over three
 * days and two groups, and the exporter's objects of a third group where a follow-up task
 * repeats the first task's lines (and one event genuinely occurs twice). One group of each
 * layout, one day: exactly that day's events, once, the archive's with their CloudWatch ids; the
 * day's hot documents (indexed by the forwarder, of both groups) are not doubled: the exported
 * lines the hot index holds are found there and not sent; a second run adds nothing; a
 * run cut off half-way through an object and resumed ends with the same documents.
 */
const RUN = Date.now().toString(36);
const ARCHIVE_BUCKET = 'logpipe-rh-archive';
const EXPORT_BUCKET = 'logpipe-rh-exports';
const DAYS = ['2026-03-01', '2026-03-02', '2026-03-03'];
const GROUPS = ['/aws/lambda/orders', '/aws/lambda/payments'];
const EXPORTED_GROUP = '/ecs/web';
const HOUR = 3600_000;
const context = lambdaContext({
  remainingMs: 300_000,
  awsRequestId: 'rehydrate-test',
  functionName: 'logpipe-test-forwarder',
});

interface ArchivedEvent extends CloudWatchLogEvent {
  logGroup: string;
  logStream: string;
}

/** 3 days × 2 groups × 2 source objects × 2 streams × 15 events, ids unique per event. */
function archivedEvents(): ArchivedEvent[] {
  const events: ArchivedEvent[] = [];
  let n = 0;
  DAYS.forEach((day, d) =>
    GROUPS.forEach((logGroup, g) => {
      for (let object = 0; object < 2; object++)
        for (let stream = 0; stream < 2; stream++)
          for (let i = 0; i < 15; i++) {
            n++;
            events.push({
              logGroup,
              logStream: `2026/03/0${d + 1}/[$LATEST]s${g}${stream}`,
              id: eventId(n, 1000000000 + object),
              timestamp: Date.parse(`${day}T00:00:00Z`) + ((object * 12 + i) * HOUR) / 2 + stream,
              message: i % 3 === 0 ? `{"level":"info","msg":"order ${n}"}` : `plain line ${n}`,
              objectName: `firehose-${day}-${object}`,
            } as ArchivedEvent & { objectName: string });
          }
    }),
  );
  return events;
}

describeEachEngine('rehydrate from moto’s S3 into a real node', (kind) => {
  const moto = useMoto();
  const s3 = new S3Client(moto.clientConfig);
  const prefix = `rh-${kind.slice(0, 2)}-${RUN}`;
  const day = `${prefix}-2026.03.02`;
  const events = archivedEvents();
  let engine: EngineClient;
  let dir: string;
  const printed: string[] = [];

  const deps = (extra: Partial<RehydrateRunDeps> = {}): RehydrateRunDeps => ({
    env: { INDEX_PREFIX: prefix, DESTINATION_URL: engine.url, AWS_REGION: 'ap-northeast-2' },
    readFunctionConfig: () => Promise.reject(new Error('not called without --stage')),
    s3: () => s3,
    print: (text) => printed.push(text),
    log: quiet,
    ...extra,
  });
  const args = (checkpoint: string, ...more: string[]) => [
    '--source',
    `s3://${ARCHIVE_BUCKET}/archive`,
    '--source',
    `s3://${EXPORT_BUCKET}/cloudwatch-exports`,
    '--log-group',
    '/aws/lambda/orders',
    '--log-group',
    EXPORTED_GROUP,
    '--from',
    '2026-03-02',
    '--to',
    '2026-03-03',
    '--account',
    MOTO_ACCOUNT,
    '--concurrency',
    '1',
    '--checkpoint',
    join(dir, checkpoint),
    ...more,
  ];
  const put = (bucket: string, key: string, text: string) =>
    s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: gzipSync(text) }));
  const ids = async (index: string) => {
    await engine.ok('POST', `/${index}/_refresh`);
    const hits = (await engine.ok('POST', `/${index}/_search`, { size: 1000, _source: false })).hits.hits as {
      _id: string;
    }[];
    return hits.map((hit) => hit._id).sort();
  };

  // The exports: task A (the window), task B (a follow-up of stream web-1 repeating all of it and a
  // late line). Window [03-01 12:00, 03-02 12:00] and [03-02 12:00, ...] under dt=2026-03-01 and 02.
  const exported = [
    {
      dt: '2026-03-01',
      task: 'task-a',
      stream: 'web-1',
      time: '2026-03-01T23:00:00.000Z',
      message: 'day before',
    },
    {
      dt: '2026-03-01',
      task: 'task-a',
      stream: 'web-1',
      time: '2026-03-02T01:00:00.000Z',
      message: 'GET /a 200',
    },
    { dt: '2026-03-01', task: 'task-a', stream: 'web-1', time: '2026-03-02T02:00:00.000Z', message: 'twice' },
    { dt: '2026-03-01', task: 'task-a', stream: 'web-1', time: '2026-03-02T02:00:00.000Z', message: 'twice' },
    {
      dt: '2026-03-01',
      task: 'task-a',
      stream: 'web-2',
      time: '2026-03-02T03:00:00.000Z',
      message: 'multi\n  line',
    },
    {
      dt: '2026-03-02',
      task: 'task-c',
      stream: 'web-1',
      time: '2026-03-02T20:00:00.000Z',
      message: 'evening',
    },
    {
      dt: '2026-03-02',
      task: 'task-c',
      stream: 'web-1',
      time: '2026-03-03T01:00:00.000Z',
      message: 'next day',
    },
  ];
  const followUp = [
    ...exported.filter((line) => line.task === 'task-a' && line.stream === 'web-1'),
    { dt: '2026-03-01', task: 'task-b', stream: 'web-1', time: '2026-03-02T04:00:00.000Z', message: 'late' },
  ].map((line) => ({ ...line, task: 'task-b' }));
  const exportedOfDay = [...exported, ...followUp].filter((line) => line.time.startsWith('2026-03-02'));

  beforeAll(async () => {
    engine = new EngineClient(await engineUrl(kind));
    dir = mkdtempSync(join(tmpdir(), 'rehydrate-'));
    for (const bucket of [ARCHIVE_BUCKET, EXPORT_BUCKET])
      await s3.send(
        new CreateBucketCommand({
          Bucket: bucket,
          CreateBucketConfiguration: { LocationConstraint: 'ap-northeast-2' },
        }),
      );
    // The archive as the splitter writes it: one object per source object, group and day.
    const objects = new Map<string, string>();
    for (const event of events as (ArchivedEvent & { objectName: string })[]) {
      const key = archiveKey(
        'archive',
        event.logGroup,
        new Date(event.timestamp).toISOString().slice(0, 10),
        event.objectName,
      );
      const { logGroup, logStream, id, timestamp, message } = event;
      objects.set(
        key,
        (objects.get(key) ?? '') +
          archiveLine({ owner: MOTO_ACCOUNT, logGroup, logStream }, { id, timestamp, message }),
      );
    }
    for (const [key, text] of objects) await put(ARCHIVE_BUCKET, key, text);
    const byObject = new Map<string, string>();
    for (const line of [...exported, ...followUp]) {
      const key = `cloudwatch-exports/ecs/web/dt=${line.dt}/${line.task}/${line.stream}/000000.gz`;
      byObject.set(key, (byObject.get(key) ?? '') + `${line.time} ${line.message}\n`);
    }
    for (const [key, text] of byObject) await put(EXPORT_BUCKET, key, text);
    await put(
      EXPORT_BUCKET,
      'cloudwatch-exports/ecs/web/dt=2026-03-01/aws-logs-write-test',
      'Permission Check Successful',
    );
  }, 330_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await engine?.deleteIndices(`${prefix}-*`);
  });

  const ofDay = events.filter(
    (event) =>
      event.logGroup === '/aws/lambda/orders' &&
      new Date(event.timestamp).toISOString().startsWith('2026-03-02'),
  );
  // Numbered per task and stream as the reader numbers copies: 'twice' is two documents, the
  // follow-up's repeats are none.
  const exportedIds = (() => {
    const copies = new Map<string, number>();
    const found = new Set<string>();
    for (const line of [...exported, ...followUp]) {
      const key = `${line.task}\n${line.stream}\n${line.time}\n${line.message}`;
      const n = (copies.get(key) ?? 0) + 1;
      copies.set(key, n);
      if (line.time.startsWith('2026-03-02'))
        found.add(exportEventId(EXPORTED_GROUP, line.stream, Date.parse(line.time), line.message, n));
    }
    return [...found];
  })();
  // The exported group's events the forwarder indexed while the day was hot (with CloudWatch
  // ids): one copy of 'twice' (the export holds two), and one line of each stream.
  const hotExported = [
    { stream: 'web-1', time: '2026-03-02T01:00:00.000Z', message: 'GET /a 200' },
    { stream: 'web-1', time: '2026-03-02T02:00:00.000Z', message: 'twice' },
    { stream: 'web-2', time: '2026-03-02T03:00:00.000Z', message: 'multi\n  line' },
  ].map((line, i) => ({ ...line, id: eventId(900 + i, 2000000000) }));
  // Copy n of a line is absorbed when the index holds n or more of it, in every task.
  const absorbedIds = hotExported.map((line) =>
    exportEventId(EXPORTED_GROUP, line.stream, Date.parse(line.time), line.message, 1),
  );
  const savedEnv = { ...process.env };
  afterAll(() => {
    process.env = savedEnv;
  });

  it('one group of each layout, one day: that day’s events once, archive ids kept, hot documents not doubled', async () => {
    expect(exportedIds).toHaveLength(6); // GET, twice ×2, multi line, late, evening
    // The day is still hot for part of its events: the forwarder indexed them.
    const hot = ofDay.filter((event, i) => event.logStream === ofDay[0]!.logStream && i % 2 === 0);
    const forward = coldStart('forwarder', {
      DESTINATION_URL: engine.url,
      INDEX_PREFIX: prefix,
      LOG_LEVEL: 'error',
    });
    await forward(
      subscriptionEvent(
        logsData(
          hot.map(({ id, timestamp, message }) => ({ id, timestamp, message })),
          { owner: MOTO_ACCOUNT, logGroup: hot[0]!.logGroup, logStream: hot[0]!.logStream },
        ),
      ),
      context,
    );
    for (const stream of ['web-1', 'web-2']) {
      const lines = hotExported.filter((line) => line.stream === stream);
      await forward(
        subscriptionEvent(
          logsData(
            lines.map((line) => ({ id: line.id, timestamp: Date.parse(line.time), message: line.message })),
            { owner: MOTO_ACCOUNT, logGroup: EXPORTED_GROUP, logStream: stream },
          ),
        ),
        context,
      );
    }
    const hotCount = hot.length + hotExported.length;
    expect(await engine.count(day)).toBe(hotCount);
    // The look-up reads the same lines whatever its page size (pages cut inside a millisecond).
    const search = engineSearch(loadDestinationConfig({ DESTINATION_URL: engine.url }), {});
    const span = { from: Date.parse('2026-03-02'), to: Date.parse('2026-03-03') };
    const paged = await indexedLines(search, day, hot[0]!.logGroup, hot[0]!.logStream, span, 2);
    expect([...paged.values()].reduce((a, b) => a + b, 0)).toBe(hot.length);
    expect(paged).toEqual(await indexedLines(search, day, hot[0]!.logGroup, hot[0]!.logStream, span, 1000));
    expect(await indexedLines(search, `${prefix}-absent`, EXPORTED_GROUP, 'web-1', span, 10)).toEqual(
      new Map(),
    );

    printed.length = 0;
    expect(await runRehydrate(args('dry.txt', '--dry-run'), deps())).toBe(0);
    const listing = printed.join('\n');
    // Only the day's archive partition of the group, and the export partitions up to 7 days before.
    expect(listing).toMatch(/dry run: 6 objects/);
    expect(listing).not.toMatch(/dt=2026-03-01\/firehose|dt=2026-03-03|payments/);
    expect(await engine.count(day)).toBe(hotCount);

    printed.length = 0;
    expect(await runRehydrate(args('first.txt'), deps())).toBe(0);
    const summary = printed.join('\n');
    const added = exportedIds.filter((id) => !absorbedIds.includes(id));
    expect(summary).toMatch(new RegExp(`${ofDay.length - hot.length + added.length} documents indexed, `));
    // task-a's and task-b's copies of the hot lines are found in the index (5); task-b's repeat of
    // a line task-a just added is found too, or answers 409 when the index has not refreshed yet.
    const [, conflicts, found] = /(\d+) already there \(409\).*; (\d+) exported lines found already indexed/
      .exec(summary)!
      .map(Number);
    expect(found).toBeGreaterThanOrEqual(5);
    expect(conflicts! + found!).toBe(hot.length + exportedOfDay.length - added.length);
    expect(await ids(day)).toEqual(
      [...ofDay.map((event) => event.id), ...hotExported.map((line) => line.id), ...added].sort(),
    );
    // The forwarder's own document of an archived event, as the forwarder would have made it.
    const json = ofDay.find((event) => event.message.startsWith('{'))!;
    const doc = await engine.ok('GET', `/${day}/_doc/${json.id}`);
    expect(doc._source).toMatchObject({
      message: json.message,
      log: { level: 'info' },
      json: { msg: expect.stringMatching(/^order /) },
      aws: { cloudwatch: { log_group: '/aws/lambda/orders', log_stream: json.logStream, event_id: json.id } },
      cloud: { account: { id: MOTO_ACCOUNT } },
    });
    const multi = await engine.ok('POST', `/${day}/_search`, {
      query: { match_phrase: { message: 'multi' } },
    });
    expect(multi.hits.hits[0]._source.message).toBe('multi\n  line');
    expect(await engine.count(`${prefix}-2026.03.01,${prefix}-2026.03.03`)).toBe(0);

    // The same command again: every object is in the checkpoint.
    printed.length = 0;
    expect(await runRehydrate(args('first.txt'), deps())).toBe(0);
    expect(printed.join('\n')).toMatch(/0 of 0 objects rehydrated \(6 done by an earlier run, skipped\)/);
    // Without the checkpoint: everything is read again and nothing is added.
    printed.length = 0;
    expect(await runRehydrate(args('first.txt', '--restart'), deps())).toBe(0);
    expect(printed.join('\n')).toMatch(/0 documents indexed, \d+ already there/);
    expect(await ids(day)).toEqual(
      [...ofDay.map((event) => event.id), ...hotExported.map((line) => line.id), ...added].sort(),
    );
  });

  it('the look-up counts repeats across its chunks: n indexed documents absorb n lines, no more', async () => {
    // After the first test the day holds each archived event of this stream once.
    // In time order, as an export's stream is (two of its events share a millisecond).
    const stream = ofDay
      .filter((event) => event.logStream === ofDay[0]!.logStream)
      .sort((a, b) => a.timestamp - b.timestamp);
    expect(new Set(stream.map((event) => event.timestamp)).size).toBeLessThan(stream.length);
    const search = engineSearch(loadDestinationConfig({ DESTINATION_URL: engine.url }), {});
    const sent: LogDocument[] = [];
    let found = 0;
    const filter = new HotIndexFilter(
      { push: (doc) => void sent.push(doc), reject: () => undefined },
      { search, chunkDocs: 3, pageSize: 2, onFound: () => found++ },
    );
    const docOf = (event: ArchivedEvent, copy: number, message = event.message): LogDocument => ({
      _id: `copy-${copy}-${event.id}`,
      _index: day,
      _source: {
        '@timestamp': new Date(event.timestamp).toISOString(),
        message,
        aws: { cloudwatch: { log_group: event.logGroup, log_stream: event.logStream, event_id: '' } },
        cloud: { provider: 'aws' },
      },
    });
    // Every line twice (chunks of 3 cut the pairs), and one line the index does not hold.
    for (const event of stream) {
      await filter.push(docOf(event, 1));
      await filter.push(docOf(event, 2));
    }
    await filter.push(docOf(stream[0]!, 3, 'not indexed'));
    await filter.flush();
    expect(sent.map((doc) => doc._id)).toEqual([
      ...stream.map((event) => `copy-2-${event.id}`),
      `copy-3-${stream[0]!.id}`,
    ]);
    expect(found).toBe(stream.length);
  });

  it('a run cut off half-way through an object, then resumed, ends with the same documents', async () => {
    const other = `${prefix}-resumed`;
    const stop = new AbortController();
    let objects = 0;
    printed.length = 0;
    const cut = await runRehydrate(
      args('cut.txt', '--index-prefix', other),
      deps({
        signal: stop.signal,
        // The second object (the archive's) breaks half-way: the run stops starting new objects.
        readBody: (_item, _key, body) =>
          ++objects !== 2
            ? body
            : (async function* () {
                const chunks: Buffer[] = [];
                for await (const chunk of body) chunks.push(Buffer.from(chunk));
                const lines = gunzipSync(Buffer.concat(chunks)).toString('utf8').split('\n');
                // Half the lines arrive, then the connection breaks.
                yield gzipSync(lines.slice(0, lines.length >> 1).join('\n') + '\n');
                // Time for the lines to be decompressed (a reset destroys what is still inside zlib).
                await new Promise((resolve) => setTimeout(resolve, 200));
                stop.abort();
                throw new Error('connection reset');
              })(),
      }),
    );
    expect(cut).toBe(1);
    expect(printed.join('\n')).toMatch(
      /1 of 6 objects rehydrated, 1 failed.*[\s\S]*stopped: interrupted[\s\S]*run the same command again/,
    );
    const partial = (await ids(`${other}-2026.03.02`)).length;
    // The first archive object whole (half the day's archived events), and the lines of the
    // second read before it broke (not checked: zlib may still hold them).
    expect(partial).toBeGreaterThanOrEqual(ofDay.length / 2);
    expect(partial).toBeLessThan(ofDay.length);

    printed.length = 0;
    expect(await runRehydrate(args('cut.txt', '--index-prefix', other), deps())).toBe(0);
    expect(printed.join('\n')).toMatch(
      /5 of 5 objects rehydrated \(1 done by an earlier run, skipped\), 0 failed/,
    );
    expect(await ids(`${other}-2026.03.02`)).toEqual(
      [...ofDay.map((event) => event.id), ...exportedIds].sort(),
    );
  });
});
