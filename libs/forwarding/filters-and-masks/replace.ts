import type { MaskRegex } from './v8-regex';

/** One match of a mask's pattern, as the replacement sees it. */
export interface MaskMatch {
  readonly start: number;
  readonly end: number;
  /** Group `i` (0: the whole match), or null when it did not take part. */
  group(i: number | string): string | null;
}

/** The replacement for one match; undefined leaves the match as it is. */
export type Replacer = (match: MaskMatch, text: string) => string | undefined;

const BACKSLASH = 92;

/** True when the character at `at` is escaped: an odd number of backslashes right before it. */
function escapes(text: string, at: number): boolean {
  let backslashes = 0;
  while (at - 1 - backslashes >= 0 && text.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes++;
  return backslashes % 2 === 1;
}

/**
 * What a caller learns of the replacements made (replaceMatches' `edits`). `jsonSafe` starts true
 * and stays true while every replacement provably keeps a valid JSON text valid with the same
 * structure (jsonStringEdit): then a masked JSON message needs no parse to know it is still JSON.
 */
export interface TextEdits {
  jsonSafe: boolean;
}

/**
 * Characters that a valid JSON text holds only inside strings: anything but white space,
 * structure (`{}[],:`), number characters (`0-9 - + . e E`) and the letters of `true`,
 * `false` and `null`.
 */
const ONLY_IN_STRINGS = /[^\t\n\r {}[\],:0-9+\-.eEtrufalsn]/;

/** True when `text` may stand in a JSON string as it is: no quote, backslash or control character. */
function plainStringContent(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 32 || code === 34 || code === 92) return false;
  }
  return true;
}

/**
 * True when replacing `text[start, end)` by `replacement` keeps a valid JSON `text` valid JSON
 * with the same structure: the span holds no quote or backslash (so it lies inside one string, or
 * between strings, and splits no escape), it lies inside a string (it holds a character only a
 * string can hold, or an odd number of unescaped quotes comes before it), and the replacement is
 * plain string content (no quote, backslash or control character). Callers keep texts with `\u`
 * escapes off this path (a span could start inside `\u00e9`).
 */
function jsonStringEdit(text: string, start: number, end: number, replacement: string): boolean {
  if (!plainStringContent(replacement)) return false;
  const span = text.slice(start, end);
  if (span.includes('"') || span.includes('\\')) return false;
  if (ONLY_IN_STRINGS.test(span)) return true;
  let quotes = 0;
  for (let i = text.indexOf('"'); i !== -1 && i < start; i = text.indexOf('"', i + 1))
    if (!escapes(text, i)) quotes++;
  return quotes % 2 === 1;
}

/**
 * Replaces every non-empty match of `regex` in `text` (RE2: linear time in the text). Returns
 * `text` itself when nothing was replaced, so callers see a change by identity.
 *
 * With `windows` (spans in order, each holding whole matches: BuiltinPattern.windows), RE2 runs
 * on those spans only; the replacement still sees the whole text around each match, and a match
 * inside one already replaced is skipped, so the result is the whole-text one.
 *
 * A match right after a backslash keeps its first character: in a JSON message `\nuser@x.io`
 * the `n` belongs to the escape `\n`, and replacing it would leave `\[EMAIL]`, which is not
 * JSON any more (the document would lose its parsed fields).
 *
 * With `edits`, each replacement is checked for keeping a JSON text JSON (TextEdits).
 */
export function replaceMatches(
  regex: MaskRegex,
  text: string,
  replacer: Replacer,
  windows?: ReadonlyArray<readonly [number, number]>,
  edits?: TextEdits,
): string {
  let out = '';
  let last = 0;
  let changed = false;
  for (const [from, to] of windows ?? [[0, text.length] as const]) {
    const span = windows === undefined ? text : text.slice(from, to);
    // RE2's DFA test is several times cheaper than finding matches; most messages have none.
    // A V8 form's first find is one scan like its test: no test first.
    if (regex.findScansOnce !== true && !regex.test(span)) continue;
    const matcher = regex.matcher(span);
    while (matcher.find()) {
      const start = matcher.start() + from;
      const end = matcher.end() + from;
      if (end === start || start < last) continue;
      let replacement = replacer({ start, end, group: (i) => matcher.group(i) }, text);
      if (replacement === undefined) continue;
      if (escapes(text, start)) replacement = text[start] + replacement;
      if (edits?.jsonSafe === true && !jsonStringEdit(text, start, end, replacement)) edits.jsonSafe = false;
      out += text.slice(last, start) + replacement;
      last = end;
      changed = true;
    }
  }
  return changed ? out + text.slice(last) : text;
}

/**
 * A custom mask's replacement text, compiled once: `$1`, `$<name>`, `$&` (the match) and `$$`
 * (a dollar sign), as in JavaScript's String.replace. Throws naming a group the pattern lacks.
 */
export function compileReplacement(template: string, groupCount: number, names: readonly string[]): Replacer {
  const parts: Array<string | { group: number | string }> = [];
  let literal = '';
  const token = /\$(?:(\$)|(&)|(\d{1,2})|<([^>]*)>)/g;
  let last = 0;
  for (let m = token.exec(template); m !== null; m = token.exec(template)) {
    literal += template.slice(last, m.index);
    last = m.index + m[0].length;
    if (m[1] !== undefined) {
      literal += '$';
      continue;
    }
    const ref: string | number = m[2] !== undefined ? 0 : m[3] !== undefined ? Number(m[3]) : m[4]!;
    if (typeof ref === 'number' && ref > groupCount)
      throw new Error(`$${ref} refers to a group the pattern does not have (it has ${groupCount})`);
    if (typeof ref === 'string' && !names.includes(ref))
      throw new Error(`$<${ref}> refers to a named group the pattern does not have`);
    if (literal !== '') parts.push(literal);
    literal = '';
    parts.push({ group: ref });
  }
  literal += template.slice(last);
  if (literal !== '') parts.push(literal);
  if (parts.length === 1 && typeof parts[0] === 'string') {
    const fixed = parts[0];
    return () => fixed;
  }
  return (match) => {
    let out = '';
    for (const part of parts) out += typeof part === 'string' ? part : (match.group(part.group) ?? '');
    return out;
  };
}
