export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** Data can take up to 12 hours to become exportable after ingestion. */
export const EXPORTABLE_DELAY_MS = 12 * HOUR_MS;

/** PutLogEvents accepts events up to 14 days old, so no event predates group creation by more. */
export const MAX_EVENT_AGE_MS = 14 * DAY_MS;

/**
 * An event of a window can arrive until 14 days after the window's end and is exportable 12 h
 * later: an export requested after that sees every event the window will ever have.
 */
export const SETTLE_AFTER_MS = MAX_EVENT_AGE_MS + EXPORTABLE_DELAY_MS;

/** The only values PutRetentionPolicy accepts. */
export const ALLOWED_RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

export function floorTo(ms: number, unit: number): number {
  return Math.floor(ms / unit) * unit;
}

/** UTC date of an epoch-ms timestamp as YYYY-MM-DD. */
export function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
