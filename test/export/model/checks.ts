import type { GroupState } from '../../../libs/exporter/types';
import type { DeletedEvent } from './logs-model';
import type { Simulation } from './simulation';

/** Ids of every event inside an export object (each line is `<ISO time> <message>`). */
export function exportedEventIds(sim: Simulation): Set<string> {
  const ids = new Set<string>();
  for (const [key, { body }] of sim.s3.objects) {
    if (!key.startsWith(`${sim.config.exportPrefix}/`) || key.endsWith('aws-logs-write-test')) continue;
    for (const line of body.split('\n')) ids.add(line.slice(line.indexOf(' ') + 1));
  }
  return ids;
}

/** Events the exporter caused to disappear (stream deletion, retention) that no export holds. */
export function lostEvents(sim: Simulation): { checked: number; lost: DeletedEvent[] } {
  const exported = exportedEventIds(sim);
  let checked = 0;
  const lost: DeletedEvent[] = [];
  for (const deleted of sim.model.deleted) {
    if (deleted.how === 'group-deleted') continue; // someone else's deletion, not ours
    checked++;
    if (!exported.has(deleted.event.id)) lost.push(deleted);
  }
  return { checked, lost };
}

/** Every event the exporter caused to disappear (stream deletion, retention) was exported first. */
export function assertNothingLost(sim: Simulation): number {
  const { checked, lost } = lostEvents(sim);
  const first = lost[0];
  if (first) {
    const { id, timestamp, ingestedAt, exportableAt } = first.event;
    throw new Error(
      `${lost.length} of ${checked} removed events lost; event ${id} of ${first.logGroupName} lost by ${first.how}: ` +
        `timestamp ${new Date(timestamp).toISOString()}, ingested ${new Date(ingestedAt).toISOString()}, ` +
        `exportable ${new Date(exportableAt).toISOString()}`,
    );
  }
  return checked;
}

interface CommittedWindow {
  from: number;
  to: number;
  taskId: string;
}

/**
 * Checkpoints only move forward (within one incarnation of a group), each move is exactly one
 * exported window that starts at the old checkpoint, and that window is a COMPLETED task of the
 * model with the same range: windows neither overlap nor leave gaps, from the origin on.
 */
export function assertCheckpointsAndWindows(sim: Simulation): Map<string, CommittedWindow[]> {
  const last = new Map<string, GroupState>();
  const windows = new Map<string, CommittedWindow[]>();
  for (const { state } of sim.stateWrites) {
    const id = `${state.logGroupName}@${state.groupCreationTime}`;
    const previous = last.get(id);
    last.set(id, state);
    if (!previous) {
      if (state.checkpoint !== state.origin) throw new Error(`${id} created with checkpoint past its origin`);
      windows.set(id, []);
      continue;
    }
    if (state.checkpoint < previous.checkpoint) {
      throw new Error(`${id} checkpoint moved back from ${previous.checkpoint} to ${state.checkpoint}`);
    }
    if (state.checkpoint === previous.checkpoint) continue;
    const window = state.windows.at(-1);
    if (!window || window.from !== previous.checkpoint || window.to !== state.checkpoint - 1) {
      throw new Error(`${id} advanced without a window that continues the checkpoint`);
    }
    const task = sim.model.tasks.find((t) => t.taskId === window.taskId);
    if (
      !task ||
      task.status !== 'COMPLETED' ||
      task.logGroupName !== state.logGroupName ||
      task.from !== window.from ||
      task.to !== window.to
    ) {
      throw new Error(`${id} window ${window.from}-${window.to} is not a completed export task of its own`);
    }
    const list = windows.get(id)!;
    const before = list.at(-1);
    if (before ? window.from !== before.to + 1 : window.from !== state.origin) {
      throw new Error(`${id} windows overlap or leave a gap at ${window.from}`);
    }
    list.push({ from: window.from, to: window.to, taskId: window.taskId });
  }
  return windows;
}

/**
 * Reads the archive the way docs/exporter.md tells readers to skip follow-up duplicates: a
 * line of a stream counts as many times as the one task object holding it most often has it
 * (every export of a window sees a superset of the earlier ones' events, so the latest holds
 * the true count; different windows never share a timestamp). Keyed by stream, then line.
 */
export function readArchive(sim: Simulation): Map<string, Map<string, number>> {
  const perTask = new Map<string, Map<string, number>>(); // `${task}\n${stream}` -> line -> count
  for (const [key, { body }] of sim.s3.objects) {
    if (!key.startsWith(`${sim.config.exportPrefix}/`) || key.endsWith('aws-logs-write-test')) continue;
    // <export prefix>/<group>/dt=<date>/<taskId>/<stream>/000000.gz; `dt=` cannot occur in a group name.
    const [, rest] = key.split('/dt=') as [string, string];
    const [, taskId, ...streamAndFile] = rest.split('/');
    const group = key.slice(0, key.indexOf('/dt='));
    const stream = `${group}:${streamAndFile.slice(0, -1).join('/')}`;
    const counts = perTask.get(`${taskId}\n${stream}`) ?? new Map<string, number>();
    for (const line of body.split('\n')) counts.set(line, (counts.get(line) ?? 0) + 1);
    perTask.set(`${taskId}\n${stream}`, counts);
  }
  const archive = new Map<string, Map<string, number>>();
  for (const [taskAndStream, counts] of perTask) {
    const stream = taskAndStream.slice(taskAndStream.indexOf('\n') + 1);
    const lines = archive.get(stream) ?? new Map<string, number>();
    for (const [line, count] of counts) lines.set(line, Math.max(lines.get(line) ?? 0, count));
    archive.set(stream, lines);
  }
  return archive;
}

/** Read with readArchive, every exported event (unique ids in the model) appears exactly once. */
export function assertArchiveReadsOnce(sim: Simulation): { duplicateLines: number } {
  let raw = 0;
  for (const [key, { body }] of sim.s3.objects) {
    if (key.startsWith(`${sim.config.exportPrefix}/`) && !key.endsWith('aws-logs-write-test')) {
      raw += body.split('\n').length;
    }
  }
  let read = 0;
  const seen = new Set<string>();
  for (const lines of readArchive(sim).values()) {
    for (const [line, count] of lines) {
      if (count !== 1) throw new Error(`line "${line}" reads ${count} times`);
      const id = line.slice(line.indexOf(' ') + 1);
      if (seen.has(id)) throw new Error(`event ${id} is in two streams`);
      seen.add(id);
      read++;
    }
  }
  return { duplicateLines: raw - read };
}
