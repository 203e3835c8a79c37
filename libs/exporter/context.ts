import type { Deadline } from '../runtime/deadline';
import type { Logger } from '../runtime/logger';
import type { CheckpointStore, Versioned } from './checkpoint-store';
import type { ExporterConfig } from './config';
import type { LogGroupInfo, LogsApi, ObjectStore } from './types';

/** Everything a run needs from outside; tests hand in models and a fixed clock. */
export interface ExporterDeps {
  logs: LogsApi;
  /** The export bucket; checkpoints live in it too, under the state prefix. */
  objects: ObjectStore;
  clock: () => number;
  log: Logger;
  /** After it, optional work (pruning, late events) stops: the invocation's (libs/runtime/handler.ts). */
  deadline?: Deadline;
  /** Where EMF metric lines go (stdout in Lambda). */
  emitMetric?: (line: string) => void;
  /** Unique suffix for task names; random in production, deterministic in tests. */
  nonce?: () => string;
  accountId?: string;
}

export interface RunContext {
  config: ExporterConfig & { bucket: string };
  deps: ExporterDeps;
  store: CheckpointStore;
  now: number;
}

/** A discovered log group and its checkpoint. `etag` is empty for dry-run states never written. */
export interface GroupEntry {
  group: LogGroupInfo;
  current: Versioned;
}

export interface WindowReport {
  logGroupName: string;
  from: number;
  to: number;
  taskId?: string;
  /** Set for a follow-up export restricted to late streams. */
  logStreamNamePrefix?: string;
}

export interface RunSummary {
  dryRun: boolean;
  outcome: string;
  groups: number;
  activeTask?: WindowReport & { status: string; ours: boolean };
  started?: WindowReport;
  wouldStart?: WindowReport;
  windowsExported: WindowReport[];
  /** Follow-up exports of late streams: queued by this run's scan, verified by this run. */
  followUpsQueued: Array<WindowReport & { logStreamNamePrefix: string; lateStreams: number }>;
  followUpsExported: WindowReport[];
  /** Windows found to have no late stream once no event could still arrive for them. */
  windowsSettled: number;
  failures: Array<WindowReport & { status: string; consecutive: number; message?: string }>;
  streamsPruned: number;
  streamsEligible: number;
  pruneSample: string[];
  retentionChanges: Array<{ logGroupName: string; from?: number; to: number }>;
  lagMsByGroup: Record<string, number>;
  conflicts: number;
  errors: Array<{ step: string; logGroupName?: string; error: unknown }>;
  fatal?: Error;
}

export function emptySummary(dryRun: boolean): RunSummary {
  return {
    dryRun,
    outcome: 'not-run',
    groups: 0,
    windowsExported: [],
    followUpsQueued: [],
    followUpsExported: [],
    windowsSettled: 0,
    failures: [],
    streamsPruned: 0,
    streamsEligible: 0,
    pruneSample: [],
    retentionChanges: [],
    lagMsByGroup: {},
    conflicts: 0,
    errors: [],
  };
}
