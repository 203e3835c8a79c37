import type { GroupEntry, RunContext, RunSummary } from './context';
import { CheckpointConflictError, errorName } from './errors';
import { retryNotBefore, settlesAt, type Window } from './planning';
import { DAY_MS, EXPORTABLE_DELAY_MS } from './time';
import type { ExportedWindow, FollowUpExport, GroupState, LogStreamInfo } from './types';

/**
 * Late events. CloudWatch accepts events up to 14 days old, so a window exported `lag` after
 * its end can miss events that arrive later. A window therefore settles 14 days + 12 h after
 * its end (planning.ts, settlesAt): from then on no event can still arrive for it. Windows
 * are checked in batches of up to a week (batchesToScan, followUpSpanMs): one pass over the
 * group's streams finds the streams that ingested something after a window was requested
 * (minus the 12 h exportability delay); if there are any, one follow-up export of the batch,
 * restricted to the late streams' common name prefix, goes under the prefix of the batch's
 * first window. Until a window settles, retention keeps it (protectedFrom) and stream pruning
 * checks each of its streams against its request time (prune.ts).
 *
 * Stream metadata cannot tell a late event from a later on-time one: a stream still written
 * 12 h before a window's request counts as late for it. Groups with long-lived streams thus
 * get a follow-up for most batches (at most one per group and week): duplicates and slot
 * time, never loss.
 */

/** Retention must not reach this: the checkpoint, or the oldest window not yet settled. */
export function protectedFrom(state: GroupState): number {
  const oldestOpen = state.windows.find((w) => !w.settled);
  return Math.min(state.checkpoint, oldestOpen?.from ?? Infinity);
}

/**
 * The stream's events overlap the window, and it ingested something after the window's export
 * could see (request time - 12 h): the window may lack some of its events.
 */
export function isLateFor(stream: LogStreamInfo, window: ExportedWindow): boolean {
  const { firstEventTimestamp: first, lastEventTimestamp: last, lastIngestionTime: ingested } = stream;
  if (first === undefined || last === undefined || ingested === undefined) return false;
  if (first > window.to || last < window.from) return false;
  return ingested + EXPORTABLE_DELAY_MS > window.requestedAt;
}

/**
 * How much time one follow-up may repeat: a week, or the maximum window if longer. Follow-ups
 * share the one export slot, so with late data everywhere one per window would double the
 * tasks (the benchmark's 50 groups then fall days behind); one per group and week costs
 * about one task a week per group, and still keeps each export within a few days of its `dt=`.
 */
export function followUpSpanMs(maxWindowMs: number): number {
  return Math.max(maxWindowMs, 7 * DAY_MS);
}

/**
 * Unsettled windows ready for their scan, in batches, oldest first. A batch is consecutive
 * windows within one follow-up span of its first; it is ready once no further window can join
 * it (the next one exists and does not fit, or the checkpoint is past the span) and its last
 * window is past settlesAt. Windows of a queued follow-up are not scanned again.
 */
export function batchesToScan(state: GroupState, now: number, spanMs: number): ExportedWindow[][] {
  const queuedThrough = Math.max(-Infinity, ...(state.followUps ?? []).map((f) => f.to));
  const open = state.windows.filter((w) => !w.settled && w.from > queuedThrough);
  const batches: ExportedWindow[][] = [];
  let i = 0;
  while (i < open.length) {
    const spanEnd = open[i]!.from + spanMs;
    let j = i + 1;
    while (j < open.length && open[j]!.to < spanEnd && open[j]!.from === open[j - 1]!.to + 1) j++;
    const batch = open.slice(i, j);
    const closed = j < open.length || state.checkpoint >= spanEnd;
    if (!closed || now < settlesAt(batch.at(-1)!)) break; // later batches settle later still
    batches.push(batch);
    i = j;
  }
  return batches;
}

export function commonPrefix(names: readonly string[]): string {
  if (names.length === 0) return '';
  let prefix = names[0]!;
  for (const name of names) {
    while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
  }
  return prefix;
}

/** The scan's verdict per batch: no late stream -> its windows settle; else a follow-up. */
export function withScanResult(
  state: GroupState,
  batches: Array<{ windows: ExportedWindow[]; lateStreams: string[] }>,
): GroupState {
  const settle = new Set<ExportedWindow>();
  const followUps = [...(state.followUps ?? [])];
  for (const { windows, lateStreams } of batches) {
    if (lateStreams.length === 0) {
      for (const window of windows) settle.add(window);
      continue;
    }
    followUps.push({
      from: windows[0]!.from,
      to: windows.at(-1)!.to,
      destinationPrefix: windows[0]!.destinationPrefix,
      logStreamNamePrefix: commonPrefix(lateStreams),
      lateStreams: lateStreams.length,
      sample: lateStreams.slice(0, 5),
    });
  }
  followUps.sort((a, b) => a.from - b.from);
  return {
    ...state,
    windows: state.windows.map((w) => (settle.has(w) ? { ...w, settled: true } : w)),
    followUps,
    // Settled windows may let more streams go.
    pruneDue: state.pruneDue || settle.size > 0,
  };
}

