import type { LogDocument } from '../documents/types';
import { AppError } from '../../runtime/errors';

/** What the destination said about one document. */
export type ItemOutcome =
  | { kind: 'delivered' }
  /** 409 on `create`: an earlier attempt (or the other path) already indexed it. */
  | { kind: 'duplicate' }
  | { kind: 'retry'; reason: string }
  | { kind: 'permanent'; reason: string };

/**
 * A document encoded for its transport, with its size for batching. Once written into a request
 * body it keeps only its bytes there (`raw` from `start` to `end`): batches waiting for an answer
 * then hold bytes outside the JS heap, not document objects and strings that the garbage
 * collector would copy and promote meanwhile. `Transport.decode` gives a dead letter its document.
 */
export interface EncodedDocument {
  /** The document, when the delivery keeps documents (outcome wrappers need them), else undefined. */
  doc: LogDocument | undefined;
  /** The document's `_id`: how a `_bulk` answer's items are matched to what was sent. */
  id: string;
  /** Its text until it is written into a request body, then ''. */
  body: string;
  /** Its UTF-8 size: an upper bound (3 bytes per UTF-16 unit) until written, then exact. */
  bytes: number;
  raw: Buffer | undefined;
  start: number;
  end: number;
}

/** A document's encoded item, not yet written into any request body. */
export function encodedItem(
  doc: LogDocument | undefined,
  id: string,
  body: string,
  bytes: number,
): EncodedDocument {
  return { doc, id, body, bytes, raw: undefined, start: 0, end: 0 };
}

/** The item's text: its own, or read back from the request body it was written into. */
export function encodedText(item: EncodedDocument): string {
  return item.raw === undefined ? item.body : item.raw.toString('utf8', item.start, item.end);
}

/** A whole request failed (connection, timeout, 5xx, 401...). `retryable` says whether to try again. */
export class TransportError extends AppError {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The wire protocol of one destination kind. */
export interface Transport {
  readonly kind: string;
  encode(doc: LogDocument): string;
  /** The document back from its encoded text (a dead letter's document). */
  decode(text: string): LogDocument;
  /** Sends one batch; resolves with one outcome per document, in order, or throws TransportError. */
  send(batch: readonly EncodedDocument[], timeoutMs: number): Promise<ItemOutcome[]>;
}

/** Counts for one invocation; `failed` > 0 means the invocation must fail so Lambda keeps the event. */
export interface DeliveryReport {
  received: number;
  delivered: number;
  duplicates: number;
  retried: number;
  dead_lettered: number;
  /** Events that could not become documents (malformed, or a step threw): dead-lettered raw. */
  rejected: number;
  failed: number;
}

/** A report of nothing yet: what a delivery starts from, and what totals over several add to. */
export const emptyDeliveryReport = (): DeliveryReport => ({
  received: 0,
  delivered: 0,
  duplicates: 0,
  retried: 0,
  dead_lettered: 0,
  rejected: 0,
  failed: 0,
});
