import { logEventProblem, type CloudWatchLogEvent, type CloudWatchLogsData } from '../decoding/subscription';
import type { MultilineForGroup } from './config';
import { StreamJoin } from './join';
import { compareIds, SeenRanges } from './seen-ranges';

/** Bounds of what an object's join holds (the splitter's memory). */
export interface ObjectJoinLimits {
  /** Open groups at most. */
  maxStreams: number;
  /** Bytes the open groups hold at most: their lines and each part's own cost (PART_OVERHEAD_BYTES). */
  maxHeldBytes: number;
  /** Payload id ranges remembered at most, over all streams (about 200 bytes each). */
  maxSeenRanges: number;
}
export const OBJECT_JOIN_LIMITS: ObjectJoinLimits = {
  maxStreams: 1000,
  maxHeldBytes: 8 * 1024 * 1024,
  maxSeenRanges: 65536,
};

interface HeldStream {
  join: StreamJoin;
  /** The stream's latest payload without its events (owner, group, stream), for the held group. */
  header: CloudWatchLogsData;
}

/**
 * Joins across the payloads of one S3 object (the splitter), per stream (owner, log group, log
 * stream, subscription filters), whatever other streams come between. Each stream's last group
 * stays open until a later payload of that stream closes it or the object ends (`flush`).
 *
 * Firehose delivers at least once, so an object can hold a payload twice, in any order. Every
 * event goes into exactly one document: the object join remembers, per stream, the id range of
 * each payload read (SeenRanges), and an event inside one was read before and is skipped. The
 * events not read before continue the open group only when they follow it directly (no range
 * read before lies between the group's last id and theirs); an earlier payload arriving late is
 * joined on its own and the open group stays open for what follows it. The documents an object
 * gives are the same whatever it repeats, as long as the repeats come after the payload they
 * repeat; in another order a trace can be cut where the late payload went, never losing or
 * doubling a line.
 *
 * What it holds is bounded: past `maxStreams` open groups or `maxHeldBytes`, the stream that
 * waited longest is closed (its next lines start a new document, as at a payload boundary);
 * past `maxSeenRanges`, the stream read longest ago forgets its ranges (a repeat of one of its
 * payloads after that is read again: its lines can be indexed twice, never lost).
 */
export class ObjectJoin {
  private readonly streams = new Map<string, HeldStream>();
  private readonly seen = new Map<string, SeenRanges>();
  private held = 0;
  private seenRanges = 0;

  private readonly limits: ObjectJoinLimits;

  constructor(
    private readonly forGroup: MultilineForGroup,
    limits: Partial<ObjectJoinLimits> = {},
  ) {
    this.limits = { ...OBJECT_JOIN_LIMITS, ...limits };
  }

  /** The payloads to build now: this one's completed groups, and any stream closed to keep the bounds. */
  add(data: CloudWatchLogsData): CloudWatchLogsData[] {
    const rule = data.messageType === 'DATA_MESSAGE' ? this.forGroup(data.logGroup) : undefined;
    if (rule === undefined) return [data];
    const key = `${data.owner}\u0000${data.logGroup}\u0000${data.logStream}\u0000${String(data.subscriptionFilters)}`;
    const seen = this.seen.get(key) ?? new SeenRanges();
    const range = idRange(data.logEvents);
    // Events read before in this object (a repeated payload) are in a document already.
    const fresh = seen.size === 0 ? data.logEvents : data.logEvents.filter((event) => !wasRead(event, seen));
    const out: CloudWatchLogEvent[] = [];
    let stream = this.streams.get(key);
    // Not the payload itself: holding it would keep all its events while the group waits.
    const header = { ...data, logEvents: [] };
    if (stream === undefined) stream = { join: new StreamJoin(rule), header };
    else {
      this.streams.delete(key); // re-inserted below: the map's order is the order streams last moved
      this.held -= stream.join.heldBytes;
      stream.header = header;
    }
    const next = firstId(fresh);
    const last = stream.join.lastId;
    if (next !== undefined && last !== undefined && compareIds(next, last) < 0) {
      // An earlier payload arriving late: joined on its own; the open group waits for what follows it.
      const late = new StreamJoin(rule);
      late.add(fresh, out);
      late.flushTo(out);
    } else {
      // The open group continues only into the events right after it.
      if (next !== undefined && last !== undefined && seen.below(next) !== last) stream.join.flushTo(out);
      stream.join.add(fresh, out);
    }
    if (range !== undefined) {
      const before = seen.size;
      seen.add(range[0], range[1]);
      this.seenRanges += seen.size - before;
    }
    this.seen.delete(key);
    this.seen.set(key, seen); // the map's order is the order streams were last read
    this.held += stream.join.heldBytes;
    if (stream.join.open) this.streams.set(key, stream);
    const ready = out.length === 0 ? [] : [{ ...data, logEvents: out }];
    while (this.streams.size > this.limits.maxStreams || this.held > this.limits.maxHeldBytes) {
      const [oldestKey, oldest] = this.streams.entries().next().value as [string, HeldStream];
      this.streams.delete(oldestKey);
      const closed = this.close(oldest);
      if (closed !== undefined) ready.push(closed);
    }
    while (this.seenRanges > this.limits.maxSeenRanges && this.seen.size > 1) {
      const [oldestKey, oldest] = this.seen.entries().next().value as [string, SeenRanges];
      this.seen.delete(oldestKey);
      this.seenRanges -= oldest.size;
    }
    return ready;
  }

  /** Every open group, as payloads to build: the object has ended. */
  flush(): CloudWatchLogsData[] {
    const ready: CloudWatchLogsData[] = [];
    for (const stream of this.streams.values()) {
      const closed = this.close(stream);
      if (closed !== undefined) ready.push(closed);
    }
    this.streams.clear();
    this.seen.clear();
    this.held = 0;
    this.seenRanges = 0;
    return ready;
  }

  /** What the open groups hold (bytes, as bounded by maxHeldBytes) and the ranges remembered. */
  get holding(): { heldBytes: number; openGroups: number; seenRanges: number } {
    return { heldBytes: this.held, openGroups: this.streams.size, seenRanges: this.seenRanges };
  }

  private close(stream: HeldStream): CloudWatchLogsData | undefined {
    this.held -= stream.join.heldBytes;
    const out: CloudWatchLogEvent[] = [];
    stream.join.flushTo(out);
    return out.length === 0 ? undefined : { ...stream.header, logEvents: out };
  }
}

/** A well-formed event inside a range read before. (A malformed one passes: it is dead-lettered.) */
function wasRead(event: unknown, seen: SeenRanges): boolean {
  return logEventProblem(event) === undefined && seen.has((event as CloudWatchLogEvent).id);
}

function firstId(events: readonly unknown[]): string | undefined {
  for (const event of events)
    if (logEventProblem(event) === undefined) return (event as CloudWatchLogEvent).id;
  return undefined;
}

/** The lowest and highest id of the payload's well-formed events. */
function idRange(events: readonly unknown[]): [string, string] | undefined {
  let low: string | undefined;
  let high: string | undefined;
  for (const event of events) {
    if (logEventProblem(event) !== undefined) continue;
    const { id } = event as CloudWatchLogEvent;
    if (low === undefined || compareIds(id, low) < 0) low = id;
    if (high === undefined || compareIds(id, high) > 0) high = id;
  }
  return low === undefined ? undefined : [low, high!];
}
