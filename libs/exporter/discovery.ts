import type { ExporterConfig } from './config';
import type { LogGroupInfo, LogsApi, Page } from './types';

/** Follows nextToken until the last page; `limit` guards against a token that never ends. */
export async function collectPages<T>(
  fetchPage: (nextToken?: string) => Promise<Page<T>>,
  limit = 10_000,
): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  for (let page = 0; page < limit; page++) {
    const result = await fetchPage(token);
    items.push(...result.items);
    if (!result.nextToken || result.nextToken === token) return items;
    token = result.nextToken;
  }
  return items;
}

/** An exclude is an exact name, or a prefix when it ends with `*`. */
export function isExcluded(name: string, excludes: readonly string[]): boolean {
  return excludes.some((pattern) =>
    pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern,
  );
}

/** Configured names and prefixes, expanded with paginated DescribeLogGroups, minus excludes. */
export async function discoverLogGroups(
  logs: LogsApi,
  config: Pick<ExporterConfig, 'names' | 'prefixes' | 'excludes'>,
): Promise<LogGroupInfo[]> {
  const found = new Map<string, LogGroupInfo>();
  const selectors = [
    ...config.names.map((name) => ({ prefix: name, exact: true })),
    ...config.prefixes.map((prefix) => ({ prefix, exact: false })),
  ];
  for (const selector of selectors) {
    const groups = await collectPages((nextToken) =>
      logs.describeLogGroups({ prefix: selector.prefix, nextToken }),
    );
    for (const group of groups) {
      if (selector.exact && group.name !== selector.prefix) continue;
      if (!group.name.startsWith(selector.prefix)) continue;
      if (isExcluded(group.name, config.excludes)) continue;
      found.set(group.name, group);
    }
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}
