import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { gunzipSync, gzipSync } from 'node:zlib';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../libs/runtime/errors';
import { parseGroupSelector, partitionDays, firehoseDays } from '../../tools/rehydrate/layout';
import { exportEventId, OccurrenceCounter } from '../../tools/rehydrate/readers';
import { parseRehydrateArgs, runRehydrate, type RehydrateRunDeps } from '../../tools/rehydrate/run';
import { archiveKey, archiveLine } from '../../libs/splitter/archive';
import { BulkServer } from '../support/bulk-server';
import { quiet } from '../support/logging';
import { useMoto } from '../support/moto';
import { eventId, logsData } from '../support/subscription';

/**
 * The parts of a rehydration the end-to-end test (test/moto/rehydrate.integration.test.ts) does not reach:
 * raw Firehose objects (groups mixed, arrival hours), prefix selectors, refused documents
 * dead-lettered, a destination that is down, and the arguments. moto's S3 (s3rver ignores
 * the Delimiter of a listing) and a loopback _bulk.
 */
const RAW = 'rh-raw';
const ARCHIVE = 'rh-archive';
const DEAD = 'rh-dead';
const OWNER = '123456789012';
const at = (iso: string) => Date.parse(iso);

describe('rehydrate (moto’s S3, loopback _bulk)', () => {
  const moto = useMoto();
  const client = new S3Client(moto.clientConfig);
  const s3 = {
    client,
    put: (bucket: string, key: string, body: Buffer) =>
      client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body })),
    get: async (bucket: string, key: string) =>
      Buffer.from(
        await (
          await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
        ).Body!.transformToByteArray(),
      ),
    keys: async (bucket: string, prefix: string) =>
      ((await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []).map(
        (item) => item.Key!,
      ),
  };
  let bulk: BulkServer;
  let dir: string;
  const printed: string[] = [];
  const run = (args: string[], env: Record<string, string> = {}, extra: Partial<RehydrateRunDeps> = {}) =>
    runRehydrate([...args, '--checkpoint', join(dir, `${Math.random()}.txt`)], {
      env: {
        DESTINATION_URL: bulk.url,
        INDEX_PREFIX: 'cwl',
        AWS_REGION: 'ap-northeast-2',
        RETRY_BASE_DELAY_MS: '1',
        RETRY_MAX_ATTEMPTS: '2',
        ...env,
      },
      readFunctionConfig: () => Promise.reject(new Error('not called')),
      s3: () => s3.client,
      print: (text) => printed.push(text),
      log: quiet,
      ...extra,
    });

  beforeAll(async () => {
    for (const bucket of [RAW, ARCHIVE, DEAD])
      await client.send(
        new CreateBucketCommand({
          Bucket: bucket,
          CreateBucketConfiguration: { LocationConstraint: 'ap-northeast-2' },
        }),
      );
    dir = mkdtempSync(join(tmpdir(), 'rehydrate-unit-'));
    // Firehose objects by arrival hour, each mixing two groups; CloudWatch gzips each record.
    const record = (logGroup: string, first: number, times: string[]) =>
      gzipSync(
        JSON.stringify(
          logsData(
            times.map((time, i) => ({
              id: eventId(first + i),
              timestamp: at(time),
              message: `${logGroup} ${time}`,
            })),
            { logGroup, owner: OWNER, logStream: 's' },
          ),
        ),
      );
    const objects: Record<string, Buffer> = {
      'firehose/2026/03/01/23/a': Buffer.concat([
        record('/aws/lambda/orders', 1, ['2026-03-01T23:50:00Z']),
        record('/ecs/web', 2, ['2026-03-01T23:51:00Z']),
      ]),
      'firehose/2026/03/02/10/b': Buffer.concat([
        record('/aws/lambda/orders', 10, ['2026-03-02T10:00:00Z', '2026-03-02T10:01:00Z']),
        record('/ecs/web', 20, ['2026-03-02T10:00:00Z']),
      ]),
      // Arrived after the day, within --late-hours: read, its late event of the day kept.
      'firehose/2026/03/03/01/c': record('/aws/lambda/orders', 30, [
        '2026-03-02T23:59:00Z',
        '2026-03-03T00:30:00Z',
      ]),
      // Beyond --late-hours: not listed.
      'firehose/2026/03/03/05/d': record('/aws/lambda/orders', 40, ['2026-03-02T23:58:00Z']),
    };
    for (const [key, body] of Object.entries(objects)) await s3.put(RAW, key, body);
    const archived = (logGroup: string, n: number) =>
      archiveLine(
        { owner: OWNER, logGroup, logStream: 's' },
        { id: eventId(n, 77), timestamp: at('2026-03-02T12:00:00Z') + n, message: `${logGroup} ${n}` },
      );
    for (const [group, n] of [
      ['/aws/lambda/orders', 1],
      ['/aws/lambda/orders-v2', 2],
      ['/aws/lambda/payments', 3],
      ['/ecs/web', 4],
    ] as const)
      await s3.put(ARCHIVE, archiveKey('archive', group, '2026-03-02', 'src'), gzipSync(archived(group, n)));
  });
  afterAll(() => {
    client.destroy();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    printed.length = 0;
    bulk = new BulkServer();
    await bulk.start();
  });
  afterEach(() => bulk.stop());

  const day = ['--from', '2026-03-02', '--to', '2026-03-03'];

  it('raw Firehose objects: the selected group’s events of the range, by arrival hour up to --late-hours after', async () => {
    const drawn: string[] = [];
    const terminal = { isTTY: true, write: (text: string) => drawn.push(text) };
    expect(
      await run(
        ['--source', `s3://${RAW}/firehose`, '--log-group', '/aws/lambda/orders', ...day],
        {},
        { progress: terminal },
      ),
    ).toBe(0);
    // On a terminal, the progress line ends the run drawn whole: objects, events, bytes, rates, ETA.
    expect(drawn.join('')).toMatch(
      /\[#{20}\] objects 2\/2 {2}events 3 {2}[\d.]+ KiB\/[\d.]+ KiB {2}[\d.]+ MiB\/s {2}\d+ ev\/s {2}ETA /,
    );
    expect([...bulk.documents.keys()].sort()).toEqual([eventId(10), eventId(11), eventId(30)].sort());
    expect(bulk.documents.get(eventId(30))!.index).toBe('cwl-2026.03.02');
    expect(printed.join('\n')).toMatch(/^firehose s3:\/\/rh-raw\/firehose/);
    expect(printed.join('\n')).toMatch(/2 of 2 objects rehydrated/);
  });

  it('a prefix selector takes every group under it; a name takes only that group', async () => {
    const source = ['--source', `s3://${ARCHIVE}/archive`, ...day];
    expect(await run([...source, '--log-group', '/aws/lambda/*'])).toBe(0);
    const messages = () => [...bulk.documents.values()].map((doc) => doc.source.message).sort();
    expect(messages()).toEqual(['/aws/lambda/orders 1', '/aws/lambda/orders-v2 2', '/aws/lambda/payments 3']);
    bulk.documents.clear();
    expect(await run([...source, '--log-group', '/aws/lambda/orders', '--index-prefix', 'old-logs'])).toBe(0);
    expect(messages()).toEqual(['/aws/lambda/orders 1']);
    expect([...bulk.documents.values()][0]!.index).toBe('old-logs-2026.03.02');
  });

  it('--stage takes the deployed forwarder’s settings: its destination and index prefix', async () => {
    const asked: string[] = [];
    const code = await runRehydrate(
      [
        '--source',
        `s3://${ARCHIVE}/archive`,
        '--log-group',
        '/ecs/web',
        ...day,
        '--stage',
        'prod',
        '--checkpoint',
        join(dir, 'stage.txt'),
      ],
      {
        env: { DESTINATION_URL: 'http://127.0.0.1:9/not-this-one' },
        readFunctionConfig: async (name, region) => {
          asked.push(`${name} ${region}`);
          return {
            Environment: { Variables: { DESTINATION_URL: bulk.url, INDEX_PREFIX: 'staged' } },
          } as never;
        },
        s3: () => s3.client,
        print: (text) => printed.push(text),
        log: quiet,
      },
    );
    expect(code).toBe(0);
    expect(asked).toEqual(['logpipe-prod-forwarder us-east-1']);
    expect([...bulk.documents.values()].map((doc) => [doc.index, doc.source.message])).toEqual([
      ['staged-2026.03.02', '/ecs/web 4'],
    ]);
  });

  it('what the destination refuses is dead-lettered where npm run replay finds it; the object is done', async () => {
    await bulk.stop();
    bulk = new BulkServer({ itemFault: (item) => (item.id === eventId(11) ? 400 : undefined) });
    await bulk.start();
    const checkpoint = join(dir, 'refused.txt');
    const args = ['--source', `s3://${RAW}/firehose`, '--log-group', '/aws/lambda/orders', ...day];
    expect(
      await runRehydrate([...args, '--checkpoint', checkpoint], {
        env: { DESTINATION_URL: bulk.url, DEAD_LETTER_BUCKET: DEAD, AWS_REGION: 'ap-northeast-2' },
        readFunctionConfig: () => Promise.reject(new Error('not called')),
        s3: () => s3.client,
        print: (text) => printed.push(text),
        log: quiet,
      }),
    ).toBe(0);
    const [key] = await s3.keys(DEAD, 'dead-letter/rehydrate/');
    expect(key).toBeDefined();
    const letter = JSON.parse(
      gunzipSync(await s3.get(DEAD, key!))
        .toString('utf8')
        .trim(),
    ) as {
      document: { _id: string };
    };
    expect(letter.document._id).toBe(eventId(11));
    expect(printed.join('\n')).toMatch(/2 documents indexed, 0 already there \(409\), 1 dead-lettered/);
    expect(readFileSync(checkpoint, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('a destination that is down: the run stops, nothing is marked done, exit code 1', async () => {
    await bulk.stop();
    bulk = new BulkServer({ requestFault: () => 503 });
    await bulk.start();
    const checkpoint = join(dir, 'down.txt');
    const code = await runRehydrate(
      [
        '--source',
        `s3://${RAW}/firehose`,
        '--log-group',
        '/aws/lambda/orders',
        ...day,
        '--checkpoint',
        checkpoint,
      ],
      {
        env: { DESTINATION_URL: bulk.url, RETRY_BASE_DELAY_MS: '1', RETRY_MAX_ATTEMPTS: '2' },
        readFunctionConfig: () => Promise.reject(new Error('not called')),
        s3: () => s3.client,
        print: (text) => printed.push(text),
        log: quiet,
      },
    );
    expect(code).toBe(1);
    expect(printed.join('\n')).toMatch(/stopped: s3:\/\/rh-raw\/firehose\/.*not delivered|stopped: .*503/);
    expect(() => readFileSync(checkpoint, 'utf8')).toThrow(/ENOENT/);
  });

  it('a dry run lists the objects and sends nothing', async () => {
    expect(
      await run([
        '--source',
        `s3://${RAW}/firehose`,
        '--log-group',
        '/aws/lambda/orders',
        ...day,
        '--dry-run',
      ]),
    ).toBe(0);
    expect(printed.join('\n')).toMatch(/firehose .* s3:\/\/rh-raw\/firehose\/2026\/03\/02\/10\/b/);
    expect(printed.join('\n')).toMatch(/dry run: 2 objects/);
    expect(bulk.requestsReceived).toBe(0);
  });
});

describe('rehydrate arguments and pieces', () => {
  it('refuses what it cannot do, naming the flag', () => {
    const base = ['--source', 's3://bucket/archive', '--log-group', '/a', '--from', '2026-03-02'];
    expect(() => parseRehydrateArgs([...base, '--to', '2026-03-01'])).toThrow(/--to: must be after --from/);
    expect(() => parseRehydrateArgs([...base, '--to', 'tomorrow'])).toThrow(ConfigError);
    expect(() => parseRehydrateArgs(['--source', 'bucket', '--log-group', '/a'])).toThrow(/--source/);
    expect(() => parseGroupSelector('/a*b')).toThrow(/--log-group/);
    expect(() => parseRehydrateArgs([...base, '--to', '2026-03-03', '--layout', 'csv'])).toThrow(/--layout/);
  });

  it('lists the export partitions up to 7 days before the range, the archive’s of the range only', () => {
    const range = { from: at('2026-03-02T00:00:00Z'), to: at('2026-03-03T00:00:00Z') };
    expect(partitionDays('archive', range, 7)).toEqual(['2026-03-02']);
    expect(partitionDays('exports', range, 7)).toEqual([
      '2026-02-23',
      '2026-02-24',
      '2026-02-25',
      '2026-02-26',
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
      '2026-03-02',
    ]);
    expect(firehoseDays(range, 2)).toEqual([
      { day: '2026-03-02', fromHour: 0, toHour: 23 },
      { day: '2026-03-03', fromHour: 0, toHour: 1 },
    ]);
  });

  it('numbers copies of a line per stream and task; the id depends on nothing else', () => {
    const counter = new OccurrenceCounter();
    expect([counter.next(1, 'a'), counter.next(1, 'a'), counter.next(1, 'b'), counter.next(2, 'a')]).toEqual([
      1, 2, 1, 1,
    ]);
    const id = exportEventId('/g', 's', 1, 'a', 1);
    expect(id).toMatch(/^x[0-9a-f]{32}$/);
    expect(exportEventId('/g', 's', 1, 'a', 1)).toBe(id);
    expect(new Set([id, exportEventId('/g', 's', 1, 'a', 2), exportEventId('/g', 't', 1, 'a', 1)]).size).toBe(
      3,
    );
  });
});
