import type { CloudWatchLogsData } from '../../libs/forwarding/decoding/subscription';
import type { DocumentSink } from '../../libs/forwarding/documents/guard';
import type { ObjectOrigin } from '../../libs/forwarding/documents/lines';
import type { LogDocument } from '../../libs/forwarding/documents/types';
import type { ObjectJoin } from '../../libs/forwarding/multiline';
import { DocumentStep, type RuleCounts } from '../../libs/forwarding/pipeline/document-step';
import { splitStream } from '../../libs/splitter/split-stream';
import { inRange, selects, type GroupSelector, type TimeRange } from './layout';
import type { ReadOptions } from './readers';

/**
 * The stage's document step seeing only the selected groups' events of the range: a raw
 * Firehose object mixes every subscribed group, and its hour is the arrival time, not the
 * events'. Raw lines (Firehose message extraction) carry no log group: they are skipped.
 */
class SelectedEvents extends DocumentStep {
  /** Events of the selected groups and range; raw lines skipped. */
  selected = 0;
  skippedLines = 0;

  constructor(
    base: DocumentStep,
    private readonly groups: readonly GroupSelector[],
    private readonly range: TimeRange,
  ) {
    super(base.options, base.parts);
  }

  private select(data: CloudWatchLogsData): CloudWatchLogsData | undefined {
    if (!selects(this.groups, data.logGroup)) return undefined;
    // A malformed event (no number for a time) goes on: the document step dead-letters it.
    const logEvents = data.logEvents.filter(
      (event) => typeof event?.timestamp !== 'number' || inRange(this.range, event.timestamp),
    );
    if (logEvents.length === 0) return undefined;
    this.selected += logEvents.length;
    return logEvents.length === data.logEvents.length ? data : { ...data, logEvents };
  }

  override pushLogsData(data: CloudWatchLogsData, sink: DocumentSink, counts?: RuleCounts): Promise<number> {
    const selected = this.select(data);
    return selected === undefined ? Promise.resolve(0) : super.pushLogsData(selected, sink, counts);
  }

  override async pushObjectPayload(
    data: CloudWatchLogsData,
    sink: DocumentSink,
    joins: ObjectJoin | undefined,
    counts?: RuleCounts,
  ): Promise<{ pushed: number; archive: CloudWatchLogsData }> {
    const selected = this.select(data);
    if (selected === undefined) return { pushed: 0, archive: { ...data, logEvents: [] } };
    return super.pushObjectPayload(selected, sink, joins, counts);
  }

  override objectLine(): LogDocument | undefined {
    this.skippedLines++;
    return undefined;
  }
}

export interface FirehoseObjectOptions extends ReadOptions {
  origin: ObjectOrigin;
  maxRecordBytes: number;
}

/**
 * One raw Firehose object, split as the splitter splits it (libs/splitter/split-stream.ts: any
 * gzip layers, concatenated or newline-delimited records): the subscription's events keep their
 * CloudWatch ids. Returns the raw lines skipped (no log group to select them by).
 */
export async function readFirehoseObject(
  body: AsyncIterable<Uint8Array>,
  options: FirehoseObjectOptions,
): Promise<{ skippedLines: number }> {
  const documents = new SelectedEvents(options.documents, options.groups, options.range);
  const stats = await splitStream(
    (async function* counted() {
      for await (const chunk of body) {
        options.counts.bytes += chunk.byteLength;
        yield chunk;
      }
    })(),
    {
      source: {
        uri: options.origin.uri,
        bucket: options.origin.bucket,
        key: options.origin.key,
        writtenAt: options.origin.writtenAt,
      },
      documents,
      maxRecordBytes: options.maxRecordBytes,
      sink: options.sink,
      counts: options.ruleCounts,
    },
  );
  options.counts.lines += stats.records + stats.lines;
  options.counts.events += documents.selected;
  options.counts.documents += stats.documents;
  return { skippedLines: documents.skippedLines };
}
