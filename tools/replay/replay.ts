import { gzipSync } from 'node:zlib';
import type { DeadLetter, DeadLetterSink } from '../../libs/forwarding/destinations/dead-letter';
import { Delivery, DeliveryError, type DeliveryOptions } from '../../libs/forwarding/destinations/delivery';
import type { DeliveryReport, Transport } from '../../libs/forwarding/destinations/types';
import { AppError, describeError } from '../../libs/runtime/errors';
import type { Logger } from '../../libs/runtime/logger';
import {
  DEAD_LETTER_ROOT,
  dayOfKey,
  parseObject,
  reasonClass,
  type DeadLetterLine,
  type LineKind,
} from './dead-letters';

/**
 * Replay of dead-lettered documents once the cause is fixed (a mapping, a template): each chosen
 * document is sent again with its original `_id` and `_index` (bulk `create`), so a document
 * already indexed answers 409 and a second replay indexes nothing twice. What is refused again
 * is dead-lettered again, with the new reason, under dead-letter/replay/.
 *
 * An object is changed only after every line taken from it is accounted for (delivered, already
 * there, or written again as a dead letter): then it is deleted, or rewritten with the lines that
 * stay (raw events, lines not chosen). If anything cannot be delivered, the run stops and that
 * object stays as it was.
 */

/** The dead-letter bucket, as the replay uses it. */
export interface ObjectStore {
  list(prefix: string): Promise<string[]>;
  get(key: string): Promise<Buffer>;
  put(key: string, body: Buffer): Promise<void>;
  delete(key: string): Promise<void>;
}

export interface ReplayOptions {
  store: ObjectStore;
  /** The stage's destination transport (`_bulk`), as the forwarder builds it. */
  transport: Transport;
  /** Where what is refused again goes (an S3DeadLetterSink on dead-letter/replay/). */
  deadLetters: DeadLetterSink;
  /** Only entries dead-lettered at or after this time (objects by their `dt=` day first). */
  since?: Date;
  /** Only documents whose reason contains this text (case-insensitive). */
  reason?: string;
  dryRun: boolean;
  delivery: Pick<
    DeliveryOptions,
    'maxBatchDocs' | 'maxBatchBytes' | 'concurrency' | 'requestTimeoutMs' | 'retry'
  >;
  log: Logger;
  prefix?: string;
}

export type ObjectOutcome = 'unchanged' | 'deleted' | 'rewritten' | 'failed' | 'would replay';

export interface ObjectReport {
  key: string;
  outcome: ObjectOutcome;
  lines: number;
  chosen: number;
  kept: number;
  report?: DeliveryReport;
  error?: string;
}

export interface ReasonCount {
  kind: LineKind;
  reason: string;
  count: number;
}

export interface ReplaySummary {
  objects: number;
  /** Documents chosen (by --since and --reason) and sent, or that would be on a dry run. */
  chosen: number;
  delivered: number;
  /** Already in the index (409): replayed before, or indexed another way. */
  duplicates: number;
  /** Refused again: dead-lettered again with the new reason. */
  refusedAgain: number;
  /** Raw events (never documents) and unreadable lines: counted, kept, never sent. */
  skippedEvents: number;
  reasons: ReasonCount[];
  objectsChanged: number;
  /** Set when the run stopped: that object and the ones after it are unchanged. */
  failure?: string;
}

export class ReplayError extends AppError {}

function chosen(line: DeadLetterLine, options: ReplayOptions): boolean {
  if (line.kind !== 'document') return false;
  if (options.reason !== undefined && !line.reason.toLowerCase().includes(options.reason.toLowerCase()))
    return false;
  if (options.since !== undefined && line.at !== undefined && Date.parse(line.at) < options.since.getTime())
    return false;
  return true;
}

