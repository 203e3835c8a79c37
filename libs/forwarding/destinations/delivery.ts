import type { LogDocument } from '../documents/types';
import type { RejectedEvent } from '../documents/guard';
import { AppError, describeError } from '../../runtime/errors';
import type { Logger } from '../../runtime/logger';
import type { DeadLetter, DeadLetterSink } from './dead-letter';
import type { DeliveryReport, EncodedDocument, ItemOutcome, Transport } from './types';
import { emptyDeliveryReport, encodedItem, encodedText, TransportError } from './types';

export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  maxAttempts: number;
}

export interface DeliveryOptions {
  maxBatchDocs: number;
  maxBatchBytes: number;
  concurrency: number;
  requestTimeoutMs: number;
  retry: RetryPolicy;
  /**
   * Keep each document object until its outcome is known, for a transport wrapper that maps
   * outcomes back by document (Kinesis). Otherwise a batch in flight holds only its bytes.
   */
  keepDocuments?: boolean;
  /** Milliseconds we may still spend on this invocation (Lambda's remaining time minus a reserve). */
  timeLeft: () => number;
  deadLetters?: DeadLetterSink;
  log: Logger;
  /** Called once by close(), whether it succeeds or throws (metrics). */
  onReport?: (report: DeliveryReport) => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** Documents were neither delivered nor dead-lettered: the invocation fails so Lambda keeps the event. */
export class DeliveryError extends AppError {
  constructor(
    readonly report: DeliveryReport,
    readonly reasons: string[],
    options?: { cause?: unknown },
  ) {
    super(
      `${report.failed} of ${report.received} documents were neither delivered nor dead-lettered: ${reasons.join('; ')}`,
      options,
    );
  }
}

const MAX_REASONS = 5;
/**
 * A destination that answers 413 to a request of one document smaller than this refuses
 * requests, not that document (a proxy's body limit, nginx's default 1 MiB among them, or a
 * 413 to everything): the documents are kept for a retry (the invocation fails loudly), never
 * dead-lettered one by one as "too large". CloudWatch Logs events are at most 256 KiB.
 */
export const SMALLEST_REFUSABLE_DOCUMENT_BYTES = 1024 * 1024;
const REFUSES_ONE_DOCUMENT =
  'the destination refuses even a request of one document (413): nothing more is sent in this invocation';
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One invocation's delivery: documents are pushed as they are built, cut into batches by
 * count and bytes, sent with bounded concurrency (push() returns a promise to await when all
 * slots are busy: backpressure), retried per item with exponential backoff and full jitter
 * while time allows, and refused documents are dead-lettered. close() waits for everything
 * and throws DeliveryError if anything could be neither delivered nor dead-lettered.
 */
export class Delivery {
  private batch: EncodedDocument[] = [];
  private batchBytes = 0;
  private batchCountedExactly = true;
  private readonly inflight = new Set<Promise<void>>();
  private readonly deadLetters: DeadLetter[] = [];
  private readonly reasons = new Set<string>();
  /** Set when a 413 came back for one small document: nothing more is sent (it would be refused too). */
  private refusesSmallRequests = false;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  readonly report: DeliveryReport = emptyDeliveryReport();

  constructor(
    private readonly transport: Transport,
    private readonly options: DeliveryOptions,
  ) {
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
  }

  /** Queues a document. When a promise is returned, await it before pushing more. */
  push(doc: LogDocument): Promise<void> | undefined {
    const body = this.transport.encode(doc);
    // A UTF-16 unit is at most 3 UTF-8 bytes. Counting exactly costs a pass over every document,
    // so it is done only when the bound would not fit: batches never exceed the byte limit, and
    // are cut no earlier than exact counting would cut them.
    let bytes = body.length * 3;
    if (this.batchBytes + bytes > this.options.maxBatchBytes) {
      this.countBatchExactly();
      bytes = Buffer.byteLength(body);
      if (this.batch.length > 0 && this.batchBytes + bytes > this.options.maxBatchBytes) this.dispatch();
    } else {
      this.batchCountedExactly = false;
    }
    this.batch.push(encodedItem(this.options.keepDocuments ? doc : undefined, doc._id, body, bytes));
    this.batchBytes += bytes;
    this.report.received++;
    if (this.batch.length < this.options.maxBatchDocs) return undefined;
    this.dispatch();
    // Yield once per batch even when a slot is free: the event loop then writes the batch just
    // compressed and reads answers, so sending overlaps with building the next batch.
    return this.inflight.size >= this.options.concurrency ? this.waitForSlot() : yieldToEventLoop();
  }

  /** Records a log event too malformed to become a document; it is dead-lettered at close(). */
  reject(rejected: RejectedEvent): void {
    this.report.received++;
    this.report.rejected++;
    this.deadLetters.push({ ...rejected });
  }

  async close(): Promise<DeliveryReport> {
    this.dispatch();
    while (this.inflight.size > 0) await Promise.all(this.inflight);
    await this.flushDeadLetters();
    this.options.onReport?.(this.report);
    if (this.report.failed > 0) throw new DeliveryError(this.report, [...this.reasons].slice(0, MAX_REASONS));
    return this.report;
  }

  private dispatch(): void {
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    this.batchCountedExactly = true;
    this.track(this.deliver(batch));
  }

