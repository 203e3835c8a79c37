import {
  exportObjectParts,
  firehoseDayPrefix,
  firehoseDays,
  firehoseKeyHour,
  groupOfPartition,
  partitionDays,
  selects,
  selectorPrefix,
  selectsExportGroup,
  type GroupSelector,
  type Layout,
  type SourceRef,
  type TimeRange,
} from './layout';
import type { SourceStore } from './store';

/**
 * Which objects a rehydration reads: only the partitions of the range, found by listing "/"
 * directories (group directories, then their `dt=` days), never every object of a prefix.
 */

/** One unit of work, checkpointed whole: an object, or the parts of one export task's stream. */
export interface WorkItem {
  /** `s3://bucket/key` of its first object: what the checkpoint records. */
  id: string;
  layout: Layout;
  bucket: string;
  keys: string[];
  bytes: number;
  /** Exports: the group and stream (the object's lines do not say). */
  logGroup?: string;
  logStream?: string;
  /** Firehose: when the object was written (the time of raw lines). */
  writtenAt?: Date;
}

export interface PlanOptions {
  groups: readonly GroupSelector[];
  range: TimeRange;
  /** Exports: events of day D are under dt=D − this … D (the exporter's longest window, 7 days). */
  exportSpanDays: number;
  /** Firehose: hours after the range's end whose arrivals are read too. */
  lateHours: number;
}

const PARTITION = /(?:^|\/)dt=(\d{4}-\d{2}-\d{2})\/$/;
/** Group names nest by "/": deeper directories than this are not a log group's. */
const MAX_DEPTH = 64;

/** The layout under a source prefix, from what its first level holds. */
export async function detectLayout(store: SourceStore, source: SourceRef): Promise<Layout | undefined> {
  const { directories } = await store.listDirectory(source.prefix === '' ? '' : `${source.prefix}/`);
  const names = directories.map((dir) => dir.slice(0, -1).split('/').pop()!);
  if (names.some((name) => name.startsWith('log_group='))) return 'archive';
  if (names.some((name) => /^\d{4}$/.test(name))) return 'firehose';
  return names.length > 0 ? 'exports' : undefined;
}

/** The `dt=` directories of the selected groups and days: `{dir, group}`. */
async function partitions(
  store: SourceStore,
  source: SourceRef,
  layout: 'archive' | 'exports',
  selector: GroupSelector,
  days: ReadonlySet<string>,
): Promise<{ dir: string; group: string }[]> {
  const found: { dir: string; group: string }[] = [];
  const start = selectorPrefix(source, layout, selector);
  const queue: { prefix: string; depth: number }[] = [{ prefix: start, depth: 0 }];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const { directories } = await store.listDirectory(next.prefix);
    for (const dir of directories) {
      const day = PARTITION.exec(dir)?.[1];
      if (day !== undefined) {
        if (!days.has(day)) continue;
        const parsed = groupOfPartition(source, layout, dir);
        if (parsed === undefined) continue;
        const group = layout === 'exports' ? selectsExportGroup([selector], parsed.group) : parsed.group;
        if (group !== undefined && selects([selector], group)) found.push({ dir, group });
        continue;
      }
      // An exact group's own directory holds its days; deeper ones are other groups (a/b, a/b/c).
      if (!selector.isPrefix && next.prefix === start) continue;
      if (layout === 'archive' && next.depth > 0) continue; // log_group=<encoded>/ has no "/" inside
      if (next.depth < MAX_DEPTH) queue.push({ prefix: dir, depth: next.depth + 1 });
    }
  }
  return found;
}

export async function planSource(
  store: SourceStore,
  source: SourceRef,
  layout: Layout,
  options: PlanOptions,
): Promise<WorkItem[]> {
  const items = new Map<string, WorkItem>();
  const add = (item: WorkItem) => items.set(item.id, item);
  const uri = (key: string) => `s3://${source.bucket}/${key}`;

  if (layout === 'firehose') {
    for (const { day, fromHour, toHour } of firehoseDays(options.range, options.lateHours)) {
      for (const object of await store.listAll(firehoseDayPrefix(source, day))) {
        const hour = firehoseKeyHour(day, object.key);
        if (hour === undefined || hour < fromHour || hour > toHour || object.size === 0) continue;
        add({
          id: uri(object.key),
          layout,
          bucket: source.bucket,
          keys: [object.key],
          bytes: object.size,
          writtenAt: object.lastModified,
        });
      }
    }
    return [...items.values()];
  }

  const days = new Set(partitionDays(layout, options.range, options.exportSpanDays));
  for (const selector of options.groups) {
    for (const { dir, group } of await partitions(store, source, layout, selector, days)) {
      const objects = await store.listAll(dir);
      if (layout === 'archive') {
        for (const object of objects)
          if (object.key.endsWith('.ndjson.gz') && object.size > 0)
            add({
              id: uri(object.key),
              layout,
              bucket: source.bucket,
              keys: [object.key],
              bytes: object.size,
            });
        continue;
      }
      // Exports: the parts of one task's stream are one item (copies are numbered across them).
      const streams = new Map<string, WorkItem>();
      for (const object of objects) {
        const parts = exportObjectParts(dir, object.key);
        if (parts === undefined || object.size === 0) continue; // aws-logs-write-test, directories
        const name = `${parts.task}/${parts.stream}`;
        const item = streams.get(name);
        if (item === undefined)
          streams.set(name, {
            id: uri(object.key),
            layout,
            bucket: source.bucket,
            keys: [object.key],
            bytes: object.size,
            logGroup: group,
            logStream: parts.stream,
          });
        else {
          item.keys.push(object.key);
          item.bytes += object.size;
        }
      }
      for (const item of streams.values()) add(item);
    }
  }
  return [...items.values()];
}
