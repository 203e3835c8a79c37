import { hash } from 'node:crypto';
import type { CloudWatchLogEvent, CloudWatchLogsData } from '../../libs/forwarding/decoding/subscription';
import { failureReason, type DocumentSink } from '../../libs/forwarding/documents/guard';
import type { DocumentStep, RuleCounts } from '../../libs/forwarding/pipeline/document-step';
import { countBytes, decompressLayers, type LayerInfo } from '../../libs/splitter/gzip-layers';
import { LineSplitter, type LineText } from '../../libs/splitter/lines';
import { inRange, selects, type GroupSelector, type TimeRange } from './layout';

/**
 * Reading archive and export objects into the document step, streaming: bytes -> gzip ->
 * lines -> CloudWatch events of the selected groups and range, in payloads of one stream, ->
 * the same documents the forwarder makes (DocumentStep: multiline, filters and masks, parsing,
 * rules). What cannot become a document goes to the sink's reject (dead-lettered).
 */

/** Events per payload handed to the document step (a subscription payload holds up to 10,000). */
const PAYLOAD_EVENTS = 500;
/** A line longer than this is a fault of the object (a CloudWatch event is at most 256 KiB). */
const MAX_LINE_BYTES = 16 * 1024 * 1024;

export interface ReadCounts {
  /** Compressed bytes read. */
  bytes: number;
  /** Lines or events read, selected or not. */
  lines: number;
  /** Events of the selected groups and range handed to the document step. */
  events: number;
  /** Documents pushed to the delivery. */
  documents: number;
  /** Export documents not sent: the hot index already holds them (same stream, ms, message). */
  alreadyIndexed: number;
}

export const newReadCounts = (): ReadCounts => ({
  bytes: 0,
  lines: 0,
  events: 0,
  documents: 0,
  alreadyIndexed: 0,
});

export interface ReadOptions {
  uri: string;
  documents: DocumentStep;
  sink: DocumentSink;
  groups: readonly GroupSelector[];
  range: TimeRange;
  counts: ReadCounts;
  ruleCounts?: RuleCounts;
}

/** The lines of a (possibly gzipped) object body, with their decompressed byte offsets. */
export async function* linesOf(
  body: AsyncIterable<Uint8Array>,
  counts: ReadCounts,
): AsyncGenerator<LineText> {
  const counter = { bytes: 0 };
  const layers: LayerInfo = { layers: 0 };
  const splitter = new LineSplitter(MAX_LINE_BYTES);
  let counted = 0;
  for await (const chunk of decompressLayers(countBytes(body, counter), layers)) {
    counts.bytes += counter.bytes - counted;
    counted = counter.bytes;
    yield* splitter.push(chunk);
  }
  counts.bytes += counter.bytes - counted;
  yield* splitter.end();
}

/** Collects events into payloads of one stream and hands them to the document step. */
class PayloadWriter {
  private current: CloudWatchLogsData | undefined;
  private readonly joins;

  constructor(private readonly options: ReadOptions) {
    this.joins = options.documents.openObjectJoin();
  }

  async add(owner: string, logGroup: string, logStream: string, event: CloudWatchLogEvent): Promise<void> {
    const current = this.current;
    if (
      current === undefined ||
      current.logStream !== logStream ||
      current.logGroup !== logGroup ||
      current.owner !== owner ||
      current.logEvents.length >= PAYLOAD_EVENTS
    ) {
      await this.flush();
      this.current = {
        messageType: 'DATA_MESSAGE',
        owner,
        logGroup,
        logStream,
        subscriptionFilters: [],
        logEvents: [event],
      };
    } else {
      current.logEvents.push(event);
    }
    this.options.counts.events++;
  }

  /** Pushes the open payload; with `end`, the multiline groups still open too (the object has ended). */
  async flush(end = false): Promise<void> {
    const { documents, sink, ruleCounts, counts } = this.options;
    const data = this.current;
    this.current = undefined;
    if (data !== undefined) {
      counts.documents +=
        this.joins === undefined
          ? await documents.pushLogsData(data, sink, ruleCounts)
          : (await documents.pushObjectPayload(data, sink, this.joins, ruleCounts)).pushed;
    }
    if (end && this.joins !== undefined)
      for (const rest of this.joins.flush())
        counts.documents += await documents.pushEvents(rest, sink, ruleCounts);
  }
}

interface ArchiveLine {
  owner?: unknown;
  logGroup?: unknown;
  logStream?: unknown;
  id?: unknown;
  timestamp?: unknown;
  message?: unknown;
  extractedFields?: Record<string, string>;
}

/**
 * One archive object (libs/splitter/archive.ts's lines): every event keeps its CloudWatch id, so
 * its document is the forwarder's, `_id` included. A line that is not an archive event is
 * dead-lettered with its offset; the others go on.
 */
export async function readArchiveObject(
  body: AsyncIterable<Uint8Array>,
  options: ReadOptions,
): Promise<void> {
  const writer = new PayloadWriter(options);
  await pushedUpToAFault(writer, readArchiveLines(body, options, writer));
}

