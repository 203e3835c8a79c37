import type { ExporterConfig } from './config';
import type { GroupEntry, RunContext, RunSummary } from './context';
import { CheckpointConflictError, errorName } from './errors';
import { windowContaining } from './planning';
import { EXPORTABLE_DELAY_MS } from './time';
import type { GroupState, LogStreamInfo } from './types';

export type StreamVerdict =
  'delete' | 'no-events' | 'too-young' | 'before-origin' | 'outside-history' | 'ingested-after-export';

/**
 * A stream may go only when every event in it is inside a completed, verified export:
 * - its first event is at or after the group's origin and its window is still in the history,
 * - its last event, last ingestion and creation are older than the checkpoint by the margin
 *   (metadata is eventually consistent; the margin also covers a writer's last late batch),
 * - every window its events overlap is settled (all of it is in S3, late events included:
 *   late.ts), or was requested at least 12 h after the stream's last ingestion. Each window is
 *   checked, not only the first one's: once follow-ups settle windows out of order, a stream's
 *   first window being settled says nothing about the later ones.
 */
export function streamVerdict(
  stream: LogStreamInfo,
  state: GroupState,
  config: Pick<ExporterConfig, 'pruneMarginMs'>,
): StreamVerdict {
  const { firstEventTimestamp: first, lastEventTimestamp: last, lastIngestionTime: ingested } = stream;
  if (
    first === undefined ||
    last === undefined ||
    ingested === undefined ||
    stream.creationTime === undefined
  ) {
    return 'no-events';
  }
  const cutoff = state.checkpoint - config.pruneMarginMs;
  if (last >= cutoff || ingested >= cutoff || stream.creationTime >= cutoff) return 'too-young';
  if (first < state.origin) return 'before-origin';
  const start = windowContaining(state.windows, first);
  if (!start) return 'outside-history';
  // The history is contiguous from `start` up to the checkpoint, which is past `last`.
  for (let i = state.windows.indexOf(start); i < state.windows.length; i++) {
    const window = state.windows[i]!;
    if (window.from > last) break;
    if (window.settled) continue;
    if (ingested + EXPORTABLE_DELAY_MS > window.requestedAt) return 'ingested-after-export';
  }
  return 'delete';
}

interface PruneBudget {
  deletesLeft: number;
}

/** Stream pruning for every group whose checkpoint advanced since its last full pass. */
export async function pruneStep(ctx: RunContext, entries: GroupEntry[], summary: RunSummary): Promise<void> {
  const budget: PruneBudget = { deletesLeft: ctx.config.maxStreamDeletesPerRun };
  // In a dry run nothing advances, so report what the current checkpoints would allow.
  const due = entries.filter((e) => ctx.config.dryRun || e.current.state.pruneDue);
  for (const entry of due) {
    if (outOfTime(ctx) || budget.deletesLeft <= 0) return;
    try {
      const complete = await pruneGroup(ctx, entry, budget, summary);
      if (complete && !ctx.config.dryRun) {
        entry.current = await ctx.store.replace(entry.current, { ...entry.current.state, pruneDue: false });
      }
    } catch (error) {
      if (error instanceof CheckpointConflictError) summary.conflicts++;
      else summary.errors.push({ step: 'prune', logGroupName: entry.group.name, error });
    }
  }
}

function outOfTime(ctx: RunContext): boolean {
  return ctx.deps.deadline?.expired() ?? false;
}

/** True when the pass reached streams too young to delete (or the end): nothing more is eligible. */
async function pruneGroup(
  ctx: RunContext,
  entry: GroupEntry,
  budget: PruneBudget,
  summary: RunSummary,
): Promise<boolean> {
  const { logs } = ctx.deps;
  const state = entry.current.state;
  const cutoff = state.checkpoint - ctx.config.pruneMarginMs;
  let nextToken: string | undefined;
  do {
    let page;
    try {
      page = await logs.describeLogStreams({ logGroupName: state.logGroupName, nextToken });
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return true; // group deleted meanwhile
      throw error;
    }
    for (const stream of page.items) {
      // Ordered by last event time: from here on every stream is too young.
      if (stream.lastEventTimestamp !== undefined && stream.lastEventTimestamp >= cutoff) return true;
      if (streamVerdict(stream, state, ctx.config) !== 'delete') continue;
      summary.streamsEligible++;
      if (summary.pruneSample.length < 5) summary.pruneSample.push(`${state.logGroupName}:${stream.name}`);
      if (ctx.config.dryRun) continue;
      if (budget.deletesLeft <= 0 || outOfTime(ctx)) return false;
      budget.deletesLeft--;
      try {
        await logs.deleteLogStream({ logGroupName: state.logGroupName, logStreamName: stream.name });
      } catch (error) {
        if (errorName(error) !== 'ResourceNotFoundException') throw error;
      }
      summary.streamsPruned++;
    }
    nextToken = page.nextToken;
  } while (nextToken && !outOfTime(ctx));
  return nextToken === undefined;
}
