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
    const iso = new Date(second * 1000).toISOString(); // 2024-11-20T17:12:23.000Z
    if (iso.length !== 24) return new Date(ms).toISOString(); // years outside 0000-9999
    cachedSecond = second;
    cachedPrefix = iso.slice(0, 20);
  }
  const millis = ms - second * 1000;
  if (!Number.isInteger(millis)) return new Date(ms).toISOString();
  return `${cachedPrefix}${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}