async function readArchiveLines(
  body: AsyncIterable<Uint8Array>,
  options: ReadOptions,
  writer: PayloadWriter,
): Promise<void> {
  for await (const line of linesOf(body, options.counts)) {
    options.counts.lines++;
    let entry: ArchiveLine;
    try {
      entry = JSON.parse(line.text) as ArchiveLine;
    } catch (error) {
      options.sink.reject({
        reason: `${failureReason('archive line', error)} at byte ${line.offset}`,
        event: { uri: options.uri, offset: line.offset, line: line.text },
      });
      continue;
    }
    if (
      typeof entry !== 'object' ||
      entry === null ||
      typeof entry.logGroup !== 'string' ||
      typeof entry.logStream !== 'string'
    ) {
      options.sink.reject({
        reason: `archive line without logGroup / logStream at byte ${line.offset}`,
        event: { uri: options.uri, offset: line.offset, line: line.text },
      });
      continue;
    }
    if (!selects(options.groups, entry.logGroup)) continue;
    // A malformed event (no id, no time) goes on to the document step, which dead-letters it.
    if (typeof entry.timestamp === 'number' && !inRange(options.range, entry.timestamp)) continue;
    const event = {
      id: entry.id,
      timestamp: entry.timestamp,
      message: entry.message,
      ...(entry.extractedFields === undefined ? {} : { extractedFields: entry.extractedFields }),
    } as CloudWatchLogEvent;
    await writer.add(
      typeof entry.owner === 'string' ? entry.owner : '',
      entry.logGroup,
      entry.logStream,
      event,
    );
  }
}

/**
 * Reads to the end, then pushes what is still collected and the open multiline groups. On a
 * fault, the events read before it are pushed (as the splitter does: a rerun reads the object
 * again, same ids), but not the open groups (incomplete), then the fault goes on.
 */
async function pushedUpToAFault(writer: PayloadWriter, reading: Promise<void>): Promise<void> {
  try {
    await reading;
  } catch (error) {
    await writer.flush();
    throw error;
  }
  await writer.flush(true);
}

/** `<ISO 8601 UTC time> <message>`: what CreateExportTask writes per event. */
const EXPORT_LINE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z) /;

/**
 * The document id of an exported event (an export line carries no CloudWatch event id):
 * `x` + the first 32 hex digits of SHA-256 over group, stream, time (ms), message and the
 * occurrence number of that same line within its stream in one export task (1 for the first).
 * A follow-up export task repeats lines of an earlier one: the n-th copy in each task gets the
 * same id, so the engine keeps max over tasks of the copies (docs/exporter.md's exact rule),
 * whichever task is read first, and a second run finds every id already there.
 */
export function exportEventId(
  logGroup: string,
  logStream: string,
  timestamp: number,
  message: string,
  occurrence: number,
): string {
  // One-shot hash(): createHash() per event cost 8 µs, a third of the whole read (bench/rehydrate.ts).
  const digest = hash('sha256', `${logGroup}\n${logStream}\n${timestamp}\n${message}\n${occurrence}`, 'hex');
  return `x${digest.slice(0, 32)}`;
}

/**
 * Numbers the copies of identical lines of one stream in one task. Exported lines are in time
 * order within a stream, so only the current millisecond's lines are remembered.
 */
export class OccurrenceCounter {
  private time = Number.NEGATIVE_INFINITY;
  private seen = new Map<string, number>();

  next(timestamp: number, message: string): number {
    if (timestamp > this.time) {
      this.time = timestamp;
      this.seen = new Map();
    }
    const key = `${timestamp}\n${message}`;
    const n = (this.seen.get(key) ?? 0) + 1;
    this.seen.set(key, n);
    return n;
  }
}

export interface ExportObjectOptions extends ReadOptions {
  logGroup: string;
  logStream: string;
  /** The account of the documents' `cloud.account.id` (an export does not say). */
  owner: string;
  /** Shared by the parts of one task's stream (NNNNNN.gz), read in order. */
  occurrences: OccurrenceCounter;
}

/**
 * One export object: `<ISO time> <message>` lines; a line without a leading time continues the
 * message before it (a message with a newline). Events outside the range are skipped.
 */
export async function readExportObject(
  body: AsyncIterable<Uint8Array>,
  options: ExportObjectOptions,
): Promise<void> {
  const writer = new PayloadWriter(options);
  let pending: { timestamp: number; message: string } | undefined;
  const emit = async () => {
    if (pending === undefined) return;
    const { timestamp, message } = pending;
    pending = undefined;
    const occurrence = options.occurrences.next(timestamp, message);
    if (!inRange(options.range, timestamp)) return;
    const id = exportEventId(options.logGroup, options.logStream, timestamp, message, occurrence);
    await writer.add(options.owner, options.logGroup, options.logStream, { id, timestamp, message });
  };
  const reading = async () => {
    for await (const line of linesOf(body, options.counts)) {
      options.counts.lines++;
      const time = EXPORT_LINE.exec(line.text);
      const timestamp = time === null ? NaN : Date.parse(time[1]!);
      if (time === null || Number.isNaN(timestamp)) {
        if (pending !== undefined) {
          pending.message += `\n${line.text}`;
          continue;
        }
        options.sink.reject({
          reason: `export line without a leading time at byte ${line.offset}`,
          event: { uri: options.uri, offset: line.offset, line: line.text },
          logGroup: options.logGroup,
          logStream: options.logStream,
        });
        continue;
      }
      await emit();
      pending = { timestamp, message: line.text.slice(time[0].length) };
    }
    // The last line's message is complete only at the end of the object.
    await emit();
  };
  await pushedUpToAFault(writer, reading());
}
