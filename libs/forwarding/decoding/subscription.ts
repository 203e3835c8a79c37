import { AppError } from '../../runtime/errors';
import { timeProblem } from './timestamp';
import { decodeBase64 } from './base64';
import { compressionOf, decompress, InflateLimitError } from './compression';

/** One event of a CloudWatch Logs subscription payload. */
export interface CloudWatchLogEvent {
  id: string;
  timestamp: number;
  message: string;
  extractedFields?: Record<string, string>;
}

/** The decoded subscription payload (DATA_MESSAGE or CONTROL_MESSAGE). */
export interface CloudWatchLogsData {
  messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE';
  owner: string;
  logGroup: string;
  logStream: string;
  subscriptionFilters: string[];
  logEvents: CloudWatchLogEvent[];
  /**
   * Set by CloudWatch Logs when an account-level subscription filter policy delivered the payload
   * (`ACCOUNT_LEVEL_POLICY`); absent for a log group's own subscription filter. Logged, not
   * indexed: an event is the same document whichever subscription brought it.
   */
  policyLevel?: string;
}

/** The payload could not be decoded; `stage` says which layer failed (never the payload itself). */
export class DecodeError extends AppError {
  constructor(
    readonly stage: 'event' | 'base64' | 'compression' | 'json' | 'shape',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${stage}: ${message}`, options);
  }
}

/** Decodes `{"awslogs":{"data":"<base64 of gzip (or zlib) of JSON>"}}` and checks the shape. */
export function decodeSubscriptionEvent(event: unknown): CloudWatchLogsData {
  const data = (event as { awslogs?: { data?: unknown } } | null)?.awslogs?.data;
  if (typeof data !== 'string') throw new DecodeError('event', 'expected {"awslogs":{"data":"<base64>"}}');
  return decodeSubscriptionData(data);
}

/** Decodes the base64 `awslogs.data` string (also what Kinesis records of a subscription carry, as bytes). */
export function decodeSubscriptionData(base64: string): CloudWatchLogsData {
  const bytes = decodeBase64(base64);
  if (bytes === undefined) {
    throw new DecodeError('base64', `awslogs.data is not valid base64 (length ${base64.length})`);
  }
  return decodeSubscriptionBytes(bytes);
}

/** Decodes gzip- or zlib-framed bytes holding one subscription JSON document. */
export function decodeSubscriptionBytes(bytes: Buffer): CloudWatchLogsData {
  const compression = compressionOf(bytes);
  if (compression === undefined) {
    throw new DecodeError(
      'compression',
      `payload is neither gzip nor zlib (${bytes.length} bytes, no 1f 8b or 78 xx header)`,
    );
  }
  let json: Buffer;
  try {
    json = decompress(bytes, compression);
  } catch (cause) {
    if (cause instanceof InflateLimitError) throw new DecodeError('compression', cause.message, { cause });
    throw new DecodeError(
      'compression',
      `payload is corrupt or truncated ${compression} (${bytes.length} bytes)`,
      { cause },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json.toString('utf8'));
  } catch (cause) {
    throw new DecodeError('json', `decompressed payload is not JSON (${json.length} bytes)`, { cause });
  }
  return checkSubscriptionShape(parsed);
}

/**
 * Checks the fields every consumer relies on. Individual log events are checked later, one by
 * one, so that a single malformed event does not block the others.
 */
export function checkSubscriptionShape(parsed: unknown): CloudWatchLogsData {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new DecodeError('shape', 'payload is not a JSON object');
  }
  const data = parsed as Partial<CloudWatchLogsData>;
  if (data.messageType !== 'DATA_MESSAGE' && data.messageType !== 'CONTROL_MESSAGE') {
    throw new DecodeError('shape', `unknown messageType ${JSON.stringify(data.messageType)}`);
  }
  if (data.messageType === 'CONTROL_MESSAGE') return data as CloudWatchLogsData;
  for (const field of ['owner', 'logGroup', 'logStream'] as const) {
    if (typeof data[field] !== 'string')
      throw new DecodeError('shape', `missing or non-string field "${field}"`);
  }
  if (!Array.isArray(data.logEvents)) throw new DecodeError('shape', 'missing array "logEvents"');
  if (data.policyLevel !== undefined && typeof data.policyLevel !== 'string')
    throw new DecodeError('shape', 'non-string field "policyLevel"');
  return data as CloudWatchLogsData;
}

/** Why a single log event cannot be turned into a document, or undefined when it is well formed. */
export function logEventProblem(event: unknown): string | undefined {
  if (typeof event !== 'object' || event === null) return 'log event is not an object';
  const { id, timestamp, message } = event as Partial<CloudWatchLogEvent>;
  if (typeof id !== 'string' || id === '') return 'log event has no string "id"';
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp))
    return 'log event has no numeric "timestamp"';
  const badTime = timeProblem(timestamp);
  if (badTime !== undefined) return `log event "timestamp": ${badTime}`;
  if (typeof message !== 'string') return 'log event has no string "message"';
  return undefined;
}
