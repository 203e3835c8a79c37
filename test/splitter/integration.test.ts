import type { S3Event } from 'aws-lambda';
import { testInvocation } from '../support/lambda';
import { randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { DeliveryError } from '../../libs/forwarding/destinations';
import { S3DeadLetterSink } from '../../libs/forwarding/destinations/dead-letter';
import { documentsFromLogsData } from '../../libs/forwarding/documents/build';
import { SplitFaultError, TimeBudgetError } from '../../libs/splitter/errors';
import { decodeEventKey } from '../../libs/splitter/s3-event';
import { createSplitter, splitS3Event, type Splitter } from '../../libs/splitter/s3-object-source';
import { BulkServer } from '../support/bulk-server';
import { LocalS3 } from '../support/s3';
import { control, multiMember, options, record } from './support';
import { quiet } from '../support/logging';
import { fixture as loadFixture } from '../support/fixtures';

const RAW = 'logpipe-raw-logs-dev';
const ARCHIVE = 'logpipe-archive-dev';
const DEAD = 'logpipe-dead-letters-dev';
const fixture = loadFixture<S3Event>('splitter', 's3-put.json');
const fixtureKey = decodeEventKey(fixture.Records[0]!.s3.object.key);

const context = (remainingMs = 600000) => testInvocation({ remainingMs, awsRequestId: 'test' });

function eventFor(key: string, bucket = RAW, size?: number): S3Event {
  const event = structuredClone(fixture);
  const s3 = event.Records[0]!.s3;
  s3.bucket.name = bucket;
  s3.object.key = encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
  if (size !== undefined) s3.object.size = size;
  return event;
}

/** Several records from two log groups across midnight UTC, noisy enough to stream in many chunks. */
function firehoseRecords() {
  const records = [];
  let n = 0;
  for (let r = 0; r < 40; r++) {
    const group = r % 2 === 0 ? '/aws/lambda/orders' : '/ecs/payments api';
    const messages = Array.from(
      { length: 25 },
      () => `${randomBytes(200).toString('base64')} }{ 한국어 #${n++}`,
    );
    const data = record(r * 25, messages, { logGroup: group });
    // The last records cross midnight (UTC) into the next day.
    if (r >= 36) data.logEvents.forEach((e) => (e.timestamp = Date.parse('2024-11-21T00:00:01Z') + r));
    records.push(data);
    if (r === 10) records.push(control);
  }
  return records;
}

describe('splitter with S3 (s3rver), the real SDK and a _bulk server', () => {
  let s3: LocalS3;
  let bulk: BulkServer;
  let splitter: Splitter;

  beforeAll(async () => {
    s3 = await new LocalS3([RAW, ARCHIVE, DEAD]).start();
  });
  afterAll(async () => {
    await s3.stop();
  });
  beforeEach(async () => {
    bulk = await new BulkServer().start();
    splitter = createSplitter(
      {
        AWS_REGION: 'ap-northeast-2',
        DESTINATION_URL: bulk.url,
        RAW_LOGS_BUCKET: RAW,
        RAW_LOGS_PREFIX: 'firehose/',
        ARCHIVE_BUCKET: ARCHIVE,
        ARCHIVE_PREFIX: 'archive',
        BATCH_MAX_DOCS: '100',
      },
      { s3: s3.client, deadLetters: new S3DeadLetterSink(DEAD, 'dead-letter/', async () => s3.client) },
    );
  });
  afterEach(async () => {
    await bulk.stop();
  });

  it('splits an object named by a URL-encoded key into the forwarder’s documents and archives it', async () => {
    const records = firehoseRecords();
    await s3.put(RAW, fixtureKey, multiMember(records));
    const want = records.flatMap((r) => [...documentsFromLogsData(r, options, () => undefined)]);

    const [outcome] = await splitS3Event(splitter, fixture, context(), quiet);
    expect(outcome).toMatchObject({
      status: 'split',
      stats: { records: 41, control_messages: 1, documents: 1000 },
    });
    expect(bulk.documents.size).toBe(1000);
    for (const doc of want)
      expect(bulk.documents.get(doc._id)).toEqual({ index: doc._index, source: doc._source });
    expect(bulk.requests.length).toBeGreaterThanOrEqual(10); // bounded batches of 100

    // Archive: one event per line, per log group and day, under the archive prefix.
    const name = 'logpipe logs+dev-1-2024-11-20-17-05-01-3f1c2b7e-5a7d-4a47-9a51-0c2f1d7c9e10.ndjson.gz';
    const keys = await s3.keys(ARCHIVE);
    expect(keys).toEqual([
      `archive/log_group=%2Faws%2Flambda%2Forders/dt=2024-11-20/${name}`,
      `archive/log_group=%2Faws%2Flambda%2Forders/dt=2024-11-21/${name}`,
      `archive/log_group=%2Fecs%2Fpayments%20api/dt=2024-11-20/${name}`,
      `archive/log_group=%2Fecs%2Fpayments%20api/dt=2024-11-21/${name}`,
    ]);
    const archived = [];
    for (const key of keys) {
      const lines = gunzipSync(await s3.get(ARCHIVE, key))
        .toString('utf8')
        .trimEnd()
        .split('\n');
      archived.push(
        ...lines.map((line) => JSON.parse(line) as { id: string; logGroup: string; message: string }),
      );
    }
    expect(archived).toHaveLength(1000);
    expect(new Set(archived.map((a) => a.id))).toEqual(new Set(want.map((d) => d._id)));
    expect(archived[0]).toMatchObject({ logGroup: '/aws/lambda/orders', owner: '123456789012' });

    // S3 delivers events at least once: the same event again creates nothing new.
    const [again] = await splitS3Event(splitter, fixture, context(), quiet);
    expect(again).toMatchObject({ status: 'split', delivery: { duplicates: 1000, delivered: 0 } });
    expect(bulk.documents.size).toBe(1000);
    expect(await s3.keys(ARCHIVE)).toEqual(keys);
  });

  it('handles double gzip without a .gz suffix and extracted-message objects', async () => {
    const records = [record(0, ['a', 'b']), record(2, ['c'])];
    await s3.put(RAW, 'firehose/double', gzipSync(multiMember(records)));
    await s3.put(
      RAW,
      'firehose/extracted.gz',
      gzipSync(Buffer.from('line one\n{"level":"warn","msg":"two"}\n')),
    );
    const [double] = await splitS3Event(splitter, eventFor('firehose/double'), context(), quiet);
    const [lines] = await splitS3Event(splitter, eventFor('firehose/extracted.gz'), context(), quiet);
    expect(double).toMatchObject({ stats: { gzip_layers: 2, format: 'records', documents: 3 } });
    expect(lines).toMatchObject({ stats: { gzip_layers: 1, format: 'lines', documents: 2 }, archived: [] });
    expect(bulk.documents.size).toBe(5);
  });

  it('skips the CloudWatch write test, empty objects, vanished objects and archive output', async () => {
    await s3.put(RAW, 'firehose/aws-logs-write-test', Buffer.from('Permission Check Successful'));
    await s3.put(RAW, 'firehose/empty', Buffer.alloc(0));
    const outcomes = [
      ...(await splitS3Event(splitter, eventFor('firehose/aws-logs-write-test'), context(), quiet)),
      ...(await splitS3Event(splitter, eventFor('firehose/empty'), context(), quiet)),
      ...(await splitS3Event(splitter, eventFor('firehose/empty', RAW, 1), context(), quiet)),
      ...(await splitS3Event(splitter, eventFor('firehose/deleted-meanwhile'), context(), quiet)),
      ...(await splitS3Event(
        splitter,
        eventFor('archive/log_group=x/dt=2024-11-20/a.ndjson.gz', ARCHIVE),
        context(),
        quiet,
      )),
    ];
    expect(outcomes.map((o) => o.status === 'skipped' && o.reason)).toEqual([
      'CloudWatch Logs write test object',
      'empty object',
      'empty object',
      'object no longer exists',
      'archive output (no recursion)',
    ]);
    expect(bulk.requests).toHaveLength(0);
  });

  it('a fault: documents before it are delivered, the error names bucket, key and offset, the retry does not duplicate', async () => {
    const good = [record(0, ['one', 'two']), record(2, ['three'])];
    const before = multiMember(good);
    await s3.put(RAW, 'firehose/broken', Buffer.concat([before, gzipSync(' garbage')]));
    const attempt = () => splitS3Event(splitter, eventFor('firehose/broken'), context(), quiet);
    const error = await attempt().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SplitFaultError);
    expect(error).toMatchObject({ bucket: RAW, key: 'firehose/broken' });
    expect((error as SplitFaultError).message).toMatch(
      /^s3:\/\/logpipe-raw-logs-dev\/firehose\/broken: unexpected "g" \(0x67\) between records \(decompressed byte offset \d+, object byte offset \d+\)$/,
    );
    expect((error as SplitFaultError).offset).toBe(
      good.reduce((n, r) => n + JSON.stringify(r).length, 0) + 1,
    );
    expect(bulk.documents.size).toBe(3);
    // No archive is written for a faulted object (the retry writes it whole).
    expect((await s3.keys(ARCHIVE)).filter((key) => key.endsWith('/broken.ndjson.gz'))).toEqual([]);
    await expect(attempt()).rejects.toThrow(SplitFaultError);
    expect(bulk.documents.size).toBe(3);
    expect(bulk.requests.length).toBe(2);
  });

  it('stops cleanly when the remaining time runs low, after delivering what was read', async () => {
    await s3.put(RAW, 'firehose/slow', multiMember(firehoseRecords()));
    const error = await splitS3Event(splitter, eventFor('firehose/slow'), context(1000), quiet).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SplitFaultError);
    expect((error as SplitFaultError).cause).toBeInstanceOf(TimeBudgetError);
    expect((error as Error).message).toMatch(/running out of time/);
    // Nothing pushed was lost: whatever was read before stopping was either delivered or fails the invocation.
    expect(bulk.documents.size).toBeLessThan(1000);
  });

  it('keeps reading until the deadline is SPLIT_DRAIN_MS away, on the invocation’s clock', async () => {
    await bulk.stop();
    // Each _bulk request costs the invocation a second of a clock the test moves: no waiting.
    let now = 0;
    bulk = await new BulkServer({ requestFault: () => void (now += 1_000) }).start();
    splitter = createSplitter(
      {
        DESTINATION_URL: bulk.url,
        BATCH_MAX_DOCS: '50',
        DESTINATION_CONCURRENCY: '1',
        SPLIT_DRAIN_MS: '12000',
      },
      { s3: s3.client },
    );
    await s3.put(RAW, 'firehose/clocked', multiMember(firehoseRecords()));
    // 20 s left, 3 s kept back: the deadline is 17 s away, reading stops when it is under 12 s.
    const invocation = testInvocation({ remainingMs: 20_000, reserveMs: 3_000, clock: () => now });
    const error = await splitS3Event(splitter, eventFor('firehose/clocked'), invocation, quiet).catch(
      (e: unknown) => e,
    );
    expect((error as SplitFaultError).cause).toBeInstanceOf(TimeBudgetError);
    // At least five batches went before the drain point (17 s -> 12 s); what was read is delivered.
    expect(bulk.requests.length).toBeGreaterThanOrEqual(5);
    expect(bulk.documents.size).toBeGreaterThanOrEqual(250);
    expect(bulk.documents.size).toBeLessThan(1000);
  });

  it('fails the invocation when the destination keeps refusing, naming the delivery problem', async () => {
    await bulk.stop();
    bulk = await new BulkServer({ requestFault: () => 400 }).start();
    splitter = createSplitter({ DESTINATION_URL: bulk.url, RETRY_MAX_ATTEMPTS: '1' }, { s3: s3.client });
    await s3.put(RAW, 'firehose/refused', multiMember([record(0, ['x'])]));
    await expect(splitS3Event(splitter, eventFor('firehose/refused'), context(), quiet)).rejects.toThrow(
      DeliveryError,
    );
  });
});
