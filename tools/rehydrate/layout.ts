import { ConfigError } from '../../libs/runtime/errors';

/**
 * The three layouts a rehydration reads, and which partitions of them hold a time range:
 *
 * - the splitter's archive: `<prefix>/log_group=<encodeURIComponent(group)>/dt=YYYY-MM-DD/<name>.ndjson.gz`
 *   (libs/splitter/archive.ts), one CloudWatch event per line with its id;
 * - the exporter's exports: `<prefix>/<group without leading slash>/dt=YYYY-MM-DD/<taskId>/<stream>/NNNNNN.gz`
 *   (docs/exporter.md), `<ISO time> <message>` lines, `dt` the day the export's range starts;
 * - Firehose's raw objects (the splitter's input): `<prefix>YYYY/MM/DD/HH/<name>`, by arrival hour.
 */
export type Layout = 'archive' | 'exports' | 'firehose';

export const LAYOUTS: readonly Layout[] = ['archive', 'exports', 'firehose'];

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

export interface SourceRef {
  bucket: string;
  /** Key prefix without leading or trailing slash ('' for the whole bucket). */
  prefix: string;
}

/** `s3://bucket/prefix` (trailing slash optional). */
export function parseSource(text: string): SourceRef {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(text);
  if (match === null) throw new ConfigError('--source', `must be s3://<bucket>[/<prefix>], got "${text}"`);
  return { bucket: match[1]!, prefix: (match[2] ?? '').replace(/^\/+|\/+$/g, '') };
}

/** `/aws/lambda/orders` (exactly that group) or `/aws/lambda/*` (every group starting so). */
export interface GroupSelector {
  text: string;
  /** The name, or the prefix before the `*`. */
  name: string;
  isPrefix: boolean;
}

export function parseGroupSelector(text: string): GroupSelector {
  const star = text.indexOf('*');
  if (text === '' || (star !== -1 && star !== text.length - 1))
    throw new ConfigError('--log-group', `must be a log group name or a prefix ending in "*", got "${text}"`);
  return star === -1
    ? { text, name: text, isPrefix: false }
    : { text, name: text.slice(0, -1), isPrefix: true };
}

export function selects(selectors: readonly GroupSelector[], group: string): boolean {
  return selectors.some((s) => (s.isPrefix ? group.startsWith(s.name) : group === s.name));
}

/** A half-open time range [from, to), epoch ms. */
export interface TimeRange {
  from: number;
  to: number;
}

export const inRange = (range: TimeRange, ms: number) => ms >= range.from && ms < range.to;

export const dayOf = (ms: number) => new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);

/** The UTC days YYYY-MM-DD from the day of `fromMs` to the day of `toMs` (inclusive). */
export function daysBetween(fromMs: number, toMs: number): string[] {
  const days: string[] = [];
  for (let day = Math.floor(fromMs / DAY_MS); day <= Math.floor(toMs / DAY_MS); day++)
    days.push(dayOf(day * DAY_MS));
  return days;
}

/** The `dt=` days to read for a range: exports hold day D under D − exportSpanDays … D. */
export function partitionDays(
  layout: 'archive' | 'exports',
  range: TimeRange,
  exportSpanDays: number,
): string[] {
  const first = layout === 'exports' ? range.from - exportSpanDays * DAY_MS : range.from;
  return daysBetween(first, range.to - 1);
}

/**
 * The Firehose hour prefixes to read: an event arrives after it happened (Firehose buffers up to
 * 15 minutes, CloudWatch accepts events up to 14 days late), so from the range's first hour to
 * `lateHours` after its end.
 */
export function firehoseDays(
  range: TimeRange,
  lateHours: number,
): { day: string; fromHour: number; toHour: number }[] {
  const first = Math.floor(range.from / HOUR_MS);
  const last = Math.floor((range.to - 1) / HOUR_MS) + lateHours;
  return daysBetween(first * HOUR_MS, last * HOUR_MS).map((day) => {
    const dayStart = Date.parse(`${day}T00:00:00Z`) / HOUR_MS;
    return { day, fromHour: Math.max(0, first - dayStart), toHour: Math.min(23, last - dayStart) };
  });
}

export const firehoseDayPrefix = (source: SourceRef, day: string) =>
  `${source.prefix === '' ? '' : `${source.prefix}/`}${day.replaceAll('-', '/')}/`;

/** The hour of a Firehose key (`…YYYY/MM/DD/HH/name`), or undefined. */
export function firehoseHourOf(key: string): number | undefined {
  const match = /(?:^|\/)(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\/[^/]+$/.exec(key);
  if (match === null) return undefined;
  return Date.parse(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:00:00Z`) / HOUR_MS;
}

export const firehoseKeyHour = (day: string, key: string) => {
  const hour = firehoseHourOf(key);
  return hour === undefined ? undefined : hour - Date.parse(`${day}T00:00:00Z`) / HOUR_MS;
};

/** Where the group directories of a layout start. */
export const layoutRoot = (source: SourceRef, layout: 'archive' | 'exports') =>
  `${source.prefix === '' ? '' : `${source.prefix}/`}${layout === 'archive' ? 'log_group=' : ''}`;

/**
 * The listing prefix of a selector: a group's own directory, or for a prefix selector the part of
 * the key every selected group's directory starts with (then a listing by "/" finds the groups).
 */
export function selectorPrefix(
  source: SourceRef,
  layout: 'archive' | 'exports',
  selector: GroupSelector,
): string {
  const root = layoutRoot(source, layout);
  const name = layout === 'archive' ? encodeURIComponent(selector.name) : selector.name.replace(/^\/+/, '');
  return selector.isPrefix ? `${root}${name}` : `${root}${name}/`;
}

/** The group name of a partition directory `<root><group dir>/dt=DAY/`; exports lose the leading slash. */
export function groupOfPartition(
  source: SourceRef,
  layout: 'archive' | 'exports',
  partition: string,
): { group: string; day: string } | undefined {
  const root = layoutRoot(source, layout);
  if (!partition.startsWith(root)) return undefined;
  const match = /^(.+)\/dt=(\d{4}-\d{2}-\d{2})\/$/.exec(partition.slice(root.length));
  if (match === null) return undefined;
  let group = match[1]!;
  if (layout === 'archive') {
    try {
      group = decodeURIComponent(group);
    } catch {
      return undefined;
    }
  }
  return { group, day: match[2]! };
}

/** Whether an export's group directory (no leading slash) is the selected group, with or without it. */
export function selectsExportGroup(selectors: readonly GroupSelector[], dirName: string): string | undefined {
  for (const candidate of [`/${dirName}`, dirName]) if (selects(selectors, candidate)) return candidate;
  return undefined;
}

/** `<partition><taskId>/<stream>/<part>.gz` of an export object. */
export function exportObjectParts(
  partition: string,
  key: string,
): { task: string; stream: string } | undefined {
  const rest = key.slice(partition.length);
  const slash = rest.indexOf('/');
  const last = rest.lastIndexOf('/');
  if (slash <= 0 || last <= slash) return undefined;
  return { task: rest.slice(0, slash), stream: rest.slice(slash + 1, last) };
}
