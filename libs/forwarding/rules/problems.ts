import { OWNED_FIELDS } from '../documents/fields';

/** Collects rule problems, each prefixed with where it is (the rule) and naming the field. */
type Json = Record<string, unknown>;

export class Problems {
  readonly list: string[] = [];
  constructor(private readonly where: string = '') {}
  at(where: string): Problems {
    const child = new Problems(where);
    (child as { list: string[] }).list = this.list;
    return child;
  }
  add(field: string, text: string): void {
    this.list.push(`${this.where}: ${field}: ${text}`);
  }
}

export const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function unknownKeys(
  value: Json,
  allowed: readonly string[],
  field: string,
  problems: Problems,
): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key))
      problems.add(field ? `${field}.${key}` : key, `unknown key (expected one of ${allowed.join(', ')})`);
  }
}

export function writablePath(path: unknown, field: string, problems: Problems): path is string {
  if (typeof path !== 'string' || path === '' || path.split('.').some((part) => part === '')) {
    problems.add(field, `must be a field path like "http.status", got ${JSON.stringify(path)}`);
    return false;
  }
  const root = path.split('.')[0]!;
  if (OWNED_FIELDS.has(root)) {
    problems.add(field, `"${path}" is reserved (${[...OWNED_FIELDS].join(', ')} are set by the forwarder)`);
    return false;
  }
  return true;
}

export function compileRegex(pattern: string, field: string, problems: Problems): RegExp | undefined {
  try {
    return new RegExp(pattern);
  } catch (error) {
    problems.add(field, `invalid regular expression: ${(error as Error).message}`);
    return undefined;
  }
}
