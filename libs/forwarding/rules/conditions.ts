import { getPath, parsePath } from './paths';

/** A test on one document; conditions are compiled once, at function start. */
export type Predicate = (source: Record<string, unknown>) => boolean;

export const CONDITION_OPERATORS = ['equals', 'in', 'regex', 'glob', 'exists'] as const;

/** `*` matches any run of characters, `?` one character; everything else is literal. */
export function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\/]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 's');
}

export function globPredicate(path: string, glob: string): Predicate {
  const field = parsePath(path);
  if (!glob.includes('*') && !glob.includes('?')) return (source) => getPath(source, field) === glob;
  const regex = globToRegExp(glob);
  return (source) => {
    const value = getPath(source, field);
    return typeof value === 'string' && regex.test(value);
  };
}

export type Operator = (typeof CONDITION_OPERATORS)[number];

/** Builds the predicate for `{ field, <operator>: value }`; the value was validated by the caller. */
export function conditionPredicate(path: string, operator: Operator, operand: unknown): Predicate {
  const field = parsePath(path);
  switch (operator) {
    case 'equals':
      return (source) => getPath(source, field) === operand;
    case 'in': {
      const allowed = new Set(operand as unknown[]);
      return (source) => allowed.has(getPath(source, field));
    }
    case 'regex': {
      const regex = new RegExp(operand as string);
      return (source) => {
        const value = getPath(source, field);
        return (typeof value === 'string' || typeof value === 'number') && regex.test(String(value));
      };
    }
    case 'glob':
      return globPredicate(path, operand as string);
    case 'exists':
      return (source) => (getPath(source, field) !== undefined) === operand;
  }
}
