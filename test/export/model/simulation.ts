import type { Deadline } from '../../../libs/runtime/deadline';
import { Logger } from '../../../libs/runtime/logger';
import { loadExporterConfig, type ExporterConfig, type PruneMode } from '../../../libs/exporter/config';
import type { RunSummary } from '../../../libs/exporter/context';
import { runExporter } from '../../../libs/exporter/run';
import { HOUR_MS, MINUTE_MS } from '../../../libs/exporter/time';
import type { GroupState, ObjectStore } from '../../../libs/exporter/types';
import { CrashPlan } from './crash';
import { LogsModel } from './logs-model';
import { ObjectStoreModel } from './object-store-model';

export const BUCKET = 'export-bucket';

/** mulberry32: small, fast, reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SimulationOptions {
  seed: number;
  groups: number;
  pruneMode: PruneMode;
  env?: Record<string, string>;
  start?: number;
  /** Group creation relative to start (negative = earlier); default: at start. */
  groupCreatedAt?: number;
  exportDurationMs?: (random: () => number) => number;
  taskFailureRate?: number;
  pageSize?: number;
  quietLogs?: boolean;
}

/** Every state written to the store, in order, for the monotonicity and window checks. */
export interface StateWrite {
  key: string;
  state: GroupState;
}

/** The model world plus the exporter: tests and the benchmark drive it run by run. */
export class Simulation {
  readonly random: () => number;
  readonly s3 = new ObjectStoreModel();
  readonly model: LogsModel;
  readonly config: ExporterConfig;
  readonly stateWrites: StateWrite[] = [];
  readonly summaries: RunSummary[] = [];
  readonly logLines: string[] = [];
  now: number;
  private nonce = 0;

  constructor(readonly options: SimulationOptions) {
    this.random = seededRandom(options.seed);
    this.now = options.start ?? Date.UTC(2026, 0, 1);
    this.model = new LogsModel({
      bucket: BUCKET,
      s3: this.s3,
      random: this.random,
      pageSize: options.pageSize ?? 3,
      exportDurationMs: options.exportDurationMs,
      taskFailureRate: options.taskFailureRate,
    });
    this.config = loadExporterConfig({
      EXPORT_BUCKET: BUCKET,
      EXPORT_LOG_GROUP_PREFIXES: '/app/',
      EXPORT_PRUNE_MODE: options.pruneMode,
      EXPORT_DRY_RUN: 'false',
      EXPORT_MAX_WINDOW_HOURS: '24',
      ...options.env,
    });
    this.model.advanceTo(this.now + (options.groupCreatedAt ?? 0));
    for (let g = 0; g < options.groups; g++) this.model.createLogGroup(groupName(g));
    this.model.advanceTo(this.now);
  }

  advance(ms: number): void {
    this.now += ms;
    this.model.advanceTo(this.now);
  }

  /**
   * One scheduled run; `crash` kills it at a given outside call, `deadline` (on the simulation's
   * clock) is the invocation's. Returns undefined if it crashed.
   */
  async run(
    crash?: { atCall: number; afterEffect: boolean },
    deadline?: Deadline,
  ): Promise<RunSummary | undefined> {
    const plan = new CrashPlan(crash?.atCall, crash?.afterEffect ?? false);
    const summary = await runExporter(this.config, {
      logs: plan.wrap(this.model),
      objects: plan.wrap(this.recordingStore()),
      clock: () => this.now,
      log: new Logger({}, 'info', { write: (line: string) => this.keepLog(line) }),
      emitMetric: (line) => this.keepLog(line),
      nonce: () => `n${++this.nonce}`,
      accountId: '123456789012',
      deadline,
    }).catch((error: unknown) => {
      if (plan.crashed) return undefined;
      throw error;
    });
    if (summary && !plan.crashed) this.summaries.push(summary);
    return plan.crashed ? undefined : summary;
  }

  /** The current checkpoint of every group, read straight from the bucket. */
  checkpoints(): Map<string, GroupState> {
    const states = new Map<string, GroupState>();
    for (const [key, { body }] of this.s3.objects) {
      if (!key.startsWith(`${this.config.statePrefix}/`)) continue;
      const state = JSON.parse(body) as GroupState;
      states.set(state.logGroupName, state);
    }
    return states;
  }

  private keepLog(line: string): void {
    if (!this.options.quietLogs) this.logLines.push(line);
  }

  private recordingStore(): ObjectStore {
    const s3 = this.s3;
    const writes = this.stateWrites;
    return {
      get: (key) => s3.get(key),
      list: (prefix, max) => s3.list(prefix, max),
      async put(key, body, condition) {
        const result = await s3.put(key, body, condition);
        writes.push({ key, state: JSON.parse(body) as GroupState });
        return result;
      },
    };
  }
}

export function groupName(index: number): string {
  return `/app/service-${String(index).padStart(2, '0')}`;
}

/** Random export durations of 5 to 60 minutes, as in the benchmark. */
export function fiveToSixtyMinutes(random: () => number): number {
  return Math.round((5 + random() * 55) * MINUTE_MS);
}

export const RUN_EVERY_HOUR = HOUR_MS;
