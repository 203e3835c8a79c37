import { ALLOWED_RETENTION_DAYS, DAY_MS, HOUR_MS, MAX_EVENT_AGE_MS } from '../../../libs/exporter/time';
import {
  ACTIVE_STATUSES,
  type CreateExportTaskInput,
  type ExportStatus,
  type ExportTaskInfo,
  type LogGroupInfo,
  type LogsApi,
  type LogStreamInfo,
  type Page,
} from '../../../libs/exporter/types';
import {
  awsError,
  paginate,
  type DeletedEvent,
  type ModelEvent,
  type ModelGroup,
  type ModelStream,
  type ModelTask,
} from './logs-model-parts';
import type { ObjectStoreModel } from './object-store-model';

export { awsError, type DeletedEvent, type ModelEvent, type ModelTask } from './logs-model-parts';

export interface LogsModelOptions {
  bucket: string;
  s3: ObjectStoreModel;
  pageSize?: number;
  /** Random numbers in [0, 1): drives durations, failures and metadata staleness. */
  random: () => number;
  exportDurationMs?: (random: () => number) => number;
  taskFailureRate?: number;
  /** How far behind stream metadata may be; about an hour on the real service. */
  maxMetadataStalenessMs?: number;
}

/**
 * A stateful CloudWatch Logs: one export slot per account, task statuses that move with the
 * model's clock (so across runs, never within one), small pages with nextToken, events that
 * arrive late and become exportable up to 12 h after ingestion, stream metadata that lags,
 * retention that expires events, and every deleted event remembered for the property checks.
 */
export class LogsModel implements LogsApi {
  now = 0;
  readonly groups = new Map<string, ModelGroup>();
  readonly tasks: ModelTask[] = [];
  readonly deleted: DeletedEvent[] = [];
  bucketPolicyOk = true;
  throttleNext = 0;
  taskFailureRate: number;
  calls = 0;
  private nextTaskId = 1;
  private readonly pageSize: number;
  /** Bumped by every change to streams or events; stream listings are cached until then. */
  private version = 0;
  private readonly listings = new Map<string, { version: number; streams: LogStreamInfo[] }>();
  /** Per stream, what retention, export tasks and metadata read instead of every event each time. */
  private readonly spans = new WeakMap<ModelStream, StreamSpan>();

  constructor(private readonly options: LogsModelOptions) {
    this.pageSize = options.pageSize ?? 3;
    this.taskFailureRate = options.taskFailureRate ?? 0;
  }

  // --- simulation controls ---------------------------------------------------------------

  advanceTo(now: number): void {
    this.now = now;
    this.version++;
    for (const task of this.tasks) this.settle(task);
    for (const group of this.groups.values()) {
      if (group.retentionInDays === undefined) continue;
      const expiry = now - group.retentionInDays * DAY_MS;
      for (const stream of group.streams.values()) {
        const span = this.spanOf(stream);
        if (span.min.length === 0 || span.min.at(-1)! >= expiry) continue;
        const keep = stream.events.filter((e) => e.timestamp >= expiry);
        for (const event of stream.events) {
          if (event.timestamp < expiry)
            this.deleted.push({ logGroupName: group.name, event, how: 'retention' });
        }
        stream.events = keep;
      }
    }
  }

  createLogGroup(name: string): void {
    this.groups.set(name, { name, creationTime: this.now, streams: new Map() });
    this.version++;
  }

  deleteLogGroup(name: string): void {
    const group = this.groups.get(name);
    if (!group) return;
    for (const stream of group.streams.values()) {
      for (const event of stream.events)
        this.deleted.push({ logGroupName: name, event, how: 'group-deleted' });
    }
    this.groups.delete(name);
    this.version++;
  }

