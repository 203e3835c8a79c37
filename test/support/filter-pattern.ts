/**
 * The part of CloudWatch Logs' filter-pattern syntax the default metric filters use, evaluated
 * as the documentation describes it ("Filter pattern syntax for metric filters, subscription
 * filters, filter log events, and Live Tail"): matching is case-sensitive; a quoted term matches
 * the exact phrase; `%regex%` allows only letters, digits, the symbols : _ # = @ / ; , - and the
 * operators ^ $ ? [ ] { } | \ * + . (no parentheses, quantifiers as {m,n}); a JSON pattern
 * `{ $.key = "value" || $.key >= n }` matches only log events that are JSON objects, string
 * equality exact. Anything outside this subset is refused (the test fails), not guessed.
 */

const REGEX_CHARS = /^[A-Za-z0-9:_#=@/;,\-^$?[\]{}|\\*+.]*$/;

/** Why a `%regex%` body is not in the documented syntax, or undefined. */
export function regexProblem(body: string): string | undefined {
  if (!REGEX_CHARS.test(body)) return `characters outside the documented set in ${body}`;
  // Every {…} must be the documented {m,n} (the exact {n} form is not listed).
  const braces = body.replace(/\\./g, '').match(/\{[^}]*\}/g) ?? [];
  for (const brace of braces) if (!/^\{\d+,\d+\}$/.test(brace)) return `quantifier ${brace} is not {m,n}`;
  return undefined;
}

type JsonTerm = { path: string[]; op: '=' | '>='; value: string | number };

function parseJsonPattern(pattern: string): JsonTerm[] {
  const inner = pattern.trim().slice(1, -1).trim();
  return inner.split('||').map((term) => {
    const match = /^\s*\$\.([A-Za-z0-9_.]+)\s*(=|>=)\s*(?:"([^"]*)"|(-?\d+(?:\.\d+)?))\s*$/.exec(term);
    if (match === null) throw new Error(`JSON term outside the tested subset: ${term}`);
    return {
      path: match[1]!.split('.'),
      op: match[2] as JsonTerm['op'],
      value: match[3] !== undefined ? match[3] : Number(match[4]),
    };
  });
}

function jsonMatches(terms: JsonTerm[], line: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return false;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return false;
  return terms.some(({ path, op, value }) => {
    let field: unknown = parsed;
    for (const key of path) field = (field as Record<string, unknown> | null)?.[key];
    if (op === '=') return typeof value === 'string' ? field === value : field === value;
    return typeof field === 'number' && typeof value === 'number' && field >= value;
  });
}

/** A compiled filter pattern: `matches(line)` as CloudWatch Logs would decide it. */
export function compileFilterPattern(pattern: string): (line: string) => boolean {
  const trimmed = pattern.trim();
  if (trimmed === '') return () => true;
  if (trimmed.startsWith('{')) {
    const terms = parseJsonPattern(trimmed);
    return (line) => jsonMatches(terms, line);
  }
  if (trimmed.startsWith('%') && trimmed.endsWith('%')) {
    const body = trimmed.slice(1, -1);
    const problem = regexProblem(body);
    if (problem !== undefined) throw new Error(problem);
    const regex = new RegExp(body); // case-sensitive, as CloudWatch matches
    return (line) => regex.test(line);
  }
  const phrase = /^"([^"]*)"$/.exec(trimmed);
  if (phrase !== null) return (line) => line.includes(phrase[1]!);
  throw new Error(`pattern outside the tested subset: ${pattern}`);
}
