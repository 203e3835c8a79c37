import { logEventProblem, type CloudWatchLogEvent, type CloudWatchLogsData } from '../decoding/subscription';
import { stripTrailingNewline } from '../documents/build';
import type { MultilineRule } from './config';

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

/**
 * What one held part costs beyond its line's bytes: the event object as parsed (id string,
 * timestamp, message string) and its slot in the group's array. Measured on Node 20 (146
 * bytes for an event with a one-character message: test/multiline/memory.test.ts); rounded up.
 */
export const PART_OVERHEAD_BYTES = 200;

/** The open group of one stream; completed events are appended to the caller's list. */
export class StreamJoin {
  // The open group: its first event and line; `parts` only once a second part joins (most
  // events are alone: no array, no byte count for them). `bytes` is -1 until counted. The
  // lines are not kept beside the parts: the message is built from the parts when it closes.
  private first: CloudWatchLogEvent | undefined;
  private firstLine = '';
  /** The group's last line: what a preset looks at besides the line. */
  private lastLine = '';
  private parts: CloudWatchLogEvent[] | undefined;
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
      if (this.first !== undefined && rule.continues(line, this.lastLine) && this.fits(line)) {
        if (this.parts === undefined) this.parts = [this.first];
        this.parts.push(event);
        this.lastLine = line;
        continue;
      }
      this.flushTo(out);
      this.first = event;
      this.firstLine = line;
      this.lastLine = line;
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
        message: joinedMessage(this.parts),
        parts: this.parts,
      };
      out.push(joined);
    }
    this.first = undefined;
    this.firstLine = '';
    this.lastLine = '';
    this.parts = undefined;
    this.bytes = -1;
  }

  /**
   * What the open group holds in memory, for the object join's bound: its lines' bytes (UTF-16
   * length of a lone line: an estimate) and each part's own cost.
   */
  get heldBytes(): number {
    if (this.first === undefined) return 0;
    if (this.parts === undefined) return this.firstLine.length + PART_OVERHEAD_BYTES;
    return this.bytes + this.parts.length * PART_OVERHEAD_BYTES;
  }
  get open(): boolean {
    return this.first !== undefined;
  }
  get lastId(): string | undefined {
    return this.parts === undefined ? this.first?.id : this.parts[this.parts.length - 1]!.id;
  }
}

/**
 * The parts' messages, each without its trailing newline, joined with "\n". Every document's
 * build strips one trailing newline from the message (an event's own); when the last line is
 * empty the joined text ends with "\n" that is a line, not a terminator, so one more is added
 * for the build to take and the empty line stays.
 */
function joinedMessage(parts: readonly CloudWatchLogEvent[]): string {
  const text = parts.map((part) => stripTrailingNewline(part.message)).join('\n');
  return text.charCodeAt(text.length - 1) === 10 ? `${text}\n` : text;
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
