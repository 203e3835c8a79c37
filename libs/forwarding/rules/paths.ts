/**
 * Dotted field paths (`http.response.code`) into a document's `_source`, split once when the
 * rules are compiled so that applying a rule does no string work per document.
 */
export type FieldPath = readonly string[];

type Bag = Record<string, unknown>;

const isBag = (value: unknown): value is Bag =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function parsePath(path: string): FieldPath {
  return path.split('.');
}

export function getPath(source: Bag, path: FieldPath): unknown {
  let current: unknown = source;
  for (const key of path) {
    if (!isBag(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** Sets a value, creating intermediate objects; a non-object in the way is replaced. */
export function setPath(source: Bag, path: FieldPath, value: unknown): void {
  let current = source;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    const next = current[key];
    if (isBag(next)) current = next;
    else current = current[key] = {};
  }
  current[path[path.length - 1]!] = value;
}

/** Removes a field and returns its value (undefined when it was absent). */
export function deletePath(source: Bag, path: FieldPath): unknown {
  let current: unknown = source;
  for (let i = 0; i < path.length - 1; i++) {
    if (!isBag(current)) return undefined;
    current = current[path[i]!];
  }
  if (!isBag(current)) return undefined;
  const last = path[path.length - 1]!;
  const value = current[last];
  delete current[last];
  return value;
}
