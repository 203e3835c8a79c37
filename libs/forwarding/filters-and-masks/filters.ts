import { unknownKeys, type Problems } from '../rules/problems';
import { compilePatternSet, type PatternSet } from './patterns';
import { logGroupsField, type LogGroupSelector } from './selector';

/**
 * Filters drop events before they become documents, per log group: `exclude` patterns drop a
 * message that matches any of them, `include` patterns drop a message that matches none. They
 * see the raw message (after multiline joining, before masks). Dropped events are intentional:
 * counted by rule (Dropped metric), never failures, never dead-lettered.
 */
export interface CompiledFilter {
  name: string;
  logGroups: LogGroupSelector;
  include: PatternSet;
  exclude: PatternSet;
}

export const FILTER_KEYS = ['name', 'description', 'logGroups', 'include', 'exclude'];

function patterns(raw: unknown, field: string, problems: Problems): PatternSet {
  if (raw !== undefined && (!Array.isArray(raw) || raw.length === 0))
    problems.add(field, 'must be a non-empty list of regular expressions');
  return compilePatternSet(Array.isArray(raw) ? raw : [], field, problems);
}

/** Compiles one `filters` entry (its name already checked by the caller). */
export function compileFilter(raw: Record<string, unknown>, problems: Problems): CompiledFilter | undefined {
  unknownKeys(raw, FILTER_KEYS, '', problems);
  const logGroups = logGroupsField(raw.logGroups, 'logGroups', problems);
  const include = patterns(raw.include, 'include', problems);
  const exclude = patterns(raw.exclude, 'exclude', problems);
  if (raw.include === undefined && raw.exclude === undefined)
    problems.add('filter', 'needs include or exclude patterns (or both)');
  if (logGroups === undefined) return undefined;
  return { name: raw.name as string, logGroups, include, exclude };
}

/** The name of the first filter that drops `message`, or undefined when it is kept. */
export function droppedBy(filters: readonly CompiledFilter[], message: string): string | undefined {
  for (const filter of filters) {
    if (filter.include.size > 0 && !filter.include.test(message)) return filter.name;
    if (filter.exclude.size > 0 && filter.exclude.test(message)) return filter.name;
  }
  return undefined;
}
