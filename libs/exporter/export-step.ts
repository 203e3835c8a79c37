import { randomUUID } from 'node:crypto';
import { bucketPolicyHint } from './bucket-policy';
import type { GroupEntry, RunContext, RunSummary } from './context';
import {
  BucketPolicyError,
  CheckpointConflictError,
  errorMessage,
  errorName,
  isBucketAccessProblem,
  isThrottling,
} from './errors';
import {
  chooseNext,
  destinationPrefix,
  withCompletion,
  withFailure,
  withIntent,
  withoutIntent,
  type Window,
} from './planning';
import { chooseFollowUp, withFollowUpCompletion } from './late';
import { findTaskById, findTaskByName, isOurs, listActiveTasks } from './tasks';
import {
  ACTIVE_STATUSES,
  type ExportStatus,
  type GroupState,
  type ObjectStore,
  type PendingExport,
} from './types';

type Next = 'continue' | 'stop';

/**
 * The export half of a run, one pass of the task state machine and never a wait:
 * slot busy -> stop; our pending task finished -> verify and advance, or record the failure;
 * then start whichever covers older data: a queued follow-up export of late streams
 * (late.ts), or the next window of the group furthest behind.
 */
export async function exportStep(ctx: RunContext, entries: GroupEntry[], summary: RunSummary): Promise<void> {
  const { logs } = ctx.deps;
  const identity = { taskNamePrefix: ctx.config.taskNamePrefix, bucket: ctx.config.bucket };
  const active = await listActiveTasks(logs);
  if (active.length > 0) {
    const task = active.find((t) => isOurs(t, identity)) ?? active[0]!;
    summary.outcome = isOurs(task, identity) ? 'export-running' : 'slot-held-by-other-task';
    summary.activeTask = {
      logGroupName: task.logGroupName ?? '?',
      from: task.from ?? 0,
      to: task.to ?? 0,
      taskId: task.taskId,
      status: task.status,
      ours: isOurs(task, identity),
    };
    return;
  }

  for (const entry of entries) {
    if (!entry.current.state.pending) continue;
    if ((await resolvePending(ctx, entry, summary)) === 'stop') return;
  }

  const states = entries.map((e) => e.current.state);
  // Oldest data first, follow-ups and windows alike: the retention the exporter must hold is
  // set by the oldest range not yet safely exported (late.ts, chooseFollowUp).
  const next = chooseNext(states, ctx.now, ctx.config);
  let followUp = chooseFollowUp(states, ctx.now);
  if (followUp && next && next.window.from < followUp.window.from) followUp = undefined;
  const candidate = followUp ?? next;
  if (!candidate) {
    summary.outcome = 'idle';
    return;
  }
  const entry = entries.find((e) => e.current.state === candidate.state)!;
  const window = { from: candidate.window.from, to: candidate.window.to };
  const restriction = followUp && {
    logStreamNamePrefix: followUp.followUp.logStreamNamePrefix,
    destinationPrefix: followUp.followUp.destinationPrefix,
  };
  if (ctx.config.dryRun) {
    summary.outcome = 'dry-run';
    summary.wouldStart = { logGroupName: entry.group.name, ...window, ...restriction };
    return;
  }
  await startExport(ctx, entry, window, summary, restriction);
}

async function save(
  ctx: RunContext,
  entry: GroupEntry,
  next: GroupState,
  summary: RunSummary,
): Promise<Next> {
  try {
    entry.current = await ctx.store.replace(entry.current, next);
    return 'continue';
  } catch (error) {
    if (!(error instanceof CheckpointConflictError)) throw error;
    // Another run moved this checkpoint first; the next run starts from what it wrote.
    summary.conflicts++;
    summary.outcome = 'checkpoint-conflict';
    return 'stop';
  }
}

async function resolvePending(ctx: RunContext, entry: GroupEntry, summary: RunSummary): Promise<Next> {
  const state = entry.current.state;
  const pending = state.pending!;
  const { logs } = ctx.deps;
  const task = pending.taskId
    ? await findTaskById(logs, pending.taskId)
    : await findTaskByName(logs, pending.taskName);
  const report = {
    logGroupName: state.logGroupName,
    from: pending.from,
    to: pending.to,
    taskId: task?.taskId,
    ...(pending.followUp ? { logStreamNamePrefix: pending.logStreamNamePrefix ?? '' } : {}),
  };

  if (!task) {
    if (!pending.taskId) return save(ctx, entry, withoutIntent(state), summary); // never created
    return recordFailure(ctx, entry, summary, report, 'MISSING', 'export task no longer listed');
  }
  if (task.logGroupName !== state.logGroupName || task.from !== pending.from || task.to !== pending.to) {
    throw new Error(`export task ${task.taskId} does not match the pending window of ${state.logGroupName}`);
  }
  if (ACTIVE_STATUSES.includes(task.status as ExportStatus)) {
    summary.outcome = 'export-running';
    return 'stop';
  }
  if (task.status === 'COMPLETED') {
    if (await exportLanded(ctx.deps.objects, pending.destinationPrefix, task.taskId)) {
      const done = pending.followUp ? withFollowUpCompletion(state) : withCompletion(state, task.taskId);
      const next = await save(ctx, entry, done, summary);
      if (next === 'continue') {
        (pending.followUp ? summary.followUpsExported : summary.windowsExported).push(report);
      }
      return next;
    }
    return recordFailure(
      ctx,
      entry,
      summary,
      report,
      'UNVERIFIED',
      `no objects under ${pending.destinationPrefix}/`,
    );
  }
  if (task.status === 'FAILED' || task.status === 'CANCELLED') {
    return recordFailure(ctx, entry, summary, report, task.status, task.statusMessage);
  }
  summary.outcome = `unknown-task-status:${task.status}`;
  return 'stop';
}

