import type { LogDocument } from '../documents/types';
import { AppError } from '../errors';

/** What the destination said about one document. */
export type ItemOutcome =
  | { kind: 'delivered' }
  /** 409 on `create`: an earlier attempt (or the other path) already indexed it. */
  | { kind: 'duplicate' }
  | { kind: 'retry'; reason: string }
  | { kind: 'permanent'; reason: string };

/** A document already encoded for its transport, with its size for batching. */
export interface EncodedDocument {
  doc: LogDocument;
  body: string;
  /** Its UTF-8 size, or an upper bound of it (3 bytes per UTF-16 unit). */
  bytes: number;
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
  /** Sends one batch; resolves with one outcome per document, in order, or throws TransportError. */
  send(batch: readonly EncodedDocument[], timeoutMs: number): Promise<ItemOutcome[]>;
}

/** Counts for one invocation; `failed` > 0 means the invocation must fail so Lambda keeps the event. */
export interface DeliveryReport {
  received: number;
  delivered: number;
  duplicates: number;
  retried: number;
  deadLettered: number;
  failed: number;
}
