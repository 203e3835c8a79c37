import type { ExporterConfig } from './config';
import { floorTo, HOUR_MS, MAX_EVENT_AGE_MS, SETTLE_AFTER_MS, utcDate } from './time';
import type { ExportedWindow, GroupState, LogGroupInfo, PendingExport } from './types';

/**
 * How many settled windows a checkpoint keeps (unsettled ones are always kept); streams older
 * than the history are never pruned, retention handles them.
 */
export const WINDOW_HISTORY_LIMIT = 200;

/** When every event the window will ever hold is ingested and exportable (see late.ts). */
export function settlesAt(window: Pick<ExportedWindow, 'to'>): number {
  return window.to + 1 + SETTLE_AFTER_MS;
}

/** A window requested after it settles (a backlog being caught up) saw everything at once. */
export function settledOnExport(window: Pick<ExportedWindow, 'to' | 'requestedAt'>): boolean {
  return window.requestedAt >= settlesAt(window);
}

/** Drops the oldest windows beyond the limit, but never one still waiting to settle. */
export function trimHistory(windows: ExportedWindow[]): ExportedWindow[] {
  let drop = 0;
  while (windows.length - drop > WINDOW_HISTORY_LIMIT && windows[drop]!.settled) drop++;
  return drop === 0 ? windows : windows.slice(drop);
}

/** After this many consecutive failures a group waits before its next attempt. */
export const FAILURES_BEFORE_BACKOFF = 3;
const MAX_BACKOFF_MS = 24 * HOUR_MS;

/** 1 h after the third failure in a row, doubling up to a day, so one bad group cannot starve the rest. */
export function retryNotBefore(state: GroupState): number {
  if (state.failures < FAILURES_BEFORE_BACKOFF || !state.lastFailure) return -Infinity;
  const backoff = Math.min(HOUR_MS * 2 ** (state.failures - FAILURES_BEFORE_BACKOFF), MAX_BACKOFF_MS);
  return state.lastFailure.at + backoff;
}

export function initialState(group: LogGroupInfo): GroupState {
  // Hour-aligned so every window boundary is a whole hour.
  const origin = floorTo(group.creationTime - MAX_EVENT_AGE_MS, HOUR_MS);
  return {
    version: 1,
    logGroupName: group.name,
    groupCreationTime: group.creationTime,
    origin,
    checkpoint: origin,
    failures: 0,
    pruneDue: false,
    windows: [],
  };
}

/** `<root>/<group without leading slash>/dt=YYYY-MM-DD`; the logs service appends `/<taskId>/`. */
export function destinationPrefix(exportPrefix: string, logGroupName: string, from: number): string {
  const group = logGroupName.replace(/^\/+/, '');
  return `${exportPrefix}/${group}/dt=${utcDate(from)}`;
}

export interface Window {
  from: number;
  /** Inclusive, as CreateExportTask treats it: the next window starts at to + 1. */
  to: number;
}

/** [checkpoint, min(checkpoint + maxWindow, now - lag)) as an inclusive range, or none if too short. */
export function nextWindow(
  state: GroupState,
  now: number,
  config: Pick<ExporterConfig, 'lagMs' | 'maxWindowMs' | 'minWindowMs'>,
): Window | undefined {
  const horizon = floorTo(now - config.lagMs, HOUR_MS);
  const end = Math.min(state.checkpoint + config.maxWindowMs, horizon);
  if (end - state.checkpoint < config.minWindowMs) return undefined;
  return { from: state.checkpoint, to: end - 1 };
}

export interface Candidate {
  state: GroupState;
  window: Window;
}

/** The group furthest behind wins, skipping groups that are backing off after repeated failures. */
export function chooseNext(
  states: readonly GroupState[],
  now: number,
  config: Pick<ExporterConfig, 'lagMs' | 'maxWindowMs' | 'minWindowMs'>,
): Candidate | undefined {
  const candidates: Candidate[] = [];
  for (const state of states) {
    if (state.pending || now < retryNotBefore(state)) continue;
    const window = nextWindow(state, now, config);
    if (window) candidates.push({ state, window });
  }
  candidates.sort(
    (a, b) =>
      a.state.checkpoint - b.state.checkpoint || a.state.logGroupName.localeCompare(b.state.logGroupName),
  );
  return candidates[0];
}

export function withIntent(state: GroupState, pending: PendingExport): GroupState {
  return { ...state, pending };
}

/** The only way a checkpoint moves: our pending task COMPLETED and its objects were found. */
export function withCompletion(state: GroupState, taskId: string): GroupState {
  const pending = state.pending;
  if (!pending || pending.followUp || pending.from !== state.checkpoint) {
    throw new Error(`completion does not continue the checkpoint of ${state.logGroupName}`);
  }
  const window: ExportedWindow = {
    from: pending.from,
    to: pending.to,
    taskId,
    requestedAt: pending.requestedAt,
    destinationPrefix: pending.destinationPrefix,
  };
  if (settledOnExport(window)) window.settled = true;
  const { pending: _done, lastFailure: _cleared, ...rest } = state;
  return {
    ...rest,
    checkpoint: pending.to + 1,
    failures: 0,
    pruneDue: true,
    windows: trimHistory([...state.windows, window]),
  };
}

export function withFailure(state: GroupState, at: number, status: string, message?: string): GroupState {
  const { pending: _dropped, ...rest } = state;
  return {
    ...rest,
    failures: state.failures + 1,
    lastFailure: message === undefined ? { at, status } : { at, status, message: message.slice(0, 300) },
  };
}

/** Drops an intent whose CreateExportTask never took effect (refused, or never sent). */
export function withoutIntent(state: GroupState): GroupState {
  const { pending: _dropped, ...rest } = state;
  return rest;
}

/** The exported window that holds `timestamp`, if it is still in the bounded history. */
export function windowContaining(
  windows: readonly ExportedWindow[],
  timestamp: number,
): ExportedWindow | undefined {
  let low = 0;
  let high = windows.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const window = windows[mid]!;
    if (timestamp < window.from) high = mid - 1;
    else if (timestamp > window.to) low = mid + 1;
    else return window;
  }
  return undefined;
}
