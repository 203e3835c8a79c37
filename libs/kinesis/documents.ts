import type { KinesisStreamRecord } from 'aws-lambda';
import { enrich, isMetadataField, PIPELINE_FIELDS, type DocumentOptions } from '../documents/build';
import { isoTimestamp } from '../documents/timestamp';
import type { DocumentSource, LogDocument } from '../documents/types';
import { markFailure } from '../rules/apply';
import { RESERVED_ROOTS } from '../rules/types';
import type { RecordLine } from './records';

/** Where a Kinesis record came from, read once per record. */
export interface RecordOrigin {
  sequenceNumber: string;
  partitionKey: string;
  shardId?: string;
  stream?: string;
  account?: string;
  region?: string;
  arrivalMs: number;
}

// arn:aws:kinesis:ap-northeast-2:123456789012:stream/infra-dev-kinesis-01
const STREAM_ARN = /^arn:aws[\w-]*:kinesis:([\w-]+):(\d{12}):stream\/(.+)$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})$/;
// Keys a log shipper may put on the record for the event time (Fluent Bit's time_key, Logstash).
const TIME_KEYS = ['@timestamp', 'timestamp', 'time'] as const;

// A batch comes from one stream: parse its ARN once, not per record.
let lastArn: string | undefined;
let lastArnParts: RegExpExecArray | null = null;

export function recordOrigin(record: KinesisStreamRecord): RecordOrigin {
  if (record.eventSourceARN !== lastArn) {
    lastArn = record.eventSourceARN;
    lastArnParts = STREAM_ARN.exec(lastArn ?? '');
  }
  const arn = lastArnParts;
  const seconds = record.kinesis.approximateArrivalTimestamp;
  return {
    sequenceNumber: record.kinesis.sequenceNumber,
    partitionKey: record.kinesis.partitionKey,
    shardId: record.eventID?.split(':')[0],
    stream: arn?.[3],
    account: arn?.[2],
    region: record.awsRegion ?? arn?.[1],
    arrivalMs: typeof seconds === 'number' ? Math.round(seconds * 1000) : Date.now(),
  };
}

/** Epoch ms of the record's own ISO 8601 time, if it carries one. */
function eventTime(fields: Record<string, unknown>): number | undefined {
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
 * The document for one line of a record. A JSON object's keys go to the document root, as in
 * the Fluent Bit -> Logstash pipeline; its `log` (Fluent Bit's raw line) or `message` becomes
 * `message`, which the rules' parsers read by default. Keys the forwarder owns go under `json`.
 * The id is `<sequence number>-<line index>`, so a retried record overwrites nothing new.
 */
export function lineDocument(line: RecordLine, origin: RecordOrigin, options: DocumentOptions): LogDocument {
  const fields = line.fields;
  const message =
    typeof fields?.log === 'string'
      ? fields.log
      : typeof fields?.message === 'string'
        ? fields.message
        : line.text;
  const timestampMs = (fields && eventTime(fields)) ?? origin.arrivalMs;
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
    for (const key of Object.keys(fields)) {
      if (key === '@timestamp' || ((key === 'log' || key === 'message') && message === fields[key])) continue;
      // A record's own `log` object or `tags` string would conflict with the pipeline's fields,
      // and `_id`, `_index`… are the engine's metadata fields (refused in a document).
      if (RESERVED_ROOTS.has(key) || PIPELINE_FIELDS.has(key) || isMetadataField(key))
        (source.json ??= {})[key] = fields[key];
      else source[key] = fields[key];
    }
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
