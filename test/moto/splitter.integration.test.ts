import { CreateDeliveryStreamCommand, FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { S3DeadLetterSink } from '../../libs/forwarding/destinations/dead-letter';
import { documentsFromLogsData } from '../../libs/forwarding/documents/build';
import { createSplitter, splitS3Event, type Splitter } from '../../libs/splitter/s3-object-source';
import { BulkServer } from '../support/bulk-server';
import { MOTO_ACCOUNT, MOTO_REGION, useMoto } from '../support/moto';
import { multiMember, options, record } from '../splitter/support';
import { quiet } from '../support/logging';
import { controlMessage } from '../support/subscription';
import { testInvocation } from '../support/lambda';

/**
 * The splitter's S3 side on moto's S3 (streaming GetObject of a large object, a vanished
 * object, archive and dead-letter writes read back), and the Firehose path: a moto delivery
 * stream to S3 fed with records shaped as CloudWatch Logs sends them, then the objects moto
 * writes are split. docs/splitter.md ("moto") lists how moto's objects differ from Firehose's.
 */
const RAW = 'logpipe-moto-raw-logs';
const ARCHIVE = 'logpipe-moto-log-archive';
const DEAD = 'logpipe-moto-dead-letters';
const context = testInvocation({ remainingMs: 600_000, awsRequestId: 'moto' });

function eventFor(bucket: string, key: string): S3Event {
  const encoded = encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: MOTO_REGION,
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: bucket }, object: { key: encoded } },
      },
    ],
  } as unknown as S3Event;
}

