import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeExportTasksCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { sdkLogsApi, sdkObjectStore } from '../../libs/export/aws';
import { loadExporterConfig } from '../../libs/export/config';
import type { RunSummary } from '../../libs/export/context';
import { CheckpointConflictError } from '../../libs/export/errors';
import { runExporter } from '../../libs/export/run';
import { Logger } from '../../libs/logging/logger';
import { MOTO_REGION, useMoto } from '../support/moto';

/**
 * The exporter's public entry point (runExporter with the SDK adapters) against moto's
 * CloudWatch Logs and S3: a backlog of two weeks, run after run on a clock we move forward,
 * then an audit of what moto's export wrote. moto answers with its own export, conditional
 * writes, stream deletion and retention; docs/exporter.md ("moto") lists where it differs.
 */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const BUCKET = 'logpipe-moto-log-exports';
const GROUPS = ['/app/orders', '/aws/lambda/payments'];
const DAYS_OF_BACKLOG = 13; // PutLogEvents (moto too) refuses events older than 14 days

interface PutEvent {
  group: string;
  stream: string;
  timestamp: number;
  message: string;
}

describe('exporter against moto', () => {
  const moto = useMoto();
  const logsClient = new CloudWatchLogsClient(moto.clientConfig);
  const s3 = new S3Client(moto.clientConfig);
  const config = loadExporterConfig({
    AWS_REGION: MOTO_REGION,
    EXPORT_BUCKET: BUCKET,
    EXPORT_LOG_GROUP_NAMES: GROUPS.join(','),
    EXPORT_PRUNE_MODE: 'both',
    EXPORT_DRY_RUN: 'false',
    EXPORT_LAG_HOURS: '24',
    EXPORT_MAX_WINDOW_HOURS: '72',
    EXPORT_RETENTION_DAYS: '3',
  });
  const log = new Logger({}, 'warn', { write: () => true });
  const put: PutEvent[] = [];
  const summaries: RunSummary[] = [];
  const start = Date.now();

  const run = async (now: number) =>
    runExporter(config, {
      logs: await sdkLogsApi(logsClient),
      objects: await sdkObjectStore(s3, BUCKET),
      clock: () => now,
      log,
      emitMetric: () => undefined,
    });

  beforeAll(async () => {
    await s3.send(
      new CreateBucketCommand({
        Bucket: BUCKET,
        CreateBucketConfiguration: { LocationConstraint: MOTO_REGION },
      }),
    );
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    for (const group of GROUPS) {
      await logsClient.send(new CreateLogGroupCommand({ logGroupName: group }));
      // One stream a day, like a Lambda's; events a few minutes apart within the day.
      for (let day = DAYS_OF_BACKLOG; day >= 1; day--) {
        const dayStart = start - day * DAY;
        const stream = `${new Date(dayStart).toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${randomBytes(8).toString('hex')}`;
        await logsClient.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
        const events = Array.from({ length: 12 }, (_, i) => ({
          timestamp: dayStart + i * 97 * 60_000 + 123,
          message: `{"level":"info","group":"${group}","day":${day},"n":${i},"id":"${randomBytes(6).toString('hex')}"}`,
        }));
        const out = await logsClient.send(
          new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: events }),
        );
        expect(out.rejectedLogEventsInfo).toBeUndefined();
        for (const event of events) put.push({ group, stream, ...event });
      }
    }
    // A run every 2 hours for 18 days of our clock: the backlog, lag and margins pass, pruning follows.
    for (let now = start; now <= start + 18 * DAY; now += 2 * HOUR) summaries.push(await run(now));
  }, 300_000);

  let exported: Promise<Map<string, { key: string; time: string }[]>> | undefined;
  const exportedLines = () => (exported ??= readExports());

  /** Every line of every object moto's export tasks wrote, by message. */
  async function readExports(): Promise<Map<string, { key: string; time: string }[]>> {
    const lines = new Map<string, { key: string; time: string }[]>();
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: BUCKET,
          Prefix: `${config.exportPrefix}/`,
          ContinuationToken: token,
        }),
      );
      for (const { Key } of page.Contents ?? []) {
        if (!Key!.endsWith('.gz')) continue;
        const body = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key }));
        const text = gunzipSync(await body.Body!.transformToByteArray()).toString('utf8');
        for (const line of text.split('\n').filter((l) => l !== '')) {
          const space = line.indexOf(' ');
          const message = line.slice(space + 1);
          lines.set(message, [...(lines.get(message) ?? []), { key: Key!, time: line.slice(0, space) }]);
        }
      }
      token = page.NextContinuationToken;
    } while (token);
    return lines;
  }

  it('runs without errors, failed exports or conflicts', () => {
    expect(summaries.flatMap((s) => s.errors)).toEqual([]);
    expect(summaries.flatMap((s) => s.failures)).toEqual([]);
    expect(summaries.filter((s) => s.fatal)).toEqual([]);
    expect(summaries.reduce((n, s) => n + s.conflicts, 0)).toBe(0);
    expect(summaries.reduce((n, s) => n + s.windowsExported.length, 0)).toBeGreaterThan(2 * GROUPS.length);
  });

  it('exported every event exactly once, in an object of its own export task, with its time', async () => {
    const lines = await exportedLines();
    const tasks = (await logsClient.send(new DescribeExportTasksCommand({}))).exportTasks ?? [];
    for (const event of put) {
      const found = lines.get(event.message) ?? [];
      expect([event.message, found.length]).toEqual([event.message, 1]);
      const [{ key, time }] = found as [{ key: string; time: string }];
      // <prefix>/<group>/dt=<day>/<taskId>/<stream>/000000.gz of a task covering the event
      const task = tasks.find((t) => key.includes(`/${t.taskId}/`));
      expect(task).toMatchObject({ logGroupName: event.group, status: { code: 'COMPLETED' } });
      expect(event.timestamp).toBeGreaterThanOrEqual(task!.from!);
      expect(event.timestamp).toBeLessThanOrEqual(task!.to!);
      // moto writes whole seconds (".000Z"); AWS writes the milliseconds.
      expect(Date.parse(time)).toBe(Math.floor(event.timestamp / 1000) * 1000);
    }
  });

  it('never exported a window twice: each group’s tasks tile time from its origin', async () => {
    const tasks = (await logsClient.send(new DescribeExportTasksCommand({}))).exportTasks ?? [];
    for (const group of GROUPS) {
      const windows = tasks.filter((t) => t.logGroupName === group).sort((a, b) => a.from! - b.from!);
      expect(windows.length).toBeGreaterThan(1);
      for (let i = 1; i < windows.length; i++) expect(windows[i]!.from).toBe(windows[i - 1]!.to! + 1);
      expect(windows[0]!.from!).toBeLessThanOrEqual(start - DAYS_OF_BACKLOG * DAY);
      expect(windows.at(-1)!.to!).toBeGreaterThan(start);
    }
  });

  it('pruned only exported streams, and retention never reaches an unexported event', async () => {
    const lines = await exportedLines();
    const left: PutEvent[] = [];
    for (const group of GROUPS) {
      const streams =
        (await logsClient.send(new DescribeLogStreamsCommand({ logGroupName: group }))).logStreams ?? [];
      const kept = new Set(streams.map((s) => s.logStreamName));
      left.push(...put.filter((e) => e.group === group && !kept.has(e.stream)));
    }
    // The backlog was ingested just before the first run. A stream whose first window was
    // requested less than 12 h after that ingestion stays (AWS may not have had its events
    // exportable yet); the streams of later windows go.
    expect(left.length).toBeGreaterThan(0);
    expect(left.length).toBeLessThan(put.length);
    for (const event of left)
      expect([event.message, lines.has(event.message)]).toEqual([event.message, true]);

    // moto stores the retention but never expires events; AWS would expire everything older
    // than it by the last run, so that must all be exported already.
    const end = start + 18 * DAY;
    const groups = (await logsClient.send(new DescribeLogGroupsCommand({}))).logGroups ?? [];
    for (const group of groups.filter((g) => GROUPS.includes(g.logGroupName!))) {
      expect(group.retentionInDays).toEqual(expect.any(Number));
      const expired = put.filter(
        (e) => e.group === group.logGroupName && e.timestamp < end - group.retentionInDays! * DAY,
      );
      for (const event of expired) expect(lines.has(event.message)).toBe(true);
    }
  });

  it('keeps its checkpoints in S3 under compare-and-swap: a stale or second write is refused', async () => {
    const objects = await sdkObjectStore(s3, BUCKET);
    const key = `${config.statePrefix}/${encodeURIComponent(GROUPS[0]!)}.json`;
    const current = await objects.get(key);
    expect(JSON.parse(current!.body)).toMatchObject({ checkpoint: expect.any(Number) });
    expect(JSON.parse(current!.body).checkpoint).toBeGreaterThan(start);
    await expect(objects.put(key, current!.body, { ifNoneMatch: '*' })).rejects.toBeInstanceOf(
      CheckpointConflictError,
    );
    const next = await objects.put(key, `${current!.body} `, { ifMatch: current!.etag });
    await expect(objects.put(key, `${current!.body}  `, { ifMatch: current!.etag })).rejects.toBeInstanceOf(
      CheckpointConflictError,
    );
    expect((await objects.get(key))!.etag).toBe(next.etag);
  });

  it('lets one of two overlapping runs act; the other stops on the conditional write', async () => {
    await logsClient.send(new CreateLogGroupCommand({ logGroupName: '/app/late-comer' }));
    const both = loadExporterConfig({
      AWS_REGION: MOTO_REGION,
      EXPORT_BUCKET: BUCKET,
      EXPORT_LOG_GROUP_NAMES: '/app/late-comer',
      EXPORT_DRY_RUN: 'false',
    });
    const deps = async (now: number) => ({
      logs: await sdkLogsApi(logsClient),
      objects: await sdkObjectStore(s3, BUCKET),
      clock: () => now,
      log,
      emitMetric: () => undefined,
    });
    const now = start + 20 * DAY;
    await runExporter(both, await deps(now)); // creates the checkpoint and starts its first window
    const before = ((await logsClient.send(new DescribeExportTasksCommand({}))).exportTasks ?? []).length;
    const [a, b] = await Promise.all([
      runExporter(both, await deps(now + HOUR)),
      runExporter(both, await deps(now + HOUR)),
    ]);
    const tasks = ((await logsClient.send(new DescribeExportTasksCommand({}))).exportTasks ?? []).length;
    expect(a.conflicts + b.conflicts).toBeGreaterThanOrEqual(1);
    expect(tasks - before).toBeLessThanOrEqual(1);
    expect([a, b].filter((s) => s.started)).toHaveLength(tasks - before);
  });
});
