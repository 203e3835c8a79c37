import { logEventProblem, type CloudWatchLogEvent, type CloudWatchLogsData } from '../decoding/subscription';
import { stripTrailingNewline } from '../documents/build';
import type { MultilineForGroup, MultilineRule } from './config';

/**
 * Joins the events of one log stream that continue each other (a stack trace written one line
 * per event) into one event, in the order the stream gives them: CloudWatch Logs hands a
 * subscription payload's events in the order they were stored (ascending ids), and nothing here
 * reorders them.
 *
 * A joined event keeps its FIRST part's id and timestamp (so a redelivered payload gives the same
 * `_id`s), its message is the parts' messages (each without a trailing newline) joined with "\n",
 * and `parts` holds the raw events, for a dead letter if it cannot become a document. An event
 * that continues nothing (the first of a payload, or after a cap) starts its own group: a trace
 * cut by a payload's end gives two documents, the head and the tail, each with its own first id;
 * no line is dropped. maxLines and maxBytes (UTF-8 of the joined message) cap a group: the line
 * that would pass a cap starts a new one.
 */
export interface JoinedEvent extends CloudWatchLogEvent {
  parts: CloudWatchLogEvent[];
}

/** The open group of one stream; completed events are appended to the caller's list. */
export class StreamJoin {
  // The open group: its first event and line; `parts` and `lines` only once a second part joins
  // (most events are alone: no arrays, no byte count for them). `bytes` is -1 until counted.
  private first: CloudWatchLogEvent | undefined;
  private firstLine = '';
  private parts: CloudWatchLogEvent[] | undefined;
  private lines: string[] | undefined;
  private bytes = -1;

  constructor(readonly rule: MultilineRule) {}

  /** Adds events of the stream, in order. A malformed event (dead-lettered later) closes the group and passes alone. */
  add(events: readonly unknown[], out: CloudWatchLogEvent[]): void {
    const { rule } = this;
    for (const raw of events) {
      if (logEventProblem(raw) !== undefined) {
        this.flushTo(out);
        out.push(raw as CloudWatchLogEvent);
        continue;
      }
      const event = raw as CloudWatchLogEvent;
      const line = stripTrailingNewline(event.message);
      if (this.first !== undefined && rule.continues(line) && this.fits(line)) {
        if (this.parts === undefined) {
          this.parts = [this.first];
          this.lines = [this.firstLine];
        }
        this.parts.push(event);
        this.lines!.push(line);
        continue;
      }
      this.flushTo(out);
      this.first = event;
      this.firstLine = line;
    }
  }

  /** Whether `line` may join the open group within maxLines and maxBytes (counting it if so). */
  private fits(line: string): boolean {
    const { maxLines, maxBytes } = this.rule;
    if ((this.parts?.length ?? 1) >= maxLines) return false;
    if (this.bytes < 0) this.bytes = Buffer.byteLength(this.firstLine);
    const bytes = this.bytes + 1 + Buffer.byteLength(line);
    if (bytes > maxBytes) return false;
    this.bytes = bytes;
    return true;
  }

  /** Closes the open group (if any) into `out`. */
  flushTo(out: CloudWatchLogEvent[]): void {
    const first = this.first;
    if (first === undefined) return;
    // A group of one is the event as received: the same document as without a multiline rule.
    if (this.parts === undefined) out.push(first);
    else {
      const joined: JoinedEvent = {
        id: first.id,
        timestamp: first.timestamp,
        message: this.lines!.join('\n'),
        parts: this.parts,
      };
      out.push(joined);
    }
    this.discard();
  }

  /** Drops the open group: its events are about to come again (see ObjectJoin). */
  discard(): void {
    this.first = undefined;
    this.firstLine = '';
    this.parts = undefined;
    this.lines = undefined;
    this.bytes = -1;
  }

  /** What the open group holds, for the object join's bound (UTF-16 length of a lone line: an estimate). */
  get heldBytes(): number {
    if (this.first === undefined) return 0;
    return this.bytes >= 0 ? this.bytes : this.firstLine.length;
  }
  get firstId(): string | undefined {
    return this.first?.id;
  }
  get lastId(): string | undefined {
    return this.parts === undefined ? this.first?.id : this.parts[this.parts.length - 1]!.id;
  }
}

/**
 * One payload's events joined within the payload (subscription payloads and Kinesis records:
 * each is its own unit of retry, so a group never spans two). The payload itself when nothing
 * was joined.
 */
