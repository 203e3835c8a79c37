import { escapeRegExp, literalOf, prefilterOf, requiredText } from './prefilter';
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
 * the start makes one case-insensitive.
 */
/** Compiles a pattern for RE2; throws RE2's syntax error. */
export function compileRe2(pattern: string, flags = 0): RE2JS {
  const { RE2JS } = re2();
  return RE2JS.compile(RE2JS.translateRegExp(pattern), flags);
}

/** `test` of an RE2 pattern, behind its prefilter when it has one (prefilter.ts). */
function re2Test(pattern: string, regex: RE2JS): (text: string) => boolean {
  const prefilter = prefilterOf(pattern);
  if (prefilter === undefined) return (text) => regex.test(text);
  return (text) => prefilter(text) && regex.test(text);
}

/** Patterns of which a message must match one (filters' `include`, `exclude`). */
export interface PatternSet {
  readonly size: number;
  test(text: string): boolean;
}

/**
 * Compiles a filter's list of patterns. Plain substrings and prefixes (`GET /health`,
 * `^DEBUG `) become one V8 regex of literal alternatives (linear: no quantifiers to backtrack
 * on), faster than a test each; the others run on RE2. A pattern RE2 cannot compile adds a
 * problem naming its field (`exclude[2]`).
 */
export function compilePatternSet(raw: readonly unknown[], field: string, problems: Problems): PatternSet {
  const literals: string[] = [];
  const tests: Array<(text: string) => boolean> = [];
  // The gate: one V8 regex of literal alternatives that every match of every pattern needs (the
  // literals themselves, the required text of the others). A line it rejects (most lines) costs
  // one test for the whole list; without a gate for every pattern there is none.
  const gate: string[] = [];
  const gateIgnoringCase: string[] = [];
  let gated = true;
  raw.forEach((pattern, i) => {
    const where = `${field}[${i}]`;
    if (typeof pattern !== 'string' || pattern === '')
      return problems.add(where, `must be a non-empty regular expression, got ${JSON.stringify(pattern)}`);
    const anchored = pattern.startsWith('^') ? literalOf(pattern.slice(1)) : undefined;
    const literal = anchored === undefined ? literalOf(pattern) : undefined;
    if (anchored !== undefined || literal !== undefined) {
      const alternative = anchored !== undefined ? `^${escapeRegExp(anchored)}` : escapeRegExp(literal!);
      literals.push(alternative);
      gate.push(alternative);
      return;
    }
    const regex = compileRe2OrProblem(pattern, where, problems);
    if (regex === undefined) return;
    tests.push(re2Test(pattern, regex));
    const required = requiredText(pattern);
    if (required === undefined) gated = false;
    else {
      const body = required.alternatives.map(escapeRegExp).join('|');
      (required.ignoreCase ? gateIgnoringCase : gate).push(required.anchored ? `^(?:${body})` : body);
    }
  });
  if (literals.length > 0) {
    const any = new RegExp(literals.join('|'));
    tests.unshift((text) => any.test(text));
  }
  const all = (text: string) => tests.some((test) => test(text));
  if (!gated) return { size: raw.length, test: all };
  const sensitive = gate.length > 0 ? new RegExp(gate.join('|'), 'u') : undefined;
  const insensitive = gateIgnoringCase.length > 0 ? new RegExp(gateIgnoringCase.join('|'), 'iu') : undefined;
  return {
    size: raw.length,
    test: (text) => (sensitive?.test(text) === true || insensitive?.test(text) === true) && all(text),
  };
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
