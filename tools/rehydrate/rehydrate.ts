import type { DeadLetterSink } from '../../libs/forwarding/destinations/dead-letter';
import { Delivery, DeliveryError, type DeliveryOptions } from '../../libs/forwarding/destinations/delivery';
import {
  emptyDeliveryReport,
  type DeliveryReport,
  type Transport,
} from '../../libs/forwarding/destinations/types';
import type { DocumentSink } from '../../libs/forwarding/documents/guard';
import { AppError, describeError } from '../../libs/runtime/errors';
import type { Logger } from '../../libs/runtime/logger';
import { newRuleCounts, type DocumentStep } from '../../libs/forwarding/pipeline/document-step';
import type { Checkpoint } from './checkpoint';
import { readFirehoseObject } from './firehose';
import { HotIndexFilter, type EngineSearch } from './hot-index';
import type { GroupSelector, Layout, SourceRef, TimeRange } from './layout';
import { planSource, type WorkItem } from './plan';
import {
  newReadCounts,
  OccurrenceCounter,
  readArchiveObject,
  readExportObject,
  type ReadCounts,
} from './readers';
import type { SourceStore } from './store';

/**
 * A rehydration: the objects of the selected groups and range (plan.ts), read with bounded
 * concurrency, each through its own Delivery (batches, retries, dead letters: the functions'
 * delivery), then recorded in the checkpoint once every one of its documents is delivered,
 * already there (409) or dead-lettered. Nothing is marked done that is not accounted for.
 */

export class RehydrateError extends AppError {}

export interface RehydrateSource {
  ref: SourceRef;
  layout: Layout;
  store: SourceStore;
}

export interface RehydrateOptions {
  sources: readonly RehydrateSource[];
  groups: readonly GroupSelector[];
  range: TimeRange;
  exportSpanDays: number;
  lateHours: number;
  /** The stage's document step (INDEX_*, RULES_FILE), with --index-prefix applied. */
  documents: DocumentStep;
  transport: Transport;
  deadLetters?: DeadLetterSink;
  delivery: Pick<
    DeliveryOptions,
    'maxBatchDocs' | 'maxBatchBytes' | 'concurrency' | 'requestTimeoutMs' | 'retry'
  >;
  /** Objects read at once. */
  concurrency: number;
  checkpoint: Checkpoint;
  dryRun: boolean;
  /** Exports: the account written as the documents' `cloud.account.id` ('' when unknown). */
  owner: string;
  maxRecordBytes: number;
  /**
   * Set when the documents go to the indices the forwarder writes: export documents the index
   * already holds (same stream, ms, message) are looked up there and not sent (hot-index.ts).
   */
  hotIndex?: EngineSearch;
  log: Logger;
  /** Called after each object and when the plan is known. */
  onProgress?: (progress: RehydrateProgress) => void;
  /** Aborted: no object is started any more; those being read finish (SIGINT). */
  signal?: AbortSignal;
  /** Wraps an object's body (the tests interrupt a run half-way through one). */
  readBody?: (item: WorkItem, key: string, body: AsyncIterable<Uint8Array>) => AsyncIterable<Uint8Array>;
}

export interface RehydrateProgress {
  objects: number;
  /** Objects done in an earlier run (the checkpoint). */
  skipped: number;
  done: number;
  failed: number;
  totalBytes: number;
  read: ReadCounts;
  report: DeliveryReport;
}

export interface ObjectFailure {
  id: string;
  error: string;
}

export interface RehydrateSummary extends RehydrateProgress {
  /** The plan (dry run: what would be read). */
  items: WorkItem[];
  failures: ObjectFailure[];
  /** Set when the run stopped early: delivery failing, or interrupted. */
  stopped?: string;
  /** Raw Firehose lines without a log group (message extraction): not selectable, skipped. */
  skippedRawLines: number;
}

function addReport(total: DeliveryReport, report: DeliveryReport): void {
  for (const key of Object.keys(total) as (keyof DeliveryReport)[]) total[key] += report[key];
}

