import type { LogDocument } from './types';

/** A log event that could not become a document, kept with the reason (it is dead-lettered, never dropped). */
export interface RejectedEvent {
  reason: string;
  event: unknown;
  logGroup?: string;
  logStream?: string;
}

/**
 * The per-event guard every path shares (subscription forwarder, Kinesis, splitter). Each step
 * that turns ONE event into a document and queues it (decode of its line, parse, build, rules,
 * serialize) runs inside `EventGuard.push`; anything it throws (a stack overflow, a RangeError
 * from a time, a bug) makes that event a poison event: it goes to `reject` raw, as received,
 * with the reason, is dead-lettered and counted, and the next event goes on. A poison event
 * can never fail its payload, batch or object on every retry.
 */

/** Where documents go: a Delivery (push returns a promise to await when its slots are busy). */
export interface DocumentSink {
  /** Encodes the document first: a throw there leaves the sink as it was. */
  push(doc: LogDocument): Promise<void> | undefined;
  reject(rejected: RejectedEvent): void;
}

const MAX_REASON_CHARS = 300;

/**
 * A thrown value as a dead letter's reason: name and message, cut short (a SyntaxError may
 * quote the line; the dead letter holds the raw event anyway, logs must not).
 */
export function failureReason(step: string, error: unknown): string {
  const text =
    error instanceof Error
      ? `${error.name}: ${error.message}`
      : typeof error === 'string'
        ? error
        : `thrown ${typeof error}`;
  const reason = `${step}: ${text}`;
  return reason.length <= MAX_REASON_CHARS ? reason : `${reason.slice(0, MAX_REASON_CHARS)}…`;
}

/**
 * Builds and pushes the documents of one kind of event. `build` is made once per payload, record
 * or object (not per event: a closure per event would cost more than the guard), returns
 * undefined for an event a rule filtered out, and may throw; `poison` says how the raw event
 * is dead-lettered.
 */
export class EventGuard<E> {
  /** Documents handed to the sink (not filtered out, not rejected). */
  pushed = 0;

  constructor(
    private readonly sink: DocumentSink,
    private readonly build: (event: E) => LogDocument | undefined,
    private readonly poison: (event: E, reason: string) => RejectedEvent,
    private readonly step = 'document',
  ) {}

  /** Queues the event's document; a promise means wait before the next (backpressure). */
  push(event: E): Promise<void> | undefined {
    try {
      const doc = this.build(event);
      if (doc === undefined) return undefined;
      const slot = this.sink.push(doc);
      this.pushed++;
      return slot;
    } catch (error) {
      this.sink.reject(this.poison(event, failureReason(this.step, error)));
      return undefined;
    }
  }
}