/** Follow-up finished and verified: its windows settle (it was requested after settlesAt). */
export function withFollowUpCompletion(state: GroupState): GroupState {
  const pending = state.pending;
  const followUps = state.followUps ?? [];
  const done = followUps.find((f) => f.from === pending?.from && f.to === pending?.to);
  if (!pending?.followUp || !done) {
    throw new Error(`follow-up completion does not match a queued follow-up of ${state.logGroupName}`);
  }
  const { pending: _done, lastFailure: _cleared, ...rest } = state;
  return {
    ...rest,
    windows: state.windows.map((w) =>
      w.from >= done.from && w.to <= done.to && !w.settled ? { ...w, settled: true } : w,
    ),
    followUps: followUps.filter((f) => f !== done),
    failures: 0,
    pruneDue: true,
  };
}

export interface FollowUpCandidate {
  state: GroupState;
  window: Window;
  followUp: FollowUpExport;
}

/**
 * The queued follow-up with the oldest range, skipping groups busy or backing off. The export
 * step starts it unless a normal window starts earlier still (export-step.ts): oldest data
 * first. Follow-ups cover windows at least 14.5 days old, so in steady state they go ahead of
 * normal windows; that is when retention would otherwise have to stretch, since a waiting
 * follow-up holds its whole group's retention up (and its late streams unpruned), while a
 * waiting normal window is only as old as the checkpoint. While a group catches up a backlog
 * older than that, its windows go first: they set the retention then. There is at most one
 * follow-up per group and date, so they cannot starve windows for long either.
 */
export function chooseFollowUp(states: readonly GroupState[], now: number): FollowUpCandidate | undefined {
  let best: FollowUpCandidate | undefined;
  for (const state of states) {
    if (state.pending || now < retryNotBefore(state)) continue;
    const followUp = state.followUps?.[0];
    if (!followUp || (best && best.followUp.from <= followUp.from)) continue;
    best = { state, window: { from: followUp.from, to: followUp.to }, followUp };
  }
  return best;
}

/**
 * Windows with nothing left to export: requested after they settled (checkpoints written
 * before windows carried the flag), or wholly older than the group's retention (CloudWatch
 * has expired and refuses such events; a follow-up could only find less). Same object when
 * nothing changes.
 */
export function withNothingLeftToSettle(
  state: GroupState,
  now: number,
  retentionInDays: number | undefined,
): GroupState {
  const expiredBefore = retentionInDays === undefined ? -Infinity : now - retentionInDays * DAY_MS;
  const done = (w: ExportedWindow) =>
    !w.settled && (w.requestedAt >= settlesAt(w) || (w.to < expiredBefore && !queuedCovers(state, w)));
  if (!state.windows.some(done)) return state;
  return { ...state, windows: state.windows.map((w) => (done(w) ? { ...w, settled: true } : w)) };
}

/** A queued follow-up settles its windows itself, once verified. */
function queuedCovers(state: GroupState, window: ExportedWindow): boolean {
  return (state.followUps ?? []).some((f) => f.from <= window.from && window.to <= f.to);
}

/** Scans every group with a batch ready to settle; queues follow-ups or settles the windows. */
export async function lateStep(ctx: RunContext, entries: GroupEntry[], summary: RunSummary): Promise<void> {
  for (const entry of entries) {
    const state = withNothingLeftToSettle(entry.current.state, ctx.now, entry.group.retentionInDays);
    const batches = batchesToScan(state, ctx.now, followUpSpanMs(ctx.config.maxWindowMs));
    if (batches.length === 0 && state === entry.current.state) continue;
    if (outOfTime(ctx)) return;
    try {
      const scanned = batches.length > 0 ? await scanStreams(ctx, state.logGroupName, batches) : [];
      if (!scanned) continue; // out of time or group gone mid-scan: nothing written, scan again
      const next = withScanResult(state, scanned);
      for (const { windows, lateStreams } of scanned) {
        if (lateStreams.length === 0) summary.windowsSettled += windows.length;
      }
      for (const followUp of next.followUps ?? []) {
        if (entry.current.state.followUps?.some((f) => f.from === followUp.from)) continue;
        summary.followUpsQueued.push({
          logGroupName: entry.group.name,
          from: followUp.from,
          to: followUp.to,
          logStreamNamePrefix: followUp.logStreamNamePrefix,
          lateStreams: followUp.lateStreams,
        });
      }
      // A dry run writes nothing but reports the retention this state would need.
      entry.current = ctx.config.dryRun
        ? { ...entry.current, state: next }
        : await ctx.store.replace(entry.current, next);
    } catch (error) {
      if (error instanceof CheckpointConflictError) summary.conflicts++;
      else summary.errors.push({ step: 'late-scan', logGroupName: entry.group.name, error });
    }
  }
}

/**
 * Reads every stream (oldest last event first, as pruning does: a stream written during the
 * pass moves to a page still to come, never to one already read) and lists each batch's late
 * streams. Undefined when the run ran out of time before the last page.
 */
async function scanStreams(
  ctx: RunContext,
  logGroupName: string,
  batches: ExportedWindow[][],
): Promise<Array<{ windows: ExportedWindow[]; lateStreams: string[] }> | undefined> {
  const result = batches.map((windows) => ({ windows, lateStreams: [] as string[] }));
  let nextToken: string | undefined;
  do {
    if (outOfTime(ctx)) return undefined;
    let page;
    try {
      page = await ctx.deps.logs.describeLogStreams({ logGroupName, nextToken });
    } catch (error) {
      if (errorName(error) === 'ResourceNotFoundException') return undefined;
      throw error;
    }
    for (const stream of page.items) {
      for (const batch of result) {
        if (batch.windows.some((w) => isLateFor(stream, w))) batch.lateStreams.push(stream.name);
      }
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return result;
}

function outOfTime(ctx: RunContext): boolean {
  return ctx.deps.deadline?.expired() ?? false;
}
