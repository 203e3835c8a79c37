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

const escapeRegExp = (text: string) => text.replace(/[\\^$.|?*+()[\]{}/-]/g, '\\$&');

/**
 * The longest run of literal characters that every match of `pattern` must contain (at its top
 * level: outside groups and classes, not under a quantifier), if there is one and no top-level
 * `|`. A cheap substring test on it rejects most lines before RE2 looks at them: re2js is fast on
 * a pattern that starts with a literal, much slower on the rest (`\d`, `(?i)`, `^(A|B)`).
 */
export function requiredLiteral(pattern: string): { text: string; ignoreCase: boolean } | undefined {
  let i = 0;
  let ignoreCase = false;
  if (pattern.startsWith('(?i)')) {
    ignoreCase = true;
    i = 4;
  }
  // Other flags or group kinds, and classes starting with `]`: not worth reading.
  if (pattern.includes('(?', i) || /\[\^?\]/.test(pattern)) return undefined;
  let depth = 0;
  let run = '';
  let best = '';
  const end = () => {
    if (run.length > best.length) best = run;
    run = '';
  };
  for (; i < pattern.length; i++) {
    const c = pattern[i]!;
    const next = pattern[i + 1];
    if (c === '\\') {
      i++;
      if (depth === 0 && next !== undefined && /[\\^$.|?*+()[\]{}/-]/.test(next)) {
        if (/[*+?{]/.test(pattern[i + 1] ?? '')) end();
        else run += next;
      } else end(); // \d, \b, \x41...: not one literal character
      continue;
    }
    if (c === '[') {
      end();
      for (i++; i < pattern.length && pattern[i] !== ']'; i++) if (pattern[i] === '\\') i++;
      continue;
    }
    if (c === '{') {
      end();
      while (i < pattern.length && pattern[i] !== '}') i++;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return undefined;
    if (depth > 0 || '()^$.|*+?{}'.includes(c)) {
      end();
      continue;
    }
    // A character under a quantifier may be absent or repeated: it ends the run.
    if (next !== undefined && '*+?{'.includes(next)) end();
    else run += c;
  }
  end();
  return best.length >= 2 ? { text: best, ignoreCase } : undefined;
}

/** The substring test of a pattern's required literal, when it has one. */
export function literalPrefilter(pattern: string): ((text: string) => boolean) | undefined {
  const literal = requiredLiteral(pattern);
  if (literal === undefined) return undefined;
  if (!literal.ignoreCase) {
    const needle = literal.text;
    return (text) => text.includes(needle);
  }
  // One escaped literal, no alternatives or quantifiers: nothing for V8 to backtrack on.
  const needle = new RegExp(escapeRegExp(literal.text), 'iu');
  return (text) => needle.test(text);
}

/** `test` of an RE2 pattern, behind the substring test of its required literal when it has one. */
function re2Test(pattern: string, regex: RE2JS): (text: string) => boolean {
  const prefilter = literalPrefilter(pattern);
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
  raw.forEach((pattern, i) => {
    const where = `${field}[${i}]`;
    if (typeof pattern !== 'string' || pattern === '')
      return problems.add(where, `must be a non-empty regular expression, got ${JSON.stringify(pattern)}`);
    const anchored = pattern.startsWith('^') ? literalOf(pattern.slice(1)) : undefined;
    if (anchored !== undefined) return void literals.push(`^${escapeRegExp(anchored)}`);
    const literal = literalOf(pattern);
    if (literal !== undefined) return void literals.push(escapeRegExp(literal));
    const regex = compileRe2OrProblem(pattern, where, problems);
    if (regex !== undefined) tests.push(re2Test(pattern, regex));
  });
  if (literals.length > 0) {
    const any = new RegExp(literals.join('|'));
    tests.unshift((text) => any.test(text));
  }
  return { size: raw.length, test: (text) => tests.some((test) => test(text)) };
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
