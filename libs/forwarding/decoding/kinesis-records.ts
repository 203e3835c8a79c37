import type { KinesisStreamRecord } from 'aws-lambda';
import { checkSubscriptionShape, DecodeError, type CloudWatchLogsData } from './subscription';
import { decodeBase64 } from './base64';
import { compressionOf, decompress, InflateLimitError } from './compression';
import { MAX_JSON_DEPTH, nestedDeeperThan } from './json-depth';

/** One line of a record holding JSON lines or text (Fluent Bit's kinesis outputs). */
export interface RecordLine {
  /** Position among the record's non-empty lines: with the sequence number, the document id. */
  index: number;
  /** The JSON object on the line, when it is one. */
  fields?: Record<string, unknown>;
  /** The raw text, when the line is not a JSON object. */
  text?: string;
  /** Set when the line looked like JSON but did not parse: it is kept and tagged. */
  failure?: string;
}

export type RecordPayload =
  | { kind: 'subscription'; data: CloudWatchLogsData }
  /** Read once, line by line (recordLines): a record is never held as all its lines at once. */
  | { kind: 'lines'; lines: Iterable<RecordLine> };

/** A record that can never be decoded (retrying cannot help): reported as failed, see forward.ts. */
export type DecodedRecord = { ok: true; payload: RecordPayload } | { ok: false; reason: string };

// KPL aggregation's magic number (gzip and zlib: libs/forwarding/decoding/compression.ts).
const isKplAggregate = (b: Buffer) =>
  b.length >= 4 && b[0] === 0xf3 && b[1] === 0x89 && b[2] === 0x9a && b[3] === 0xc2;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a Kinesis record's base64 data: a CloudWatch Logs subscription payload (gzip, as
 * CloudWatch Logs writes to a stream), or JSON lines / text lines as Fluent Bit writes them
 * (optionally gzip- or zlib-compressed, as the Go `kinesis` plugin's `compression` option does).
 */
export function decodeRecordData(base64: string): DecodedRecord {
  const decoded = decodeBase64(base64);
  if (decoded === undefined)
    return { ok: false, reason: `data is not valid base64 (length ${base64.length})` };
  let bytes = decoded;
  if (isKplAggregate(bytes)) {
    return { ok: false, reason: 'KPL-aggregated record (not supported: turn producer aggregation off)' };
  }
  const compressed = compressionOf(bytes);
  if (compressed === 'gzip') {
    try {
      bytes = decompress(bytes, 'gzip');
    } catch (error) {
      if (error instanceof InflateLimitError) return { ok: false, reason: error.message };
      return { ok: false, reason: `gzip data is corrupt or truncated (${bytes.length} bytes)` };
    }
  } else if (compressed === 'zlib') {
    // A text line can start with "x^" too: when inflating fails, the bytes are read as text.
    // Inflating past the limit is no text line: that much output means it was zlib.
    try {
      bytes = decompress(bytes, 'zlib');
    } catch (error) {
      if (error instanceof InflateLimitError) return { ok: false, reason: error.message };
    }
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, reason: `data is neither gzip, zlib nor UTF-8 text (${bytes.length} bytes)` };
  }
  // Cheap test before parsing: only compressed data starting with {"messageType" can be a
  // subscription (gzip from a log group's filter, zlib seen from account-level policies).
  if (compressed !== undefined && /^\s*\{\s*"messageType"/.test(text)) {
    try {
      return { ok: true, payload: { kind: 'subscription', data: checkSubscriptionShape(JSON.parse(text)) } };
    } catch (error) {
      if (error instanceof DecodeError)
        return { ok: false, reason: `subscription payload: ${error.message}` };
      // Not one JSON document: fall through and read it as lines.
    }
  }
  return { ok: true, payload: { kind: 'lines', lines: recordLines(text) } };
}

/** Splits JSON lines / text lines; a record that is one pretty-printed JSON object stays one line. */
export function splitLines(text: string): RecordLine[] {
  return [...recordLines(text)];
}

/**
 * The lines of a record, one at a time. Lazily: a record of 16 MiB of one-character lines is 8
 * million lines, whose objects all at once took the forwarder past Lambda's 256 MB; one at a
 * time, each is a document in a batch and gone.
 *
 * A record that is one JSON object spread over several lines is one line. Such a text always
 * fails to parse on its first line (which opens the object without closing it), so the whole
 * text is tried only then.
 */
export function* recordLines(text: string): Generator<RecordLine> {
  let index = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const raw = text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end);
    start = end + 1;
    if (raw.trim() === '') continue;
    const line = parseLine(raw, index);
    if (index === 0 && line.failure !== undefined && start < text.length) {
      const whole = parseLine(text.trim(), 0);
      if (whole.fields !== undefined) {
        yield whole;
        return;
      }
    }
    index++;
    yield line;
  }
}

function parseLine(raw: string, index: number): RecordLine {
  const trimmed = raw.trim();
  if (trimmed.charCodeAt(0) !== 123 /* { */) return { index, text: raw };
  // Kept as text: its fields could not be written back (recursion) nor indexed (depth limit).
  if (nestedDeeperThan(trimmed, MAX_JSON_DEPTH))
    return { index, text: raw, failure: `json: nested deeper than ${MAX_JSON_DEPTH} levels` };
  try {
    const parsed: unknown = JSON.parse(trimmed);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      return { index, fields: parsed as Record<string, unknown> };
    }
    return { index, text: raw, failure: 'json: line is not a JSON object' };
  } catch (error) {
    return { index, text: raw, failure: `json: ${(error as Error).message}` };
  }
}

// arn:aws:kinesis:ap-northeast-2:123456789012:stream/infra-dev-kinesis-01
const STREAM_ARN = /^arn:aws[\w-]*:kinesis:([\w-]+):(\d{12}):stream\/(.+)$/;

// A batch comes from one stream: parse its ARN once, not per record.
let lastArn: string | undefined;
let lastArnParts: RegExpExecArray | null = null;

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

/** Where a record came from (stream, shard, position), for its lines' documents. */
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
