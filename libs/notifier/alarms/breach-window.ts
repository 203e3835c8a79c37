import type { AlarmNotification } from './types';

/**
 * The time the lines that made the alarm fire were written. CloudWatch evaluates a period a
 * minute or more after it ends, so the window that ends at StateChangeTime usually misses them.
 * The reason names the datapoints it evaluated with the start of their period
 * (`[3.0 (21/11/26 10:14:00)]`, dd/MM/yy, UTC): the window is from the first of those to the
 * end of the last one's period. A reason without datapoints (composite, some metric math) gets
 * the evaluation periods before the change, widened by EVALUATION_DELAY_MS.
 */

/** How long after a period ends CloudWatch may evaluate it (the fallback's extra width). */
export const EVALUATION_DELAY_MS = 5 * 60_000;

const DATAPOINT = /\(\s*(\d{2})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})\s*\)/g;

/** The period starts the reason names, as epoch milliseconds (UTC). */
export function datapointTimes(reason: string): number[] {
  const times: number[] = [];
  for (const m of reason.matchAll(DATAPOINT)) {
    const [, dd, mm, yy, h, min, s] = m.map(Number) as number[];
    const time = Date.UTC(2000 + (yy as number), (mm as number) - 1, dd, h, min, s);
    if (!Number.isNaN(time)) times.push(time);
  }
  return times;
}

export function breachWindow(alarm: AlarmNotification): { start: Date; end: Date } | undefined {
  const changed = alarm.stateChangeTime;
  const period = alarm.trigger?.period;
  if (changed === undefined || period === undefined) return undefined;
  const periodMs = period * 1000;
  // Only datapoints before the change can have made it.
  const times = datapointTimes(alarm.reason).filter((t) => t <= changed.getTime());
  if (times.length > 0) {
    const end = Math.min(Math.max(...times) + periodMs, changed.getTime());
    return { start: new Date(Math.min(...times)), end: new Date(end) };
  }
  const periods = alarm.trigger?.evaluationPeriods ?? 1;
  return { start: new Date(changed.getTime() - periodMs * periods - EVALUATION_DELAY_MS), end: changed };
}