describe('splitter on moto’s S3 and Firehose', () => {
  const moto = useMoto();
  const s3 = new S3Client(moto.clientConfig);
  let bulk: BulkServer;
  let splitter: Splitter;
  let refuse = new Set<string>();

  const body = async (bucket: string, key: string) =>
    Buffer.from(
      await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray(),
    );
  const keys = async (bucket: string, prefix = '') =>
    ((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? [])
      .map((o) => o.Key!)
      .sort();

  beforeAll(async () => {
    for (const bucket of [RAW, ARCHIVE, DEAD]) {
      await s3.send(
        new CreateBucketCommand({
          Bucket: bucket,
          CreateBucketConfiguration: { LocationConstraint: MOTO_REGION },
        }),
      );
    }
    bulk = await new BulkServer({
      itemFault: (item) => (refuse.has(item.id) ? 400 : undefined),
    }).start();
    splitter = createSplitter(
      {
        AWS_REGION: MOTO_REGION,
        DESTINATION_URL: bulk.url,
        RAW_LOGS_BUCKET: RAW,
        RAW_LOGS_PREFIX: 'firehose/',
        ARCHIVE_BUCKET: ARCHIVE,
        ARCHIVE_PREFIX: 'archive',
        BATCH_MAX_DOCS: '500',
      },
      { s3, deadLetters: new S3DeadLetterSink(DEAD, 'dead-letter/splitter/', async () => s3) },
    );
  });
  afterAll(async () => {
    await bulk.stop();
  });
  beforeEach(() => {
    bulk.documents.clear();
    refuse = new Set();
  });

  it('streams a large object from moto into every document and archives each event once', async () => {
    // Incompressible messages: ~9 MB of gzip members, read in many chunks.
    const records = Array.from({ length: 60 }, (_, r) =>
      record(
        r * 500,
        Array.from({ length: 500 }, () => randomBytes(300).toString('base64')),
        { logGroup: r % 2 ? '/aws/lambda/orders' : '/ecs/payments' },
      ),
    );
    const object = multiMember(records);
    expect(object.length).toBeGreaterThan(8 * 1024 * 1024);
    await s3.send(new PutObjectCommand({ Bucket: RAW, Key: 'firehose/large', Body: object }));
    const [outcome] = await splitS3Event(splitter, eventFor(RAW, 'firehose/large'), context, quiet);
    expect(outcome).toMatchObject({ status: 'split', stats: { records: 60, documents: 30_000 } });
    const want = records.flatMap((r) => [...documentsFromLogsData(r, options, () => undefined)]);
    expect(bulk.documents.size).toBe(30_000);
    for (const doc of want) expect(bulk.documents.get(doc._id)?.source).toEqual(doc._source);

    const archived = [];
    for (const key of await keys(ARCHIVE, 'archive/')) {
      archived.push(
        ...gunzipSync(await body(ARCHIVE, key))
          .toString('utf8')
          .trimEnd()
          .split('\n'),
      );
    }
    expect(archived).toHaveLength(30_000);
    expect(new Set(archived.map((line) => (JSON.parse(line) as { id: string }).id))).toEqual(
      new Set(want.map((d) => d._id)),
    );
  });

  it('skips an object that no longer exists (moto answers NoSuchKey as S3 does)', async () => {
    const [outcome] = await splitS3Event(
      splitter,
      eventFor(RAW, 'firehose/deleted meanwhile'),
      context,
      quiet,
    );
    expect(outcome).toMatchObject({ status: 'skipped', reason: 'object no longer exists' });
  });

  it('writes refused documents to the dead-letter bucket, readable with their reason', async () => {
    const data = record(100_000, ['kept', 'refused one', 'refused two']);
    const [, ...refused] = [...documentsFromLogsData(data, options, () => undefined)];
    refuse = new Set(refused.map((d) => d._id));
    await s3.send(new PutObjectCommand({ Bucket: RAW, Key: 'firehose/refusals', Body: multiMember([data]) }));
    const [outcome] = await splitS3Event(splitter, eventFor(RAW, 'firehose/refusals'), context, quiet);
    expect(outcome).toMatchObject({ status: 'split' });
    const [key, ...others] = await keys(DEAD, 'dead-letter/splitter/');
    expect(others).toEqual([]);
    expect(key).toMatch(/^dead-letter\/splitter\/dt=\d{4}-\d\d-\d\d\/[0-9a-f]{32}\.ndjson\.gz$/);
    const letters = gunzipSync(await body(DEAD, key!))
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { reason: string; document: { _id: string } });
    expect(letters.map((l) => l.document._id).sort()).toEqual([...refuse].sort());
    for (const letter of letters) expect(letter.reason).toEqual(expect.stringContaining('400'));
  });

  it('splits what a moto Firehose stream wrote from subscription-shaped (gzip) records', async () => {
    const firehose = new FirehoseClient(moto.clientConfig);
    await firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: 'logpipe-moto-raw-logs',
        DeliveryStreamType: 'DirectPut',
        ExtendedS3DestinationConfiguration: {
          BucketARN: `arn:aws:s3:::${RAW}`,
          RoleARN: `arn:aws:iam::${MOTO_ACCOUNT}:role/firehose`,
          Prefix: 'firehose/',
          CompressionFormat: 'UNCOMPRESSED',
          BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 60 },
        },
      }),
    );
    // CloudWatch Logs sends each subscription record gzipped; two batches, a control message too.
    const records = Array.from({ length: 6 }, (_, r) =>
      record(
        200_000 + r * 10,
        Array.from({ length: 10 }, (_, i) => `{"level":"info","n":${r * 10 + i}}`),
      ),
    );
    const control = controlMessage('Firehose');
    const gz = (value: unknown) => ({ Data: gzipSync(JSON.stringify(value)) });
    for (const batch of [[control, ...records.slice(0, 3)], records.slice(3)]) {
      const out = await firehose.send(
        new PutRecordBatchCommand({ DeliveryStreamName: 'logpipe-moto-raw-logs', Records: batch.map(gz) }),
      );
      expect(out.FailedPutCount).toBe(0);
    }
    const written = (await keys(RAW, 'firehose/')).filter((k) =>
      /^firehose\/\d{4}\/\d\d\/\d\d\/\d\d\//.test(k),
    );
    // moto writes one object per PutRecordBatch, at once; Firehose buffers by size and time.
    expect(written).toHaveLength(2);
    for (const key of written)
      expect(key).toMatch(/\/logpipe-moto-raw-logs-1-\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d-[0-9a-f-]{36}$/);

    let documents = 0;
    let controls = 0;
    for (const key of written) {
      const [outcome] = await splitS3Event(splitter, eventFor(RAW, key), context, quiet);
      if (outcome?.status !== 'split') throw new Error(`not split: ${JSON.stringify(outcome)}`);
      documents += outcome.stats.documents;
      controls += outcome.stats.control_messages;
    }
    expect([documents, controls]).toEqual([60, 1]);
    for (const r of records)
      for (const doc of documentsFromLogsData(r, options, () => undefined))
        expect(bulk.documents.get(doc._id)?.source).toEqual(doc._source);
  });
});
