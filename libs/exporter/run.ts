import { describeError } from '../runtime/errors';
import { CheckpointStore } from './checkpoint-store';
import { isConfigured, prunesStreams, setsRetention, type ExporterConfig } from './config';
import {
  emptySummary,
  type ExporterDeps,
  type GroupEntry,
  type RunContext,
  type RunSummary,
  type WindowReport,
} from './context';
import { discoverLogGroups } from './discovery';
import { CheckpointConflictError, isThrottling } from './errors';
import { exportStep } from './export-step';
import { metricLines } from './metrics';
import { lateStep } from './late';
import { initialState } from './planning';
import { pruneStep } from './prune';
import { retentionStep } from './retention';
import type { LogGroupInfo } from './types';

/**
 * One scheduled run: discover groups, load checkpoints, one step of the export state machine,
 * then pruning and retention. Every step is safe to interrupt: the next run re-reads the
 * checkpoints and the export tasks and carries on from there.
 */
export async function runExporter(config: ExporterConfig, deps: ExporterDeps): Promise<RunSummary> {
  const summary = emptySummary(config.dryRun);
  const now = deps.clock();
  if (!isConfigured(config) || config.bucket === undefined) {
    summary.outcome = 'nothing-configured';
    report(config, deps, summary, now);
    return summary;
  }
  const ctx: RunContext = {
    config: { ...config, bucket: config.bucket },
    deps,
    store: new CheckpointStore(deps.objects, config.statePrefix),
    now,
  };

  let groups: LogGroupInfo[];
  try {
    groups = await discoverLogGroups(deps.logs, config);
  } catch (error) {
    // Throttled even after the SDK's retries: nothing is half done, the next run starts over.
    if (!isThrottling(error)) throw error;
    summary.outcome = 'throttled';
    summary.errors.push({ step: 'discover', error });
    report(config, deps, summary, now);
    return summary;
  }
  summary.groups = groups.length;
  const entries = await loadEntries(ctx, groups, summary);

  await guarded(summary, 'export', () => exportStep(ctx, entries, summary));
  // Every mode: late events belong in the archive whether or not anything is pruned.
  await guarded(summary, 'late-scan', () => lateStep(ctx, entries, summary));
  if (prunesStreams(config.pruneMode))
    await guarded(summary, 'prune', () => pruneStep(ctx, entries, summary));
  if (setsRetention(config.pruneMode)) {
    await guarded(summary, 'retention', () => retentionStep(ctx, entries, summary));
  }
  for (const entry of entries) summary.lagMsByGroup[entry.group.name] = now - entry.current.state.checkpoint;
  report(config, deps, summary, now);
  return summary;
}

async function guarded(summary: RunSummary, step: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof CheckpointConflictError) summary.conflicts++;
    else summary.errors.push({ step, error });
    if (summary.outcome === 'not-run') summary.outcome = `${step}-error`;
  }
}

/** Loads (or creates) each group's checkpoint; a recreated group starts a new incarnation. */
async function loadEntries(
  ctx: RunContext,
  groups: LogGroupInfo[],
  summary: RunSummary,
): Promise<GroupEntry[]> {
  const entries: GroupEntry[] = [];
  const concurrency = 8;
  for (let i = 0; i < groups.length; i += concurrency) {
    const batch = groups.slice(i, i + concurrency);
    const loaded = await Promise.all(
      batch.map(async (group) => {
        try {
          return { group, current: await loadOrCreate(ctx, group) };
        } catch (error) {
          if (error instanceof CheckpointConflictError) summary.conflicts++;
          else summary.errors.push({ step: 'load-checkpoint', logGroupName: group.name, error });
          return undefined;
        }
      }),
    );
    for (const entry of loaded) if (entry) entries.push(entry);
  }
  return entries;
}

async function loadOrCreate(ctx: RunContext, group: LogGroupInfo): Promise<GroupEntry['current']> {
  const existing = await ctx.store.load(group.name);
  if (existing && existing.state.groupCreationTime === group.creationTime) return existing;
  const fresh = initialState(group);
  if (ctx.config.dryRun) return { state: fresh, etag: '' };
  return existing ? ctx.store.replace(existing, fresh) : ctx.store.create(fresh);
}

function report(config: ExporterConfig, deps: ExporterDeps, summary: RunSummary, now: number): void {
  const lags = Object.values(summary.lagMsByGroup);
  const fields = {
    outcome: summary.outcome,
    dry_run: summary.dryRun,
    groups: summary.groups,
    active_task: summary.activeTask && {
      ...windowFields(summary.activeTask),
      status: summary.activeTask.status,
      ours: summary.activeTask.ours,
    },
    started: summary.started && windowFields(summary.started),
    would_start: summary.wouldStart && windowFields(summary.wouldStart),
    windows_exported: summary.windowsExported.map(windowFields),
    follow_ups_queued: nonEmpty(
      summary.followUpsQueued.map((queued) => ({
        ...windowFields(queued),
        late_streams: queued.lateStreams,
      })),
    ),
    follow_ups_exported: nonEmpty(summary.followUpsExported.map(windowFields)),
    windows_settled: summary.windowsSettled,
    failures: summary.failures.map((failure) => ({
      ...windowFields(failure),
      status: failure.status,
      consecutive: failure.consecutive,
      message: failure.message,
    })),
    repeated_failures: summary.failures.filter((f) => f.consecutive > 1).length,
    streams_pruned: summary.streamsPruned,
    streams_eligible: summary.streamsEligible,
    prune_sample: nonEmpty(summary.pruneSample),
    retention_changes: nonEmpty(
      summary.retentionChanges.map((change) => ({
        log_group: change.logGroupName,
        from: change.from,
        to: change.to,
      })),
    ),
    max_checkpoint_lag_hours: lags.length > 0 ? Math.round(Math.max(...lags) / 36e5) : undefined,
    conflicts: summary.conflicts,
    errors: summary.errors.map((e) => ({
      step: e.step,
      log_group: e.logGroupName,
      ...describeError(e.error),
    })),
    fatal: summary.fatal ? describeError(summary.fatal) : undefined,
    hint:
      summary.outcome === 'nothing-configured'
        ? 'no log groups selected: set EXPORT_LOG_GROUP_NAMES or EXPORT_LOG_GROUP_PREFIXES (params exporterLogGroupNames / exporterLogGroupPrefixes)'
        : undefined,
  };
  const level = summary.fatal || summary.errors.length > 0 || summary.failures.some((f) => f.consecutive > 1);
  if (level) deps.log.warn('export run', fields);
  else deps.log.info('export run', fields);
  // EMF goes to stderr with the logs, as in libs/runtime/metrics.ts: stdout carries the result locally.
  const emit = deps.emitMetric ?? ((line: string) => process.stderr.write(line + '\n'));
  for (const line of metricLines(summary, config.metricDimensions, now)) emit(line);
}

/** A window as the log line spells it (log keys are snake_case: libs/runtime/logger.ts). */
function windowFields(window: WindowReport) {
  return {
    log_group: window.logGroupName,
    from: window.from,
    to: window.to,
    task_id: window.taskId,
    log_stream_prefix: window.logStreamNamePrefix,
  };
}

const nonEmpty = <T>(items: T[]): T[] | undefined => (items.length > 0 ? items : undefined);
