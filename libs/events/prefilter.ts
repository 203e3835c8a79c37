/**
 * re2js is fast on a pattern that starts with a literal and several times slower on the others
 * (`\d`, `(?i)`, `^(DEBUG|TRACE)`), and most lines match none of a filter's or mask's patterns.
 * So a pattern gets a prefilter when its syntax shows text that every match must contain: a run
 * of literal characters at its top level, or a group of literal alternatives (`(ico|png)`).
 * The prefilter is a substring test or a V8 regex of escaped literal alternatives, which has no
 * quantifier to backtrack on (linear); RE2 runs only on the lines it lets through.
 */
export interface RequiredText {
  /** One of these appears in every match. */
  alternatives: string[];
  /** ... at the start of the text (the pattern starts with `^` and then this). */
  anchored: boolean;
  ignoreCase: boolean;
}

const PUNCTUATION = /[\\^$.|?*+()[\]{}/-]/;
const QUANTIFIER = /[*+?{]/;
// `-` is left alone: outside a class it is itself, and `\-` is an error in a `u` regex.
export const escapeRegExp = (text: string) => text.replace(/[\\^$.|?*+()[\]{}/]/g, '\\$&');

/** The literal text of `pattern` when it is only literal characters and escaped punctuation. */
export function literalOf(pattern: string): string | undefined {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[++i];
      if (next === undefined || !PUNCTUATION.test(next)) return undefined;
      out += next;
    } else if (PUNCTUATION.test(c) && c !== '/' && c !== '-') return undefined;
    else out += c;
  }
  return out;
}

/** Index of the `)` closing the group opened at `open`, or -1. */
function closing(pattern: string, open: number): number {
  let depth = 0;
  for (let i = open; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '[') {
      for (i++; i < pattern.length && pattern[i] !== ']'; i++) if (pattern[i] === '\\') i++;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

/** What every match of `pattern` must contain, if its top level shows it. */
export function requiredText(pattern: string): RequiredText | undefined {
  let i = 0;
  let ignoreCase = false;
  if (pattern.startsWith('(?i)')) {
    ignoreCase = true;
    i = 4;
  }
  // Other flags, and classes starting with `]`: not worth reading.
  if (/\(\?[a-zA-Z-]*[):]/.test(pattern.slice(i).replace(/\(\?:/g, '')) || /\[\^?\]/.test(pattern))
    return undefined;
  const anchoredStart = pattern[i] === '^';
  if (anchoredStart) i++;
  const start = i;
  const candidates: Array<{ alternatives: string[]; at: number }> = [];
  let run = '';
  let runAt = i;
  const end = () => {
    if (run !== '') candidates.push({ alternatives: [run], at: runAt });
    run = '';
  };
  for (; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (run === '') runAt = i;
    if (c === '|') return undefined; // top-level alternatives: nothing is required of all
    if (c === '(') {
      end();
      const close = closing(pattern, i);
      if (close === -1) return undefined;
      const body = pattern.slice(pattern.startsWith('(?:', i) ? i + 3 : i + 1, close);
      const alternatives = body.split('|').map(literalOf);
      const quantified = QUANTIFIER.test(pattern[close + 1] ?? '');
      if (!quantified && alternatives.every((alt): alt is string => alt !== undefined && alt !== ''))
        candidates.push({ alternatives, at: i });
      i = close;
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
    let literal: string | undefined;
    if (c === '\\') {
      const next = pattern[++i];
      literal = next !== undefined && PUNCTUATION.test(next) ? next : undefined; // \d, \b, \x41: no
    } else if (!'^$.*+?)'.includes(c)) literal = c;
    // A character under a quantifier may be absent or repeated: it ends the run.
    if (literal === undefined || QUANTIFIER.test(pattern[i + 1] ?? '')) end();
    else run += literal;
  }
  end();
  // The longest shortest alternative rejects the most lines.
  const shortest = (candidate: { alternatives: string[] }) =>
    Math.min(...candidate.alternatives.map((alt) => alt.length));
  const best = candidates.reduce<(typeof candidates)[number] | undefined>(
    (kept, candidate) => (kept === undefined || shortest(candidate) > shortest(kept) ? candidate : kept),
    undefined,
  );
  if (best === undefined || shortest(best) < 2) return undefined;
  return { alternatives: best.alternatives, anchored: anchoredStart && best.at === start, ignoreCase };
}

/** The prefilter of `pattern`, when its syntax shows required text. */
export function prefilterOf(pattern: string): ((text: string) => boolean) | undefined {
  const required = requiredText(pattern);
  if (required === undefined) return undefined;
  const { alternatives, anchored, ignoreCase } = required;
  if (alternatives.length === 1 && !ignoreCase) {
    const needle = alternatives[0]!;
    return anchored ? (text) => text.startsWith(needle) : (text) => text.includes(needle);
  }
  const body = alternatives.map(escapeRegExp).join('|');
  const regex = new RegExp(anchored ? `^(?:${body})` : body, ignoreCase ? 'iu' : 'u');
  return (text) => regex.test(text);
}