/** A sink that remembers the keys it wrote: those objects are this run's, never deleted by it. */
function recordingSink(inner: DeadLetterSink, written: Set<string>): DeadLetterSink {
  return {
    async put(entries: readonly DeadLetter[]) {
      const location = await inner.put(entries);
      written.add(location.replace(/^s3:\/\/[^/]+\//, ''));
      return location;
    },
  };
}

export async function replayDeadLetters(options: ReplayOptions): Promise<{
  summary: ReplaySummary;
  objects: ObjectReport[];
}> {
  const prefix = options.prefix ?? DEAD_LETTER_ROOT;
  const sinceDay = options.since?.toISOString().slice(0, 10);
  const keys = (await options.store.list(prefix)).filter((key) => {
    const day = dayOfKey(key);
    return key.endsWith('.ndjson.gz') && (sinceDay === undefined || day === undefined || day >= sinceDay);
  });
  const summary: ReplaySummary = {
    objects: keys.length,
    chosen: 0,
    delivered: 0,
    duplicates: 0,
    refusedAgain: 0,
    skippedEvents: 0,
    reasons: [],
    objectsChanged: 0,
  };
  const counts = new Map<string, ReasonCount>();
  const objects: ObjectReport[] = [];
  const written = new Set<string>();
  const sink = recordingSink(options.deadLetters, written);

  for (const key of keys) {
    // Objects this run wrote (refused again) hold the new reasons: not read again in the same run.
    if (written.has(key)) continue;
    const lines = parseObject(await options.store.get(key));
    const take: DeadLetterLine[] = [];
    const keep: DeadLetterLine[] = [];
    for (const line of lines) {
      const counted = `${line.kind}\n${reasonClass(line.reason)}`;
      const entry = counts.get(counted) ?? { kind: line.kind, reason: reasonClass(line.reason), count: 0 };
      entry.count++;
      counts.set(counted, entry);
      if (line.kind !== 'document') summary.skippedEvents++;
      (chosen(line, options) ? take : keep).push(line);
    }
    summary.chosen += take.length;
    const object: ObjectReport = {
      key,
      outcome: 'unchanged',
      lines: lines.length,
      chosen: take.length,
      kept: keep.length,
    };
    objects.push(object);
    if (take.length === 0) continue;
    if (options.dryRun) {
      object.outcome = 'would replay';
      continue;
    }
    try {
      object.report = await send(take, sink, options);
    } catch (error) {
      object.outcome = 'failed';
      object.error = describeError(error).message;
      if (error instanceof DeliveryError) object.report = error.report;
      summary.failure = `${key}: ${object.error}`;
      addCounts(summary, object.report);
      break;
    }
    addCounts(summary, object.report);
    // Every line taken is accounted for: the object keeps only the others.
    if (written.has(key)) {
      object.outcome = 'rewritten'; // the sink wrote the refused-again lines over it, same ids
    } else if (keep.length === 0) {
      await options.store.delete(key);
      object.outcome = 'deleted';
    } else {
      await options.store.put(key, gzipSync(keep.map((line) => line.text).join('\n') + '\n'));
      object.outcome = 'rewritten';
    }
    summary.objectsChanged++;
  }
  summary.reasons = [...counts.values()].sort(
    (a, b) => b.count - a.count || a.reason.localeCompare(b.reason),
  );
  return { summary, objects };
}

function addCounts(summary: ReplaySummary, report: DeliveryReport | undefined): void {
  if (report === undefined) return;
  summary.delivered += report.delivered;
  summary.duplicates += report.duplicates;
  summary.refusedAgain += report.dead_lettered;
}

/** One object's chosen documents through the same delivery as the forwarder's (batches, retries). */
async function send(
  lines: DeadLetterLine[],
  sink: DeadLetterSink,
  options: ReplayOptions,
): Promise<DeliveryReport> {
  const delivery = new Delivery(options.transport, {
    ...options.delivery,
    // A command line has no Lambda deadline: retries are bounded by their count alone.
    timeLeft: () => Number.MAX_SAFE_INTEGER,
    deadLetters: sink,
    log: options.log,
  });
  // The same document twice in one object (a retried invocation) is sent once.
  const seen = new Set<string>();
  for (const line of lines) {
    const doc = line.document!;
    const id = `${doc._index}\n${doc._id}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const wait = delivery.push(doc);
    if (wait) await wait;
  }
  return delivery.close();
}
