/** Reading the loosely typed JSON of alarm notifications: a wrong type is a missing value, never a throw. */
export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-blank string. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** A finite number, or a string holding one. */
export function num(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** CloudWatch writes `2024-01-01T00:00:00.000+0000`; make the offset ISO (`+00:00`) before parsing. */
export function parseStateChangeTime(value: unknown): Date | undefined {
  const raw = text(value);
  if (raw === undefined) return undefined;
  const date = new Date(raw.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
  return Number.isNaN(date.getTime()) ? undefined : date;
}
