import {
  CloudWatchLogsClient,
  CreateExportTaskCommand,
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
import { sdkLogsApi, sdkObjectStore } from '../../libs/exporter/aws';
import { loadExporterConfig } from '../../libs/exporter/config';
import type { RunSummary } from '../../libs/exporter/context';
import { CheckpointConflictError } from '../../libs/exporter/errors';
import { settlesAt } from '../../libs/exporter/planning';
import { runExporter } from '../../libs/exporter/run';
import { EXPORTABLE_DELAY_MS } from '../../libs/exporter/time';
import { Logger } from '../../libs/runtime/logger';
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
  const runTimes: number[] = []; // runTimes[i] is the clock of summaries[i]
  const ingestedAt = new Map<string, number>(); // stream -> lastIngestionTime (moto's real clock)
  const deletedAt = new Map<string, number>(); // stream -> clock of the run that deleted it
  const start = Date.now();

  const streamsOf = async (group: string) =>
    (await logsClient.send(new DescribeLogStreamsCommand({ logGroupName: group }))).logStreams ?? [];

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
    for (const group of GROUPS) {
      for (const s of await streamsOf(group)) ingestedAt.set(s.logStreamName!, s.lastIngestionTime!);
    }
    // A run every 2 hours for 18 days of our clock: the backlog, lag and margins pass, pruning
    // and the follow-up exports of the streams that were late for their first export follow.
    for (let now = start; now <= start + 18 * DAY; now += 2 * HOUR) {
      summaries.push(await run(now));
      runTimes.push(now);
      const left = new Set<string>();
      for (const group of GROUPS) for (const s of await streamsOf(group)) left.add(s.logStreamName!);
      for (const stream of ingestedAt.keys()) {
        if (!left.has(stream) && !deletedAt.has(stream)) deletedAt.set(stream, now);
      }
    }
  }, 300_000);

  /** Every task the exporter started, with its clock and whether it was a follow-up. */
  const startedTasks = () =>
    summaries.flatMap((s, i) =>
      s.started
        ? [{ ...s.started, requestedAt: runTimes[i]!, followUp: 'logStreamNamePrefix' in s.started }]
        : [],
    );
  const followUpIds = () =>
    new Set(
      startedTasks()
        .filter((t) => t.followUp)
        .map((t) => t.taskId),
    );

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

  it('exported every event once in its window’s task, and again only in follow-ups that match it', async () => {
    const lines = await exportedLines();
    const tasks = (await logsClient.send(new DescribeExportTasksCommand({}))).exportTasks ?? [];
    const followUps = new Map(
      startedTasks()
        .filter((t) => t.followUp)
        .map((t) => [t.taskId, t]),
    );
    for (const event of put) {
      const found = lines.get(event.message) ?? [];
      const taskOf = (key: string) => tasks.find((t) => key.includes(`/${t.taskId}/`));
      const inWindows = found.filter(({ key }) => !followUps.has(taskOf(key)?.taskId));
      expect([event.message, inWindows.length]).toEqual([event.message, 1]);
      for (const { key, time } of found) {
        // <prefix>/<group>/dt=<day>/<taskId>/<stream>/000000.gz of a task covering the event
        const task = taskOf(key);
        expect(task).toMatchObject({ logGroupName: event.group, status: { code: 'COMPLETED' } });
        expect(key).toContain(`/${task!.taskId}/${event.stream.replace(/\//g, '-')}/`);
        expect(event.timestamp).toBeGreaterThanOrEqual(task!.from!);
        expect(event.timestamp).toBeLessThanOrEqual(task!.to!);
        // moto writes whole seconds (".000Z"); AWS writes the milliseconds.
        expect(Date.parse(time)).toBe(Math.floor(event.timestamp / 1000) * 1000);
        // A follow-up repeats only the streams its prefix matches (docs/exporter.md, late events).
        const followUp = followUps.get(task!.taskId!);
        if (followUp) expect(event.stream.startsWith(followUp.logStreamNamePrefix!)).toBe(true);
      }
      // Read the duplicate-free way (max over task directories), the event is there once.
      const perTask = new Map<string, number>();
      for (const { key } of found)
        perTask.set(taskOf(key)!.taskId!, (perTask.get(taskOf(key)!.taskId!) ?? 0) + 1);
      expect(Math.max(...perTask.values())).toBe(1);
    }
  });

  it('never exported a window twice: each group’s window tasks tile time from its origin', async () => {
    const tasks = (await logsClient.send(new DescribeExportTasksCommand({}))).exportTasks ?? [];
    const followUps = followUpIds();
    for (const group of GROUPS) {
      const windows = tasks
        .filter((t) => t.logGroupName === group && !followUps.has(t.taskId!))
        .sort((a, b) => a.from! - b.from!);
      expect(windows.length).toBeGreaterThan(1);
      for (let i = 1; i < windows.length; i++) expect(windows[i]!.from).toBe(windows[i - 1]!.to! + 1);
      expect(windows[0]!.from!).toBeLessThanOrEqual(start - DAYS_OF_BACKLOG * DAY);
      expect(windows.at(-1)!.to!).toBeGreaterThan(start);
    }
  });

  it('exported the streams late for their window again, once that window could receive no more', () => {
    const started = startedTasks();
    for (const group of GROUPS) {
      const windows = started.filter((t) => t.logGroupName === group && !t.followUp);
      const followUps = started.filter((t) => t.logGroupName === group && t.followUp);
      // The backlog was ingested just before the first run: windows requested within 12 h of
      // that may have missed it (on AWS), so each group gets follow-ups.
      expect(followUps.length).toBeGreaterThan(0);
      for (const followUp of followUps) {
        // A follow-up repeats whole windows, after the last of them settled.
        const first = windows.find((w) => w.from === followUp.from);
        const last = windows.find((w) => w.to === followUp.to);
        expect([first, last].every(Boolean)).toBe(true);
        expect(followUp.requestedAt).toBeGreaterThanOrEqual(settlesAt(last!));
      }
      // moto completes a task at once: each is verified by the next run (none after the last).
      const verified = summaries.flatMap((s) => s.followUpsExported).filter((f) => f.logGroupName === group);
      const beforeLastRun = followUps.filter((f) => f.requestedAt < runTimes.at(-1)!);
      expect(verified.map((f) => f.taskId).sort()).toEqual(beforeLastRun.map((f) => f.taskId).sort());
    }
  });

  it('pruned only exported streams, and retention never reaches an unexported event', async () => {
    const lines = await exportedLines();
    const left = put.filter((e) => deletedAt.has(e.stream));
    expect(left.length).toBeGreaterThan(0);
    for (const event of left)
      expect([event.message, lines.has(event.message)]).toEqual([event.message, true]);

    // The backlog was ingested just before the first run. A stream with events in a window
    // requested less than 12 h after that ingestion (AWS may not have had them exportable yet)
    // is deleted only after a verified follow-up of that window matched it.
    const started = startedTasks();
    const followUpsVerified = summaries.flatMap((s, i) =>
      s.followUpsExported.map((f) => ({ ...f, verifiedAt: runTimes[i]! })),
    );
    let lateStreams = 0;
    for (const [stream, deleted] of deletedAt) {
      const events = put.filter((e) => e.stream === stream);
      const [first, last] = [events[0]!.timestamp, events.at(-1)!.timestamp];
      const lateFor = started.filter(
        (w) =>
          !w.followUp &&
          w.logGroupName === events[0]!.group &&
          w.from <= last &&
          w.to >= first &&
          w.requestedAt < ingestedAt.get(stream)! + EXPORTABLE_DELAY_MS,
      );
      if (lateFor.length > 0) lateStreams++;
      for (const window of lateFor) {
        const covered = followUpsVerified.some(
          (f) =>
            f.logGroupName === window.logGroupName &&
            f.from <= window.from &&
            f.to >= window.to &&
            stream.startsWith(f.logStreamNamePrefix!) &&
            f.verifiedAt <= deleted,
        );
        expect([stream, window.from, covered]).toEqual([stream, window.from, true]);
      }
    }
    expect(lateStreams).toBeGreaterThan(0);

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

  it('moto as corrected by tools/peers/moto_server.py writes where AWS writes, only streams the prefix matches', async () => {
    // docs/exporter.md ("moto"): keys as AWS lays them out, in a versioned bucket too, and
    // logStreamNamePrefix honoured. Under a prefix of its own, so the audits above never see it.
    const group = '/app/launcher-check';
    await logsClient.send(new CreateLogGroupCommand({ logGroupName: group }));
    for (const stream of ['web/1', 'web/2', 'worker/1']) {
      await logsClient.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
      await logsClient.send(
        new PutLogEventsCommand({
          logGroupName: group,
          logStreamName: stream,
          logEvents: [{ timestamp: start - HOUR, message: `from ${stream}` }],
        }),
      );
    }
    const listed = async (prefix: string) =>
      (await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents?.map(
        (o) => o.Key,
      );
    const exportTo = async (logGroupName: string, prefix: string, logStreamNamePrefix?: string) =>
      (
        await logsClient.send(
          new CreateExportTaskCommand({
            logGroupName,
            from: start - DAY,
            to: start,
            destination: BUCKET,
            destinationPrefix: prefix,
            logStreamNamePrefix,
          }),
        )
      ).taskId!;

    const taskId = await exportTo(group, 'launcher-check/web', 'web/');
    expect((await listed('launcher-check/web/'))!.sort()).toEqual(
      [
        'launcher-check/web/aws-logs-write-test',
        `launcher-check/web/${taskId}/web-1/000000.gz`,
        `launcher-check/web/${taskId}/web-2/000000.gz`,
      ].sort(),
    );
    // A group without streams: only the write test, under each export's own prefix, every time
    // (the bucket is versioned: a moved key keeps its name behind a delete marker).
    await logsClient.send(new CreateLogGroupCommand({ logGroupName: `${group}-empty` }));
    for (const prefix of ['launcher-check/empty-1', 'launcher-check/empty-2']) {
      await exportTo(`${group}-empty`, prefix);
      expect(await listed(`${prefix}/`)).toEqual([`${prefix}/aws-logs-write-test`]);
    }
    expect(await listed('aws-logs-write-test')).toBeUndefined();
  });
});