  /** Replaces the batch's size bounds by exact sizes (each document is counted once). */
  private countBatchExactly(): void {
    if (this.batchCountedExactly) return;
    let total = 0;
    for (const item of this.batch) total += item.bytes = Buffer.byteLength(item.body);
    this.batchBytes = total;
    this.batchCountedExactly = true;
  }

  private track(task: Promise<void>): void {
    const tracked = task.finally(() => this.inflight.delete(tracked));
    this.inflight.add(tracked);
  }

  private async waitForSlot(): Promise<void> {
    while (this.inflight.size >= this.options.concurrency) await Promise.race(this.inflight);
  }

  private async deliver(batch: EncodedDocument[]): Promise<void> {
    let items = batch;
    for (let attempt = 1; ; attempt++) {
      const timeLeft = this.options.timeLeft();
      if (timeLeft <= 0) return this.fail(items, 'no time left in this invocation');
      if (this.refusesSmallRequests) return this.fail(items, REFUSES_ONE_DOCUMENT);
      let outcomes: ItemOutcome[];
      try {
        outcomes = await this.transport.send(items, Math.min(this.options.requestTimeoutMs, timeLeft));
      } catch (error) {
        if (error instanceof TransportError && error.status === 413) return this.splitTooLarge(items);
        if (!(error instanceof TransportError) || !error.retryable) {
          const { name, message } = describeError(error);
          return this.fail(items, `${name}: ${message}`);
        }
        outcomes = items.map(() => ({ kind: 'retry', reason: error.message }));
      }
      const retry: EncodedDocument[] = [];
      let lastReason = '';
      outcomes.forEach((outcome, i) => {
        const item = items[i]!;
        if (outcome.kind === 'delivered') this.report.delivered++;
        else if (outcome.kind === 'duplicate') this.report.duplicates++;
        else if (outcome.kind === 'permanent')
          this.deadLetters.push({ reason: outcome.reason, document: this.documentOf(item) });
        else {
          retry.push(item);
          lastReason = outcome.reason;
        }
      });
      if (retry.length === 0) return;
      const delay = this.backoff(attempt);
      if (attempt >= this.options.retry.maxAttempts) {
        return this.fail(retry, `still failing after ${attempt} attempts: ${lastReason}`);
      }
      if (this.options.timeLeft() < delay + 1000) {
        return this.fail(retry, `no time left to retry: ${lastReason}`);
      }
      this.report.retried += retry.length;
      this.options.log.warn('retrying documents', {
        count: retry.length,
        attempt,
        delay_ms: delay,
        reason: lastReason,
      });
      await this.sleep(delay);
      items = retry;
    }
  }

  /**
   * 413: halve the batch until it fits, one half after the other (a destination that refuses
   * every request is found after log2(n) + 1 requests, not 2n-1). A single document over
   * SMALLEST_REFUSABLE_DOCUMENT_BYTES is dead-lettered as too large; a smaller one means the
   * destination refuses even one document: nothing is dead-lettered, the invocation fails.
   */
  private async splitTooLarge(items: EncodedDocument[]): Promise<void> {
    if (items.length === 1) {
      const bytes = Buffer.byteLength(encodedText(items[0]!));
      if (bytes < SMALLEST_REFUSABLE_DOCUMENT_BYTES) {
        this.refusesSmallRequests = true;
        this.options.log.error('destination refuses a request of one document', {
          status: 413,
          document_bytes: bytes,
          hint: 'a proxy or cluster body limit (http.max_content_length, client_max_body_size) below one document',
        });
        return this.fail(
          items,
          `the destination refuses even a request of one document of ${bytes} bytes (413)`,
        );
      }
      this.deadLetters.push({
        reason: `document of ${bytes} bytes is too large for the destination (413)`,
        document: this.documentOf(items[0]!),
      });
      return;
    }
    const half = Math.ceil(items.length / 2);
    await this.deliver(items.slice(0, half));
    await this.deliver(items.slice(half));
  }

  private documentOf(item: EncodedDocument): LogDocument {
    return item.doc ?? this.transport.decode(encodedText(item));
  }

  private backoff(attempt: number): number {
    const { baseDelayMs, maxDelayMs } = this.options.retry;
    const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    // Equal jitter: Lambdas throttled together do not come back together, and none retries at once.
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  private fail(items: EncodedDocument[], reason: string): void {
    this.report.failed += items.length;
    this.reasons.add(reason);
    this.options.log.error('documents not delivered', { count: items.length, reason });
  }

  private async flushDeadLetters(): Promise<void> {
    if (this.deadLetters.length === 0) return;
    const count = this.deadLetters.length;
    const sample = this.deadLetters[0]!.reason;
    if (this.options.deadLetters === undefined) {
      this.report.failed += count;
      this.reasons.add(`${count} refused documents and no dead-letter bucket configured (first: ${sample})`);
      return;
    }
    try {
      const location = await this.options.deadLetters.put(this.deadLetters);
      this.report.dead_lettered += count;
      this.options.log.warn('documents dead-lettered', { count, location, first_reason: sample });
    } catch (error) {
      this.report.failed += count;
      // The engine's reason too: the S3 error alone hides why the documents were refused.
      this.reasons.add(
        `dead-lettering ${count} documents failed: ${describeError(error).message} (first refused: ${sample})`,
      );
    }
  }
}