async function recordFailure(
  ctx: RunContext,
  entry: GroupEntry,
  summary: RunSummary,
  report: RunSummary['windowsExported'][number],
  status: string,
  message?: string,
): Promise<Next> {
  const next = withFailure(entry.current.state, ctx.now, status, message);
  const outcome = await save(ctx, entry, next, summary);
  if (outcome === 'continue') {
    summary.failures.push({ ...report, status, consecutive: next.failures, ...(message ? { message } : {}) });
  }
  return outcome;
}

/** COMPLETED is not enough: the task's objects (or, for an empty window, the write test) must exist. */
export async function exportLanded(objects: ObjectStore, prefix: string, taskId: string): Promise<boolean> {
  if ((await objects.list(`${prefix}/${taskId}/`, 1)).length > 0) return true;
  return (await objects.list(`${prefix}/aws-logs-write-test`, 1)).length > 0;
}

/**
 * Starts the export of `window`; with `followUp`, a second export of exported windows
 * restricted to a stream name prefix, written under the prefix of the first of them.
 */
async function startExport(
  ctx: RunContext,
  entry: GroupEntry,
  window: Window,
  summary: RunSummary,
  followUp?: { logStreamNamePrefix: string; destinationPrefix: string },
): Promise<void> {
  const { config, deps } = ctx;
  const nonce = deps.nonce ? deps.nonce() : randomUUID();
  const pending: PendingExport = {
    taskName: `${config.taskNamePrefix}-${nonce}`,
    from: window.from,
    to: window.to,
    destinationPrefix:
      followUp?.destinationPrefix ?? destinationPrefix(config.exportPrefix, entry.group.name, window.from),
    requestedAt: ctx.now,
    ...(followUp ? { followUp: true, logStreamNamePrefix: followUp.logStreamNamePrefix } : {}),
  };
  // The intent is durable before the task exists, so a crash right after CreateExportTask is found again.
  if ((await save(ctx, entry, withIntent(entry.current.state, pending), summary)) === 'stop') return;
  const report = {
    logGroupName: entry.group.name,
    ...window,
    ...(followUp ? { logStreamNamePrefix: followUp.logStreamNamePrefix } : {}),
  };
  let taskId: string;
  try {
    ({ taskId } = await deps.logs.createExportTask({
      taskName: pending.taskName,
      logGroupName: entry.group.name,
      from: window.from,
      to: window.to,
      destination: config.bucket,
      destinationPrefix: pending.destinationPrefix,
      // An empty common prefix means the whole window again: leave the parameter out.
      ...(pending.logStreamNamePrefix ? { logStreamNamePrefix: pending.logStreamNamePrefix } : {}),
    }));
  } catch (error) {
    await handleRefusal(ctx, entry, summary, report, error);
    return;
  }
  if (
    (await save(ctx, entry, { ...entry.current.state, pending: { ...pending, taskId } }, summary)) === 'stop'
  ) {
    return;
  }
  summary.outcome = 'started';
  summary.started = { ...report, taskId };
}

/** A refused CreateExportTask took no effect: drop the intent and say why. Unknown errors keep it. */
async function handleRefusal(
  ctx: RunContext,
  entry: GroupEntry,
  summary: RunSummary,
  report: RunSummary['windowsExported'][number],
  error: unknown,
): Promise<void> {
  const name = errorName(error);
  const state = entry.current.state;
  if (name === 'LimitExceededException' || isThrottling(error) || name === 'ResourceNotFoundException') {
    summary.outcome =
      name === 'LimitExceededException' ? 'slot-taken' : isThrottling(error) ? 'throttled' : 'group-missing';
    await save(ctx, entry, withoutIntent(state), summary);
    return;
  }
  if (name === 'InvalidParameterException') {
    await recordFailure(ctx, entry, summary, report, name, errorMessage(error));
    summary.outcome = 'create-refused';
    if (isBucketAccessProblem(error)) {
      summary.outcome = 'bucket-policy';
      const hint = bucketPolicyHint({
        bucket: ctx.config.bucket,
        region: ctx.config.region,
        accountId: ctx.deps.accountId ?? '<account-id>',
        exportPrefix: ctx.config.exportPrefix,
      });
      summary.fatal = new BucketPolicyError(`CreateExportTask refused: ${hint}`, { cause: error });
    }
    return;
  }
  // Timeouts and unknown errors: the task may exist. Keep the intent; the next run looks it up by name.
  summary.outcome = 'create-uncertain';
  summary.errors.push({ step: 'createExportTask', logGroupName: state.logGroupName, error });
}