  /** PutLogEvents with the service's age rules; returns how many events were accepted. */
  putLogEvents(
    groupName: string,
    streamName: string,
    events: Array<{ id: string; timestamp: number }>,
  ): number {
    const group = this.groups.get(groupName);
    if (!group) throw awsError('ResourceNotFoundException', 'The specified log group does not exist.');
    let stream = group.streams.get(streamName);
    if (!stream) {
      stream = { name: streamName, creationTime: this.now, events: [] };
      group.streams.set(streamName, stream);
    }
    this.version++;
    const oldest = Math.max(
      this.now - MAX_EVENT_AGE_MS,
      group.retentionInDays === undefined ? -Infinity : this.now - group.retentionInDays * DAY_MS,
    );
    let accepted = 0;
    for (const event of events) {
      if (event.timestamp < oldest || event.timestamp > this.now + 2 * HOUR_MS) continue;
      const exportableAt = this.now + Math.floor(this.options.random() * 12 * HOUR_MS);
      stream.events.push({ ...event, ingestedAt: this.now, exportableAt });
      accepted++;
    }
    return accepted;
  }

  /** A task that is not ours (another tool, a person in the console) holding the slot. */
  startForeignTask(durationMs: number): void {
    this.tasks.push(this.newTask('someone-else', '/other/group', 0, 1, 'other-bucket', 'x', durationMs));
  }

  cancel(taskId: string): void {
    const task = this.tasks.find((t) => t.taskId === taskId);
    if (task && ACTIVE_STATUSES.includes(task.status)) task.status = 'CANCELLED';
  }

  // --- the API ----------------------------------------------------------------------------

  async describeLogGroups({ prefix, nextToken }: { prefix?: string; nextToken?: string }) {
    this.enter();
    const all = [...this.groups.values()]
      .filter((g) => prefix === undefined || g.name.startsWith(prefix))
      .sort((a, b) => byCodeUnits(a.name, b.name))
      .map((g): LogGroupInfo => ({
        name: g.name,
        creationTime: g.creationTime,
        retentionInDays: g.retentionInDays,
      }));
    return paginate(this.pageSize, all, (g) => g.name, nextToken);
  }

  async describeExportTasks({
    taskId,
    statusCode,
    nextToken,
  }: {
    taskId?: string;
    statusCode?: ExportStatus;
    nextToken?: string;
  }): Promise<Page<ExportTaskInfo>> {
    this.enter();
    const all = this.tasks
      .filter(
        (t) => (taskId === undefined || t.taskId === taskId) && (!statusCode || t.status === statusCode),
      )
      .map((t): ExportTaskInfo => ({
        taskId: t.taskId,
        taskName: t.taskName,
        logGroupName: t.logGroupName,
        from: t.from,
        to: t.to,
        destination: t.destination,
        destinationPrefix: t.destinationPrefix,
        status: t.status,
      }));
    return paginate(this.pageSize, all, (t) => t.taskId.padStart(12, '0'), nextToken);
  }

