/**
 * The times a document can carry: `@timestamp` and the index name's date are written with four
 * year digits (0000-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z). Outside, toISOString
 * writes `+010000-...` (index `cwl-+010.00.01`) or throws; such an event is dead-lettered.
 */
export const MIN_TIME_MS = -62167219200000;
export const MAX_TIME_MS = 253402300799999;

/** Why an epoch-millisecond time cannot be a document's time, or undefined when it can. */
export function timeProblem(ms: number): string | undefined {
  if (!Number.isFinite(ms)) return `time ${String(ms)} is not a finite number`;
  if (ms < MIN_TIME_MS || ms > MAX_TIME_MS) return `time ${ms} is outside years 0000-9999`;
  return undefined;
}

/** A time outside years 0000-9999 (or not finite): the event cannot become a document. */
export class TimeRangeError extends RangeError {
  /** `where`: what the years are counted in when not UTC, e.g. "in the index time zone". */
  constructor(ms: number, where?: string) {
    super(
      where === undefined
        ? (timeProblem(ms) ?? `time ${ms} cannot be written`)
        : `time ${ms} is outside years 0000-9999 ${where}`,
    );
    this.name = 'TimeRangeError';
  }
}

/**
 * ISO 8601 text for an epoch-millisecond time, as Date#toISOString gives it. Log events come
 * in bursts within the same second, so the text up to the seconds is cached and only the
 * milliseconds are appended: no Date allocation per event on the hot path.
 */
let cachedSecond = Number.NaN;
let cachedPrefix = '';

export function isoTimestamp(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    if (!(ms >= MIN_TIME_MS && ms <= MAX_TIME_MS)) throw new TimeRangeError(ms); // NaN too
    const iso = new Date(second * 1000).toISOString(); // 2024-11-20T17:12:23.000Z
    cachedSecond = second;
    cachedPrefix = iso.slice(0, 20);
  }
  const millis = ms - second * 1000;
  if (!Number.isInteger(millis)) return new Date(ms).toISOString();
  return `${cachedPrefix}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}
