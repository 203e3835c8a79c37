import { MAX_JSON_DEPTH, nestedDeeperThan } from '../decoding/json-depth';
import { timeProblem } from '../decoding/timestamp';
import type { LambdaReport } from './types';

/**
 * Keys that structured loggers use for the level, in the order they are trusted. `log.level` is
 * the key itself, dotted: Elastic's ECS loggers (Node, Java, Python, .NET…) write it at the top
 * level with a dot in its name (ecs-logging spec); a nested `log: {level}` is read too (below).
 */
const LEVEL_KEYS = [
  'level',
  'log.level',
  'logLevel',
  'log_level',
  'loglevel',
  'severity',
  'levelname',
  'lvl',
  'logType',
] as const;

const LEVEL_WORDS: Record<string, string> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  information: 'info',
  notice: 'notice',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  err: 'error',
  fatal: 'fatal',
  critical: 'critical',
  crit: 'critical',
  alert: 'alert',
  emergency: 'emergency',
  panic: 'fatal',
};

// pino and bunyan write numeric levels.
const NUMERIC_LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/**
 * Parses a message that is a JSON object; anything else (including JSON arrays, and objects
 * nested deeper than MAX_JSON_DEPTH, kept as text) gives undefined.
 */
export function parseJsonObjectMessage(message: string): Record<string, unknown> | undefined {
  // Cheap checks first: most lines are not JSON, and JSON.parse on them would throw (slow).
  // A byte order mark (U+FEFF, from a UTF-8 file written by .NET or PowerShell) then white space.
  let start = message.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (start < message.length && message.charCodeAt(start) <= 32) start++;
  if (message.charCodeAt(start) !== 123 /* { */) return undefined;
  let end = message.length - 1;
  while (end > start && message.charCodeAt(end) <= 32) end--;
  if (message.charCodeAt(end) !== 125 /* } */) return undefined;
  if (nestedDeeperThan(message, MAX_JSON_DEPTH)) return undefined;
  try {
    // JSON.parse reads white space but not a byte order mark.
    const parsed: unknown = JSON.parse(
      start > 0 && message.charCodeAt(0) === 0xfeff ? message.slice(1) : message,
    );
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A level word or number as the normalised level, if it is one. */
function levelWord(value: unknown): string | undefined {
  if (typeof value === 'string') {
    // The ecs-logging spec lets loggers pad the level (" WARN") so messages line up.
    return LEVEL_WORDS[value.toLowerCase()] ?? LEVEL_WORDS[value.trim().toLowerCase()];
  }
  return typeof value === 'number' ? NUMERIC_LEVELS[value] : undefined;
}

/**
 * Longest string kept under `json`, in UTF-16 units. OpenSearch's `flat_object` indexes every
 * leaf as a term (`json._value`, and `json._valueAndPath` with the key path in front) and refuses
 * the whole document when one is over Lucene's 32,766 UTF-8 bytes; it takes no `ignore_above`.
 * 8,000 units are at most 24,000 bytes, which leaves room for the path. The whole line stays in
 * `message`; Elasticsearch's `flattened` indexes only values up to 1,024 characters anyway.
 */
export const JSON_STRING_MAX_CHARS = 8000;

/** A cut string: its first `max` units (never half a surrogate pair), and how long it was. */
function cutString(value: string, max: number): string {
  let end = max;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--; // a high surrogate without its low half
  return `${value.slice(0, end)}…[cut: ${value.length} chars, the whole line is in message]`;
}

/**
 * Cuts the strings of parsed JSON longer than `max` (in place; keys and other values as they
 * are). Only a message longer than `max` can hold one, so callers skip shorter lines.
 */
export function capLongStrings(value: unknown, max = JSON_STRING_MAX_CHARS): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'string') {
        if (item.length > max) value[i] = cutString(item, max);
      } else if (typeof item === 'object' && item !== null) capLongStrings(item, max);
    }
  } else if (typeof value === 'object' && value !== null) {
    const fields = value as Record<string, unknown>;
    for (const key of Object.keys(fields)) {
      const item = fields[key];
      if (typeof item === 'string') {
        if (item.length > max) fields[key] = cutString(item, max);
      } else if (typeof item === 'object' && item !== null) capLongStrings(item, max);
    }
  }
}

/** The normalised level a structured log line declares, if any known key holds a known level. */
export function levelOf(fields: Record<string, unknown>): string | undefined {
  for (const key of LEVEL_KEYS) {
    const level = levelWord(fields[key]);
    if (level !== undefined) return level;
  }
  // ECS written nested (older ecs-logging-python and ecs-pino-format): {"log": {"level": "debug"}}.
  const log = fields.log;
  return typeof log === 'object' && log !== null ? levelWord((log as { level?: unknown }).level) : undefined;
}

// ISO 8601 with a zone: a time without one would be read in the forwarder's zone, not the writer's.
// Up to 9 fraction digits: Java's Instant writes nanoseconds ("…27.535267800Z").
const ZONED_ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})$/;

/**
 * The time a JSON line says its event happened, in epoch ms: its `@timestamp` (ECS loggers, and
 * Logstash-format encoders such as logstash-logback-encoder), when that is an ISO 8601 time with
 * a zone in years 0000-9999. Other time keys (`time`, `timestamp`, `ts`) are left alone: their
 * units and zones vary from logger to logger.
 */
export function lineTimeOf(fields: Record<string, unknown>): number | undefined {
  const value = fields['@timestamp'];
  if (typeof value !== 'string' || !ZONED_ISO_TIME.test(value)) return undefined;
  const ms = Date.parse(value);
  return timeProblem(ms) === undefined ? ms : undefined;
}

// Most JSON lines are an application's own: one shared answer, no allocation per line.
const NO_LAMBDA_FIELDS: { requestId?: string; report?: LambdaReport } = Object.freeze({});

/** Request id and REPORT metrics from Lambda's JSON log format (`type: platform.report`). */
export function lambdaJsonFields(fields: Record<string, unknown>): {
  requestId?: string;
  report?: LambdaReport;
} {
  // `requestId`: Lambda's own JSON log format; `function_request_id`: Powertools' loggers (and ours).
  const requestId =
    typeof fields.requestId === 'string'
      ? fields.requestId
      : typeof fields.function_request_id === 'string'
        ? fields.function_request_id
        : undefined;
  if (fields.type !== 'platform.report' || typeof fields.record !== 'object' || fields.record === null) {
    return requestId === undefined ? NO_LAMBDA_FIELDS : { requestId };
  }
  const record = fields.record as { requestId?: unknown; metrics?: Record<string, unknown> };
  const metrics = record.metrics ?? {};
  const report: LambdaReport = {};
  const pick = (key: string, field: keyof LambdaReport) => {
    if (typeof metrics[key] === 'number') report[field] = metrics[key] as number;
  };
  pick('durationMs', 'duration_ms');
  pick('billedDurationMs', 'billed_duration_ms');
  pick('memorySizeMB', 'memory_size_mb');
  pick('maxMemoryUsedMB', 'max_memory_used_mb');
  pick('initDurationMs', 'init_duration_ms');
  return { requestId: typeof record.requestId === 'string' ? record.requestId : requestId, report };
}