  async createExportTask(input: CreateExportTaskInput): Promise<{ taskId: string }> {
    this.enter();
    if (this.throttleNext > 0) {
      this.throttleNext--;
      throw awsError('ThrottlingException', 'Rate exceeded');
    }
    if (!this.groups.has(input.logGroupName)) {
      throw awsError('ResourceNotFoundException', 'The specified log group does not exist.');
    }
    if (input.logStreamNamePrefix === '') {
      throw awsError('InvalidParameterException', 'logStreamNamePrefix must have length at least 1');
    }
    if (input.from > input.to) throw awsError('InvalidParameterException', 'from must not be after to');
    if (this.tasks.some((t) => ACTIVE_STATUSES.includes(t.status))) {
      throw awsError('LimitExceededException', 'Resource limit exceeded.');
    }
    if (input.destination !== this.options.bucket) {
      throw awsError('InvalidParameterException', 'The specified bucket does not exist.');
    }
    if (!this.bucketPolicyOk) {
      throw awsError(
        'InvalidParameterException',
        'GetBucketAcl call on the given bucket failed. Please check if CloudWatch Logs has been granted permission to perform this operation.',
      );
    }
    const duration = (this.options.exportDurationMs ?? (() => 10 * 60_000))(this.options.random);
    const task = this.newTask(
      input.taskName,
      input.logGroupName,
      input.from,
      input.to,
      input.destination,
      input.destinationPrefix,
      duration,
    );
    if (input.logStreamNamePrefix !== undefined) task.logStreamNamePrefix = input.logStreamNamePrefix;
    // Adversarial: the task sees only what was exportable when it was created.
    const group = this.groups.get(input.logGroupName)!;
    for (const stream of group.streams.values()) {
      if (input.logStreamNamePrefix !== undefined && !stream.name.startsWith(input.logStreamNamePrefix))
        continue;
      // A stream with no event in the window adds nothing: skip it without reading its events.
      const span = this.spanOf(stream);
      if (span.min.length === 0 || span.max.at(-1)! < input.from || span.min.at(-1)! > input.to) continue;
      for (const event of stream.events) {
        if (event.timestamp >= input.from && event.timestamp <= input.to && event.exportableAt <= this.now) {
          task.snapshot.push({ stream: stream.name, event });
        }
      }
    }
    this.options.s3.write(`${input.destinationPrefix}/aws-logs-write-test`, 'Permission Check Successful');
    this.tasks.push(task);
    return { taskId: task.taskId };
  }

  async describeLogStreams({ logGroupName, nextToken }: { logGroupName: string; nextToken?: string }) {
    this.enter();
    const group = this.groups.get(logGroupName);
    if (!group) throw awsError('ResourceNotFoundException', 'The specified log group does not exist.');
    const key = (s: LogStreamInfo) => `${String(s.lastEventTimestamp ?? -1).padStart(16, '0')}|${s.name}`;
    // One listing per state of the group (pages of one pass see one staleness draw), so long
    // passes over thousands of streams stay linear.
    let listing = this.listings.get(logGroupName);
    if (listing?.version !== this.version) {
      const streams = [...group.streams.values()].map((s) => this.metadata(s));
      streams.sort((a, b) => byCodeUnits(key(a), key(b)));
      listing = { version: this.version, streams };
      this.listings.set(logGroupName, listing);
    }
    return paginate(this.pageSize, listing.streams, key, nextToken);
  }

  async deleteLogStream({ logGroupName, logStreamName }: { logGroupName: string; logStreamName: string }) {
    this.enter();
    const stream = this.groups.get(logGroupName)?.streams.get(logStreamName);
    if (!stream) throw awsError('ResourceNotFoundException', 'The specified log stream does not exist.');
    for (const event of stream.events) this.deleted.push({ logGroupName, event, how: 'stream-deleted' });
    this.groups.get(logGroupName)!.streams.delete(logStreamName);
    this.version++;
  }

  async putRetentionPolicy({
    logGroupName,
    retentionInDays,
  }: {
    logGroupName: string;
    retentionInDays: number;
  }) {
    this.enter();
    const group = this.groups.get(logGroupName);
    if (!group) throw awsError('ResourceNotFoundException', 'The specified log group does not exist.');
    if (!ALLOWED_RETENTION_DAYS.includes(retentionInDays)) {
      throw awsError('InvalidParameterException', `invalid retention ${retentionInDays}`);
    }
    group.retentionInDays = retentionInDays;
    this.advanceTo(this.now);
  }

  // --- internals --------------------------------------------------------------------------

  /** The stream's span, extended to the events that arrived since it was last read. */
  private spanOf(stream: ModelStream): StreamSpan {
    let span = this.spans.get(stream);
    // Retention replaces the array: start over for the events it kept.
    if (span?.events !== stream.events) {
      span = { events: stream.events, min: [], max: [], ingestionOrdered: true };
      this.spans.set(stream, span);
    }
    const { events, min, max } = span;
    for (let i = min.length; i < events.length; i++) {
      const event = events[i]!;
      min.push(i === 0 ? event.timestamp : Math.min(min[i - 1]!, event.timestamp));
      max.push(i === 0 ? event.timestamp : Math.max(max[i - 1]!, event.timestamp));
      if (i > 0 && event.ingestedAt < events[i - 1]!.ingestedAt) span.ingestionOrdered = false;
    }
    return span;
  }

