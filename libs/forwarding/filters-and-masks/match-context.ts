import type { MaskRegex } from './v8-regex';
import type { MaskMatch, Replacer } from './replace';

/**
 * The built-in masks. Each is one or more RE2 patterns (linear time, like custom ones) and a
 * replacement that can look at the characters around the match (RE2 has no lookarounds): a
 * match glued to a word is not what it looks like (`v1.2.3.4`, `deadbeef:cafe::1`), and is left.
 */
export interface BuiltinPattern {
  regex: MaskRegex;
  replace: Replacer;
  /**
   * A cheap test that every match needs (a character or word), run before RE2: re2js is slow on
   * patterns that do not start with a literal, and most lines hold no secret. Each is a literal
   * test or a V8 regex that cannot backtrack (literal alternatives, or one deterministic path).
   */
  prefilter?: (text: string) => boolean;
  /**
   * Where matches can be, when a scan finds that cheaply: spans of the text each holding whole
   * matches and the characters around them that the replacement looks at. RE2 then runs on
   * those spans only, not on a whole line (a CloudTrail record is 2 KB).
   */
  windows?: (text: string) => Array<[number, number]>;
}

/** What the characters around a match say about it (RE2 has no lookarounds). */
export const isWord = (code: number) =>
  (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
export const charAt = (text: string, i: number) => (i >= 0 && i < text.length ? text.charCodeAt(i) : -1);

/**
 * True when a word character right before position `start` glues the match to a word. The
 * letter of an escape (`\tAKIA...` in a JSON message) is not part of a word: it is a tab.
 */
export function wordBefore(text: string, start: number): boolean {
  if (!isWord(charAt(text, start - 1))) return false;
  let backslashes = 0;
  while (charAt(text, start - 2 - backslashes) === 92) backslashes++;
  return backslashes % 2 === 0;
}

/** True when the match stands alone: no word character (nor one of `also`) right before or after. */
export function standsAlone(match: MaskMatch, text: string, also: readonly number[] = []): boolean {
  const before = charAt(text, match.start - 1);
  const after = charAt(text, match.end);
  return !(wordBefore(text, match.start) || also.includes(before) || isWord(after) || also.includes(after));
}

/** A fixed replacement for a match that stands alone. */
export const fixed =
  (replacement: string, also: readonly number[] = []): Replacer =>
  (match, text) =>
    standsAlone(match, text, also) ? replacement : undefined;
