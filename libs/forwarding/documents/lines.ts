import { createHash } from 'node:crypto';
import type { RecordLine, RecordOrigin } from '../decoding/kinesis-records';
import { enrich, type DocumentOptions } from './build';
import { copyToRoot, markFailure, PIPELINE_FIELDS, type CopyToRoot } from './fields';
import { isoTimestamp } from '../decoding/timestamp';
import type { DocumentSource, LogDocument } from './types';

/**
 * Documents of lines that carry no CloudWatch event id: the lines of a Kinesis record (Fluent
 * Bit) and the raw lines of an S3 object. Their ids come from their position in the source, so
 * a retry of the same record or object writes the same documents.
 */

/** Where a raw line of an object came from: `s3://bucket/key` in the function, `file://<name>` in the CLI. */
export interface ObjectOrigin {
  uri: string;
  /** When the object was written (S3 LastModified): the fallback event time. */
  writtenAt: Date;
  bucket?: string;
  key?: string;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})$/;
// Keys a log shipper may put on the record for the event time (Fluent Bit's time_key, Logstash).
const TIME_KEYS = ['@timestamp', 'timestamp', 'time'] as const;
// Lambda console lines, CloudWatch exports and many loggers start with an ISO UTC time.
const LEADING_ISO_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z)[\s\t]/;

// A record's own `log` object or `tags` string would conflict with the pipeline's fields, and
// `_id`, `_index`… are the engine's metadata fields: they stay under `json`.
const RECORD_FIELDS: CopyToRoot = { protect: PIPELINE_FIELDS, protectedKeys: 'json', overwrite: true };

/** Epoch ms of the record's own ISO 8601 time, if it carries one. */
function fieldsTime(fields: Record<string, unknown>): number | undefined {
  for (const key of TIME_KEYS) {
    const value = fields[key];
    if (typeof value === 'string' && ISO_TIME.test(value)) {
      const ms = Date.parse(value);
      if (!Number.isNaN(ms)) return ms;
    }
  }
  return undefined;
}

/**
 * The document for one line of a Kinesis record. A JSON object's keys go to the document root,
 * as in the Fluent Bit -> Logstash pipeline; its `log` (Fluent Bit's raw line) or `message`
 * becomes `message`, which the rules' parsers read by default. Keys the pipeline owns go under
 * `json`. The id is `<shard>-<sequence number>-<line index>`.
 */
export function recordLineDocument(
  line: RecordLine,
  origin: RecordOrigin,
  options: DocumentOptions,
): LogDocument {
  const fields = line.fields;
  const message =
    typeof fields?.log === 'string'
      ? fields.log
      : typeof fields?.message === 'string'
        ? fields.message
        : line.text;
  const timestampMs = (fields && fieldsTime(fields)) ?? origin.arrivalMs;
  const source = {
    '@timestamp': isoTimestamp(timestampMs),
    aws: {
      kinesis: {
        stream: origin.stream,
        shard_id: origin.shardId,
        sequence_number: origin.sequenceNumber,
        partition_key: origin.partitionKey,
        line: line.index,
      },
    },
    cloud: {
      provider: 'aws',
      account: origin.account === undefined ? undefined : { id: origin.account },
      region: origin.region ?? options.region,
    },
    // `message` is added below only when the record has one (Fluent Bit may have parsed it away).
  } as unknown as DocumentSource;
  if (fields !== undefined) {
    // The time and the line that became `message` are not copied again.
    copyToRoot(
      source,
      fields,
      RECORD_FIELDS,
      (key) => key === '@timestamp' || ((key === 'log' || key === 'message') && message === fields[key]),
    );
  }
  if (message !== undefined) {
    source.message = message;
    // Same enrichment as subscription events: JSON messages, levels, Lambda runtime lines.
    enrich(source, message, options);
  }
  if (line.failure !== undefined) markFailure(source, line.failure);
  return {
    // Sequence numbers are unique per shard, not per stream: the shard id keeps ids apart.
    _id: origin.shardId
      ? `${origin.shardId}-${origin.sequenceNumber}-${line.index}`
      : `${origin.sequenceNumber}-${line.index}`,
    _index: options.indexNamer.nameFor(timestampMs),
    _source: source,
  };
}

/**
 * A raw line's id: sha256 of `<uri>\n<offset>` (its position in its object). Splitting the same
 * object again gives the same ids, so an S3 event delivered twice never duplicates a line.
 */
export function lineId(uri: string, offset: number): string {
  return createHash('sha256').update(`${uri}\n${offset}`).digest('hex').slice(0, 40);
}

function leadingTime(text: string, fallback: number): number {
  const match = LEADING_ISO_TIME.exec(text);
  if (match === null) return fallback;
  const parsed = Date.parse(match[1]!);
  return Number.isNaN(parsed) ? fallback : parsed;
}

/** The document for one raw line of an object: the message plus its origin; no log group is known. */
export function objectLineDocument(
  origin: ObjectOrigin,
  text: string,
  offset: number,
  options: DocumentOptions,
): LogDocument {
  const time = leadingTime(text, origin.writtenAt.getTime());
  const source: DocumentSource = {
    '@timestamp': new Date(time).toISOString(),
    message: text,
    aws: {
      s3:
        origin.bucket === undefined
          ? { uri: origin.uri, offset }
          : { bucket: origin.bucket, key: origin.key, offset },
    },
    cloud: { provider: 'aws', region: options.region },
  };
  enrich(source, text, options);
  return { _id: lineId(origin.uri, offset), _index: options.indexNamer.nameFor(time), _source: source };
}
