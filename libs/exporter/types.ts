/**
 * Narrow ports onto the two AWS services the exporter talks to. The run logic only sees these,
 * so tests hand in a stateful model and production hands in thin SDK adapters (aws.ts).
 * Errors keep the SDK's names (LimitExceededException, ResourceNotFoundException, ...).
 */
export type ExportStatus = 'PENDING' | 'RUNNING' | 'COMPLETED' | 'CANCELLED' | 'FAILED' | 'PENDING_CANCEL';

/** Statuses that hold the account's single export slot. */
export const ACTIVE_STATUSES: readonly ExportStatus[] = ['PENDING', 'RUNNING', 'PENDING_CANCEL'];

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export interface LogGroupInfo {
  name: string;
  creationTime: number;
  retentionInDays?: number;
}

export interface ExportTaskInfo {
  taskId: string;
  taskName?: string;
  logGroupName?: string;
  from?: number;
  to?: number;
  destination?: string;
  destinationPrefix?: string;
  status: string;
  statusMessage?: string;
}

export interface LogStreamInfo {
  name: string;
  creationTime?: number;
  firstEventTimestamp?: number;
  lastEventTimestamp?: number;
  lastIngestionTime?: number;
}

export interface CreateExportTaskInput {
  taskName: string;
  logGroupName: string;
  from: number;
  to: number;
  destination: string;
  destinationPrefix: string;
  /** Only streams whose name starts with this (a follow-up export of late streams). */
  logStreamNamePrefix?: string;
}

export interface LogsApi {
  describeLogGroups(input: { prefix?: string; nextToken?: string }): Promise<Page<LogGroupInfo>>;
  describeExportTasks(input: {
    taskId?: string;
    statusCode?: ExportStatus;
    nextToken?: string;
  }): Promise<Page<ExportTaskInfo>>;
  createExportTask(input: CreateExportTaskInput): Promise<{ taskId: string }>;
  /**
   * Ordered by last event time, oldest first, so pruning can stop at the first young stream
   * (and a stream written during a pass moves to a page not read yet, never to one already read).
   */
  describeLogStreams(input: { logGroupName: string; nextToken?: string }): Promise<Page<LogStreamInfo>>;
  deleteLogStream(input: { logGroupName: string; logStreamName: string }): Promise<void>;
  putRetentionPolicy(input: { logGroupName: string; retentionInDays: number }): Promise<void>;
}

export type PutCondition = { ifNoneMatch: '*' } | { ifMatch: string };

/** One S3 bucket. `put` throws a `CheckpointConflictError` when its condition fails. */
export interface ObjectStore {
  get(key: string): Promise<{ body: string; etag: string } | undefined>;
  put(key: string, body: string, condition: PutCondition): Promise<{ etag: string }>;
  list(prefix: string, maxKeys: number): Promise<string[]>;
}

/** A window handed to CreateExportTask and not yet resolved. */
export interface PendingExport {
  taskName: string;
  from: number;
  to: number;
  destinationPrefix: string;
  /** Written before CreateExportTask, so it is a lower bound for the task's snapshot time. */
  requestedAt: number;
  taskId?: string;
  /** A follow-up export of an already exported window, restricted to its late streams. */
  followUp?: boolean;
  logStreamNamePrefix?: string;
}

/**
 * A second export of the unsettled windows of one destination prefix (one UTC date), restricted
 * by stream name prefix to the streams that received events after those windows were requested.
 * Queued here until its task is verified; then its windows are settled and it is dropped.
 */
export interface FollowUpExport {
  from: number;
  /** Inclusive, like a window's. */
  to: number;
  /** The windows' own prefix: the archive stays one place per window. */
  destinationPrefix: string;
  /**
   * Common prefix of the late streams' names (empty: the whole range again). A prefix is all
   * CreateExportTask takes, so it may match more streams than the late ones: duplicates, no loss.
   */
  logStreamNamePrefix: string;
  lateStreams: number;
  /** Up to 5 of the late streams' names, for the report. */
  sample: string[];
}

/** A window whose task COMPLETED and whose objects were found in S3. */
export interface ExportedWindow {
  from: number;
  to: number;
  taskId: string;
  requestedAt: number;
  destinationPrefix: string;
  /**
   * Every event of the window, in every stream, is in S3: an export of it (the window's own or
   * a follow-up) was requested once no event could still arrive for it (see late.ts).
   */
  settled?: boolean;
}

export interface GroupState {
  version: 1;
  logGroupName: string;
  /** Identifies this incarnation of the group: a deleted and recreated group starts over. */
  groupCreationTime: number;
  /** No event of this group can be older than this (creation - 14 days). */
  origin: number;
  /** Everything in [origin, checkpoint) is exported and verified; the next window starts here. */
  checkpoint: number;
  pending?: PendingExport;
  /** Consecutive failed export attempts of this group (its next window or a follow-up). */
  failures: number;
  lastFailure?: { at: number; status: string; message?: string };
  /** Set together with an advance, cleared once a prune pass over the group finished. */
  pruneDue: boolean;
  /**
   * Exported windows, oldest first: every window not yet settled, plus recent settled ones
   * (bounded). Pruning needs their request times, retention their settling.
   */
  windows: ExportedWindow[];
  /** Follow-up exports of late streams waiting for the export slot, oldest first. */
  followUps?: FollowUpExport[];
}
