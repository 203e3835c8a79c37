import {
  checkSubscriptionShape,
  logEventProblem,
  type CloudWatchLogEvent,
} from '../forwarding/decoding/subscription';
import type { CloudWatchLogsData } from '../forwarding/decoding/subscription';
import type { LogStreamContext } from '../forwarding/documents/build';
import { EventGuard, failureReason, type DocumentSink } from '../forwarding/documents/guard';
import type { ObjectOrigin } from '../forwarding/documents/lines';
import type { DocumentStep, RuleCounts } from '../forwarding/pipeline/document-step';
import {
  GzipLayerError,
  SplitFaultError,
  SplitFormatError,
  TimeBudgetError,
  type SplitSource,
} from './errors';
import { countBytes, decompressLayers, type LayerInfo } from './gzip-layers';
import { splitUnits, type ObjectFormat, type UnitProgress } from './units';

export type { DocumentSink };

/** Where raw events go for the archive; a promise means wait (backpressure). */
export interface EventSink {
  write(context: LogStreamContext, event: CloudWatchLogEvent): Promise<void> | undefined;
}

export interface SplitOptions {
  source: SplitSource & { writtenAt: Date };
  /** The pipeline's document step: parsing, then the stage's rules. */
  documents: DocumentStep;
  maxRecordBytes: number;
  sink: DocumentSink;
  archive?: EventSink;
  /** What the rules file dropped and masked (for the log line and metrics). */
  counts?: RuleCounts;
  /** Checked between chunks: true means stop now (the Lambda's time is running out). */
  shouldStop?: () => boolean;
}

export interface SplitStats {
  format: ObjectFormat;
  gzip_layers: number;
  object_bytes: number;
  decompressed_bytes: number;
  records: number;
  /** Records dead-lettered whole: not JSON, or not a CloudWatch Logs message. */
  invalid_records: number;
  control_messages: number;
  lines: number;
  documents: number;
}

/**
 * Splits one stored object, streaming: bytes -> gzip layers -> records or lines -> documents
 * pushed to the sink with its backpressure. On a fault everything before it has been pushed,
 * then SplitFaultError names the source and the byte offsets; the caller closes the sink.
 */
export async function splitStream(
  body: AsyncIterable<Uint8Array>,
  options: SplitOptions,
): Promise<SplitStats> {
  const counter = { bytes: 0 };
  const layers: LayerInfo = { layers: 0 };
  const progress: UnitProgress = { format: 'empty', offset: 0 };
  const stats: SplitStats = {
    format: 'empty',
    gzip_layers: 0,
    object_bytes: 0,
    decompressed_bytes: 0,
    records: 0,
    invalid_records: 0,
    control_messages: 0,
    lines: 0,
    documents: 0,
  };
  const origin: ObjectOrigin = { ...options.source };
  const { sink, archive, documents, counts } = options;
  let recordDocuments = 0;
  const finish = () => {
    stats.documents = recordDocuments + lines.pushed;
    stats.format = progress.format;
    stats.gzip_layers = layers.layers;
    stats.object_bytes = counter.bytes;
    stats.decompressed_bytes = progress.offset;
  };
  const fault = (offset: number, problem: string, cause: unknown) => {
    finish();
    return new SplitFaultError(options.source, offset, counter.bytes, problem, { cause });
  };

  const where = (unit: { offset: number }) => ({ uri: origin.uri, offset: unit.offset });
  // Every line guarded: one that cannot become a document is dead-lettered with its offset.
  const lines = new EventGuard<{ text: string; offset: number }>(
    sink,
    (unit) => documents.objectLine(origin, unit.text, unit.offset, counts),
    (unit, reason) => ({ reason, event: { uri: origin.uri, offset: unit.offset, line: unit.text } }),
  );
  // Multiline groups continue across the object's payloads, per stream (undefined: no rule).
  const joins = documents.openObjectJoin();
  const batches = splitUnits(
    decompressLayers(countBytes(body, counter), layers),
    options.maxRecordBytes,
    progress,
  );
  try {
    for await (const batch of batches) {
      for (const unit of batch.units) {
        if (unit.kind === 'line') {
          stats.lines++;
          // Await only when the sink is full: an await per document would cost more than building it.
          const slot = lines.push(unit);
          if (slot) await slot;
          continue;
        }
        // One record that is not JSON, or not a CloudWatch Logs message: its bounds are known,
        // so it is dead-lettered raw with its offset and the records after it go on.
        if (unit.kind === 'invalid') {
          sink.reject({
            reason: `${unit.problem} at byte ${unit.offset}`,
            event: { ...where(unit), record: unit.text },
          });
          stats.invalid_records++;
          continue;
        }
        let data: CloudWatchLogsData;
        try {
          data = checkSubscriptionShape(unit.record);
        } catch (error) {
          const reason = `record is not a CloudWatch Logs message: ${(error as Error).message} at byte ${unit.offset}`;
          sink.reject({ reason, event: { ...where(unit), record: unit.record } });
          stats.invalid_records++;
          continue;
        }
        stats.records++;
        if (data.messageType === 'CONTROL_MESSAGE') {
          stats.control_messages++;
          continue;
        }
        if (archive === undefined && joins === undefined) {
          recordDocuments += await documents.pushLogsData(data, sink, counts);
          continue;
        }
        // Filters drop events from the index only; masks apply to the archive too.
        const pushed = await documents.pushObjectPayload(data, sink, joins, counts);
        recordDocuments += pushed.pushed;
        if (archive !== undefined) await archiveEvents(archive, pushed.archive, sink);
      }
      if (batch.error !== undefined) {
        const error = batch.error;
        const offset = error instanceof SplitFormatError ? error.offset : progress.offset;
        const problem = error instanceof SplitFormatError ? error.problem : (error as Error).message;
        throw fault(offset, problem, error);
      }
      if (options.shouldStop?.()) {
        throw fault(
          progress.offset,
          'stopped: the invocation is running out of time',
          new TimeBudgetError('time budget'),
        );
      }
    }
    // The object has ended: its open groups are complete. (On a fault they are not pushed: the
    // retry splits the object again and builds them whole, under the same ids.)
    if (joins !== undefined)
      for (const rest of joins.flush()) recordDocuments += await documents.pushEvents(rest, sink, counts);
  } catch (error) {
    if (error instanceof SplitFaultError) throw error;
    // Anything else (a gzip layer, too many layers, the sink) still names where it stopped.
    const problem = error instanceof GzipLayerError ? error.message : failureReason('split', error);
    throw fault(progress.offset, problem, error);
  }
  finish();
  return stats;
}

async function archiveEvents(
  archive: EventSink,
  data: CloudWatchLogsData,
  sink: DocumentSink,
): Promise<void> {
  const { logGroup, logStream } = data;
  const context: LogStreamContext = { owner: data.owner, logGroup, logStream };
  for (const event of data.logEvents) {
    if (logEventProblem(event) !== undefined) continue; // dead-lettered with the documents
    let wait: Promise<void> | undefined;
    try {
      wait = archive.write(context, event);
    } catch (error) {
      // One event the archive cannot write (its line): kept as a dead letter, the others go on.
      sink.reject({ reason: failureReason('archive', error), event, logGroup, logStream });
      continue;
    }
    if (wait) await wait;
  }
}
