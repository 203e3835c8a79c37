import { re2, type RE2JS } from './re2';
import type { Problems } from '../rules/problems';

/**
 * The patterns of filters and masks run on every event's message, and they come from a rules
 * file: a pattern that backtracks catastrophically (`(a+)+$` on a long line) would stall every
 * invocation on V8's backtracking RegExp. So they run on re2js, a pure-JS port of RE2, whose
 * matching time is linear in the input by construction (an automaton, no backtracking). It
 * refuses what needs backtracking (lookahead, backreferences): that is a cold-start error.
 *
 * Patterns are JavaScript regex syntax (translated to RE2's: `(?<name>`, `\u00e9`); `(?i)` at
 * the start makes one case-insensitive. A pattern without regex syntax at all (`GET /health`,
 * `^DEBUG `, `favicon\.ico`) is a plain substring or prefix test: the same answer, faster.
 */
export interface LinearPattern {
  readonly source: string;
  test(text: string): boolean;
}

// Regex syntax; anything else is itself. An escaped punctuation character is the character.
const SYNTAX = /[\\^$.|?*+()[\]{}]/;
const ESCAPED_PUNCTUATION = /\\([\\^$.|?*+()[\]{}/-])/g;

/** The literal text of a pattern that is one (after unescaping punctuation), else undefined. */
function literalOf(pattern: string): string | undefined {
  const text = pattern.replace(ESCAPED_PUNCTUATION, '');
  if (SYNTAX.test(text)) return undefined;
  return pattern.replace(ESCAPED_PUNCTUATION, '$1');
}

/** Compiles a pattern for RE2; throws RE2's syntax error. */
export function compileRe2(pattern: string, flags = 0): RE2JS {
  const { RE2JS } = re2();
  return RE2JS.compile(RE2JS.translateRegExp(pattern), flags);
}

/**
 * Compiles a filter's pattern: a substring, a prefix (`^literal`) or an RE2 regex. A pattern
 * RE2 cannot compile adds a problem naming `field`.
 */
export function compilePattern(
  pattern: unknown,
  field: string,
  problems: Problems,
): LinearPattern | undefined {
  if (typeof pattern !== 'string' || pattern === '') {
    problems.add(field, `must be a non-empty regular expression, got ${JSON.stringify(pattern)}`);
    return undefined;
  }
  const anchored = pattern.startsWith('^') ? literalOf(pattern.slice(1)) : undefined;
  if (anchored !== undefined) return { source: pattern, test: (text) => text.startsWith(anchored) };
  const literal = literalOf(pattern);
  if (literal !== undefined) return { source: pattern, test: (text) => text.includes(literal) };
  const regex = compileRe2OrProblem(pattern, field, problems);
  return regex && { source: pattern, test: (text) => regex.test(text) };
}

/** RE2 compile with the error as a problem naming the field (and why RE2 refuses lookarounds). */
export function compileRe2OrProblem(pattern: string, field: string, problems: Problems): RE2JS | undefined {
  try {
    return compileRe2(pattern);
  } catch (error) {
    const message = (error as Error).message;
    const hint = /\(\?[=!<]|\\[1-9]/.test(pattern)
      ? ' (lookarounds and backreferences are not supported: patterns run on a linear-time engine, RE2)'
      : '';
    problems.add(field, `invalid regular expression: ${message}${hint}`);
    return undefined;
  }
}