export function joinPayload(data: CloudWatchLogsData, rule: MultilineRule): CloudWatchLogsData {
  const join = new StreamJoin(rule);
  const out: CloudWatchLogEvent[] = [];
  join.add(data.logEvents, out);
  join.flushTo(out);
  return out.length === data.logEvents.length ? data : { ...data, logEvents: out };
}

interface HeldStream {
  join: StreamJoin;
  /** The stream's latest payload without its events (owner, group, stream), for the held group. */
  header: CloudWatchLogsData;
}

/** Bounds of what an object's join holds open (the splitter's memory): streams and bytes. */
export interface ObjectJoinLimits {
  maxStreams: number;
  maxHeldBytes: number;
}
const DEFAULT_LIMITS: ObjectJoinLimits = { maxStreams: 1000, maxHeldBytes: 16 * 1024 * 1024 };

/**
 * Joins across the payloads of one S3 object (the splitter), per stream (owner, log group, log
 * stream), whatever other streams come between. Each stream's last group stays open until a
 * later payload of that stream closes it or the object ends (`flush`). What it holds is bounded:
 * past `maxStreams` open groups or `maxHeldBytes`, the stream that waited longest is closed
 * (its next lines start a new document, as at a payload boundary).
 *
 * Payloads of a stream follow each other in the object in the order CloudWatch Logs sent them;
 * a payload whose first id is not above the open group's last one does not continue it. A
 * payload that repeats the open group's first event (Firehose delivers at least once) replaces
 * that group: the repeat rebuilds it, so one `_id` never names two different groups.
 */
export class ObjectJoin {
  private readonly streams = new Map<string, HeldStream>();
  private held = 0;

  constructor(
    private readonly forGroup: MultilineForGroup,
    private readonly limits: ObjectJoinLimits = DEFAULT_LIMITS,
  ) {}

  /** The payloads to build now: this one's completed groups, and any stream closed to keep the bounds. */
  add(data: CloudWatchLogsData): CloudWatchLogsData[] {
    const rule = data.messageType === 'DATA_MESSAGE' ? this.forGroup(data.logGroup) : undefined;
    if (rule === undefined) return [data];
    const key = `${data.owner}\u0000${data.logGroup}\u0000${data.logStream}`;
    const out: CloudWatchLogEvent[] = [];
    let stream = this.streams.get(key);
    // Not the payload itself: holding it would keep all its events while the group waits.
    const header = { ...data, logEvents: [] };
    if (stream === undefined) stream = { join: new StreamJoin(rule), header };
    else {
      this.streams.delete(key); // re-inserted below: the map's order is the order streams last moved
      this.held -= stream.join.heldBytes;
      stream.header = header;
      const firstId = stream.join.firstId;
      const next = firstEventId(data);
      if (firstId !== undefined && !ascending(stream.join.lastId!, next)) {
        if (data.logEvents.some((event) => (event as CloudWatchLogEvent | null)?.id === firstId))
          stream.join.discard();
        else stream.join.flushTo(out);
      }
    }
    stream.join.add(data.logEvents, out);
    this.held += stream.join.heldBytes;
    this.streams.set(key, stream);
    const ready = out.length === 0 ? [] : [{ ...data, logEvents: out }];
    while (this.streams.size > this.limits.maxStreams || this.held > this.limits.maxHeldBytes) {
      const [oldestKey, oldest] = this.streams.entries().next().value as [string, HeldStream];
      this.streams.delete(oldestKey);
      const closed = this.close(oldest);
      if (closed !== undefined) ready.push(closed);
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
    this.held = 0;
    return ready;
  }

  private close(stream: HeldStream): CloudWatchLogsData | undefined {
    this.held -= stream.join.heldBytes;
    const out: CloudWatchLogEvent[] = [];
    stream.join.flushTo(out);
    return out.length === 0 ? undefined : { ...stream.header, logEvents: out };
  }
}

function firstEventId(data: CloudWatchLogsData): string | undefined {
  const id = (data.logEvents[0] as CloudWatchLogEvent | undefined)?.id;
  return typeof id === 'string' ? id : undefined;
}

/** CloudWatch ids are equal-length decimal strings, ascending within a stream. */
function ascending(last: string, next: string | undefined): boolean {
  return next !== undefined && next.length === last.length && next > last;
}
