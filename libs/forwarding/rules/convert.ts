export const FIELD_TYPES = ['integer', 'float', 'boolean', 'string', 'json'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** The converted value, `absent` for Apache's "-" (no value), or the reason it cannot be converted. */
export type Conversion = { ok: true; value: unknown } | { ok: false; reason: string } | { absent: true };

const INTEGER = /^[-+]?\d+$/;
const FLOAT = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const TRUE_WORDS = new Set(['true', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'off', '0']);

function describe(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

export function convert(value: unknown, type: FieldType): Conversion {
  // Access logs write "-" for "no body" or "no user": that is a missing value, not a bad line.
  if ((value === '-' || value === '') && type !== 'string') return { absent: true };
  switch (type) {
    case 'integer': {
      if (typeof value === 'number' && Number.isSafeInteger(value)) return { ok: true, value };
      if (typeof value === 'string' && INTEGER.test(value)) {
        const parsed = Number(value);
        if (Number.isSafeInteger(parsed)) return { ok: true, value: parsed };
      }
      return { ok: false, reason: `${describe(value)} is not an integer` };
    }
    case 'float': {
      if (typeof value === 'number' && Number.isFinite(value)) return { ok: true, value };
      if (typeof value === 'string' && FLOAT.test(value)) return { ok: true, value: Number(value) };
      return { ok: false, reason: `${describe(value)} is not a number` };
    }
    case 'boolean': {
      if (typeof value === 'boolean') return { ok: true, value };
      const word = String(value).toLowerCase();
      if (TRUE_WORDS.has(word)) return { ok: true, value: true };
      if (FALSE_WORDS.has(word)) return { ok: true, value: false };
      return { ok: false, reason: `${describe(value)} is not a boolean` };
    }
    case 'string':
      if (typeof value === 'string') return { ok: true, value };
      return { ok: true, value: typeof value === 'object' ? JSON.stringify(value) : String(value) };
    case 'json': {
      if (typeof value !== 'string') return { ok: true, value };
      try {
        return { ok: true, value: JSON.parse(value) as unknown };
      } catch {
        return { ok: false, reason: `${describe(value)} is not JSON` };
      }
    }
  }
}
