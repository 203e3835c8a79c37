/**
 * Index names cut by the event's own day (or month) in a chosen time zone: `cwl-2024.11.20`.
 * Formatting a date in a time zone with Intl costs about a microsecond, so results are cached
 * per 15-minute slot (every real UTC offset is a multiple of 15 minutes, so a day boundary
 * never falls inside a slot).
 */
import { TimeRangeError } from '../decoding/timestamp';

const SLOT_MS = 15 * 60 * 1000;
const FOUR_DIGITS = /^\d{4}$/;
const MAX_CACHED_SLOTS = 4096;

export type DatePattern = string; // tokens YYYY, MM, DD, e.g. "YYYY.MM.DD" or "YYYYMM"

export class IndexNamer {
  private readonly cache = new Map<number, string>();
  private readonly parts: Intl.DateTimeFormat | undefined;

  constructor(
    readonly prefix: string,
    readonly timeZone = 'UTC',
    private readonly pattern: DatePattern = 'YYYY.MM.DD',
  ) {
    this.parts =
      timeZone === 'UTC'
        ? undefined
        : new Intl.DateTimeFormat('en-US', {
            timeZone,
            era: 'short',
            year: 'numeric',
            month: '2-digit',
            day: '2-digit',
          });
  }

  /** Throws TimeRangeError when the day is outside years 0000-9999 (in the index's time zone). */
  nameFor(timestampMs: number): string {
    const slot = Math.floor(timestampMs / SLOT_MS);
    let name = this.cache.get(slot);
    if (name === undefined) {
      if (this.cache.size >= MAX_CACHED_SLOTS) this.cache.clear();
      name = `${this.prefix}-${this.format(slot * SLOT_MS, timestampMs)}`;
      this.cache.set(slot, name);
    }
    return name;
  }

  private format(timestampMs: number, eventMs: number): string {
    let year: string, month: string, day: string;
    // Beyond ±8.64e15 ms Date itself has no time (toISOString and Intl throw "Invalid time value").
    if (!(Math.abs(timestampMs) <= 8.64e15)) throw new TimeRangeError(eventMs);
    if (this.parts === undefined) {
      const iso = new Date(timestampMs).toISOString();
      if (iso.length !== 24) throw new TimeRangeError(eventMs); // +010000-01-01T…, -000001-…
      year = iso.slice(0, 4);
      month = iso.slice(5, 7);
      day = iso.slice(8, 10);
    } else {
      const byType: Record<string, string> = {};
      for (const part of this.parts.formatToParts(timestampMs)) byType[part.type] = part.value;
      // Intl has no year 0: it writes "1 BC" (ISO year 0000); earlier years and years after 9999
      // (five digits) name no index.
      if (byType.era === 'BC' && byType.year === '1') year = '0000';
      else if (byType.era === 'AD' && byType.year !== undefined) year = byType.year.padStart(4, '0');
      else throw new TimeRangeError(eventMs, `in ${this.timeZone}`);
      if (!FOUR_DIGITS.test(year)) throw new TimeRangeError(eventMs, `in ${this.timeZone}`);
      month = byType.month ?? '00';
      day = byType.day ?? '00';
    }
    return this.pattern.replace('YYYY', year).replace('MM', month).replace('DD', day);
  }
}
