import { globToRegExp } from '../rules/conditions';
import type { Problems } from '../rules/problems';

// Which log groups a per-group rule (filters, masks, multiline) applies to. Each entry is an
// exact name ("/aws/lambda/api"), a prefix ("/aws/lambda/*") or a pattern with * and ? anywhere
// ("/aws/eks/*/access"). Compiled once, at cold start.
export type LogGroupSelector = (logGroup: string) => boolean;

export function compileLogGroupSelector(patterns: readonly string[]): LogGroupSelector {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  const globs: RegExp[] = [];
  for (const pattern of patterns) {
    const wildcard = pattern.search(/[*?]/);
    if (wildcard === -1) exact.add(pattern);
    else if (wildcard === pattern.length - 1 && pattern.endsWith('*')) prefixes.push(pattern.slice(0, -1));
    else globs.push(globToRegExp(pattern));
  }
  return (logGroup) =>
    exact.has(logGroup) ||
    prefixes.some((prefix) => logGroup.startsWith(prefix)) ||
    globs.some((glob) => glob.test(logGroup));
}

/**
 * Validates a rule's `logGroups` (a non-empty list of names, prefixes or patterns) and compiles
 * it; adds a problem naming the field and returns undefined when it is not one.
 */
export function logGroupsField(
  raw: unknown,
  field: string,
  problems: Problems,
): LogGroupSelector | undefined {
  const list = typeof raw === 'string' ? [raw] : raw;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    list.some((item) => typeof item !== 'string' || item === '' || item.length > 512)
  ) {
    problems.add(
      field,
      'must be a log group name, prefix ("/aws/lambda/*") or pattern, or a non-empty list of them',
    );
    return undefined;
  }
  return compileLogGroupSelector(list as string[]);
}

/**
 * Caches what applies to each log group (a payload, record or object has one group, so the
 * selectors run once per group per container, not per event). Bounded: with an account-level
 * subscription a container may see many groups.
 */
export function perLogGroup<T>(resolve: (logGroup: string) => T, maxGroups = 1000): (logGroup: string) => T {
  const cache = new Map<string, T>();
  return (logGroup) => {
    let value = cache.get(logGroup);
    if (value === undefined && !cache.has(logGroup)) {
      if (cache.size >= maxGroups) cache.clear();
      value = resolve(logGroup);
      cache.set(logGroup, value);
    }
    return value as T;
  };
}