  private enter(): void {
    this.calls++;
  }

  private newTask(
    taskName: string,
    logGroupName: string,
    from: number,
    to: number,
    destination: string,
    destinationPrefix: string,
    durationMs: number,
  ): ModelTask {
    const failed = this.options.random() < this.taskFailureRate;
    return {
      taskId: String(this.nextTaskId++),
      taskName,
      logGroupName,
      from,
      to,
      destination,
      destinationPrefix,
      createdAt: this.now,
      runningAt: this.now + Math.floor(durationMs / 5),
      doneAt: this.now + durationMs,
      outcome: failed ? 'FAILED' : 'COMPLETED',
      status: 'PENDING',
      snapshot: [],
    };
  }

  private settle(task: ModelTask): void {
    if (!ACTIVE_STATUSES.includes(task.status)) return;
    if (this.now >= task.doneAt) {
      task.status = task.outcome;
      if (task.outcome === 'COMPLETED' && task.destination === this.options.bucket) this.writeObjects(task);
    } else if (this.now >= task.runningAt) {
      task.status = 'RUNNING';
    }
  }

  private writeObjects(task: ModelTask): void {
    const byStream = new Map<string, string[]>();
    for (const { stream, event } of task.snapshot) {
      const lines = byStream.get(stream) ?? [];
      lines.push(`${new Date(event.timestamp).toISOString()} ${event.id}`);
      byStream.set(stream, lines);
    }
    for (const [stream, lines] of byStream) {
      this.options.s3.write(`${task.destinationPrefix}/${task.taskId}/${stream}/000000.gz`, lines.join('\n'));
    }
  }

  /** Metadata as of a moment up to maxMetadataStalenessMs ago: recent ingestion is not yet visible. */
  private metadata(stream: ModelStream): LogStreamInfo {
    const staleness = Math.floor(this.options.random() * (this.options.maxMetadataStalenessMs ?? HOUR_MS));
    const cutoff = this.now - staleness;
    const info: LogStreamInfo = { name: stream.name, creationTime: stream.creationTime };
    const span = this.spanOf(stream);
    const { events } = span;
    if (!span.ingestionOrdered) {
      // The model's clock went back between writes: read every event.
      const visible = events.filter((e) => e.ingestedAt <= cutoff);
      if (visible.length === 0) return info;
      info.firstEventTimestamp = Math.min(...visible.map((e) => e.timestamp));
      info.lastEventTimestamp = Math.max(...visible.map((e) => e.timestamp));
      info.lastIngestionTime = Math.max(...visible.map((e) => e.ingestedAt));
      return info;
    }
    // Events are kept in ingestion order: the visible ones are a prefix, found by binary search.
    let visible = 0;
    let end = events.length;
    while (visible < end) {
      const middle = (visible + end) >>> 1;
      if (events[middle]!.ingestedAt <= cutoff) visible = middle + 1;
      else end = middle;
    }
    if (visible === 0) return info;
    info.firstEventTimestamp = span.min[visible - 1];
    info.lastEventTimestamp = span.max[visible - 1];
    info.lastIngestionTime = events[visible - 1]!.ingestedAt;
    return info;
  }
}

/**
 * Running minimum and maximum of the event times along a stream's events (kept in ingestion
 * order), extended as events arrive: index i covers events 0..i.
 */
interface StreamSpan {
  events: ModelEvent[];
  min: number[];
  max: number[];
  ingestionOrdered: boolean;
}

/** The order of `<` on strings, which the page tokens compare with (localeCompare differs on case and punctuation). */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