export async function rehydrate(options: RehydrateOptions): Promise<RehydrateSummary> {
  const items: WorkItem[] = [];
  for (const source of options.sources)
    items.push(
      ...(await planSource(source.store, source.ref, source.layout, {
        groups: options.groups,
        range: options.range,
        exportSpanDays: options.exportSpanDays,
        lateHours: options.lateHours,
      })),
    );
  const done = await options.checkpoint.done();
  const summary: RehydrateSummary = {
    items,
    objects: items.length,
    skipped: 0,
    done: 0,
    failed: 0,
    totalBytes: items.reduce((sum, item) => sum + item.bytes, 0),
    read: newReadCounts(),
    report: emptyDeliveryReport(),
    failures: [],
    skippedRawLines: 0,
  };
  const queue = items.filter((item) => {
    if (!done.has(item.id)) return true;
    summary.skipped++;
    return false;
  });
  options.onProgress?.(summary);
  if (options.dryRun) return summary;

  const stores = new Map(options.sources.map((source) => [source.ref.bucket, source.store]));
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
      if (summary.stopped !== undefined) return;
      if (options.signal?.aborted) {
        summary.stopped ??= 'interrupted: the objects not done are read by the next run';
        return;
      }
      try {
        const report = await readItem(item, stores.get(item.bucket)!, options, summary);
        addReport(summary.report, report);
        await options.checkpoint.record(item.id);
        summary.done++;
      } catch (error) {
        summary.failed++;
        const { message } = describeError(error);
        summary.failures.push({ id: item.id, error: message });
        options.log.error('object not rehydrated', { object: item.id, error: describeError(error) });
        if (error instanceof DeliveryError) {
          addReport(summary.report, error.report);
          // The destination is failing: every further object would fail the same way.
          summary.stopped ??= `${item.id}: ${message}`;
        }
      }
      options.onProgress?.(summary);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  return summary;
}

/** One item read into its own delivery; throws DeliveryError (not all accounted for) or the read's fault. */
async function readItem(
  item: WorkItem,
  store: SourceStore,
  options: RehydrateOptions,
  summary: RehydrateSummary,
): Promise<DeliveryReport> {
  const delivery = new Delivery(options.transport, {
    ...options.delivery,
    // A command line has no Lambda deadline: retries are bounded by their count alone.
    timeLeft: () => Number.MAX_SAFE_INTEGER,
    deadLetters: options.deadLetters,
    log: options.log,
  });
  const filter =
    item.layout === 'exports' && options.hotIndex !== undefined
      ? new HotIndexFilter(delivery, {
          search: options.hotIndex,
          onFound: () => summary.read.alreadyIndexed++,
        })
      : undefined;
  const sink: DocumentSink = filter ?? delivery;
  const occurrences = new OccurrenceCounter();
  try {
    for (const key of item.keys) {
      const uri = `s3://${item.bucket}/${key}`;
      let body = await store.read(key);
      if (options.readBody) body = options.readBody(item, key, body);
      const base = {
        uri,
        documents: options.documents,
        sink,
        groups: options.groups,
        range: options.range,
        counts: summary.read,
        ruleCounts: newRuleCounts(),
      };
      if (item.layout === 'archive') await readArchiveObject(body, base);
      else if (item.layout === 'exports')
        await readExportObject(body, {
          ...base,
          logGroup: item.logGroup!,
          logStream: item.logStream!,
          owner: options.owner,
          occurrences,
        });
      else {
        const { skippedLines } = await readFirehoseObject(body, {
          ...base,
          origin: { uri, bucket: item.bucket, key, writtenAt: item.writtenAt ?? new Date(0) },
          maxRecordBytes: options.maxRecordBytes,
        });
        summary.skippedRawLines += skippedLines;
      }
    }
    await filter?.flush();
  } catch (error) {
    // What was pushed before the fault is still delivered (its ids make a rerun harmless).
    await filter?.flush().catch(() => undefined);
    addReport(
      summary.report,
      await delivery
        .close()
        .catch((closing: unknown) => (closing instanceof DeliveryError ? closing.report : delivery.report)),
    );
    throw new RehydrateError(`${item.id}: ${describeError(error).message}`, { cause: error });
  }
  return delivery.close();
}
