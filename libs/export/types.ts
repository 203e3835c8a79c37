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
}

export interface LogsApi {
  describeLogGroups(input: { prefix?: string; nextToken?: string }): Promise<Page<LogGroupInfo>>;
  describeExportTasks(input: {
    taskId?: string;
    statusCode?: ExportStatus;
    nextToken?: string;
  }): Promise<Page<ExportTaskInfo>>;
  createExportTask(input: CreateExportTaskInput): Promise<{ taskId: string }>;
  /** Ordered by last event time, oldest first, so pruning can stop at the first young stream. */
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
}

/** A window whose task COMPLETED and whose objects were found in S3. */
export interface ExportedWindow {
  from: number;
  to: number;
  taskId: string;
  requestedAt: number;
  destinationPrefix: string;
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
  /** Consecutive failed attempts at the window starting at `checkpoint`. */
  failures: number;
  lastFailure?: { at: number; status: string; message?: string };
  /** Set together with an advance, cleared once a prune pass over the group finished. */
  pruneDue: boolean;
  /** Recent exported windows, oldest first (bounded); pruning needs their request times. */
  windows: ExportedWindow[];
}
