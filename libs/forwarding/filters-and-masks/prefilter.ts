import { re2, type RE2JS } from './re2';

/**
 * re2js is fast on a pattern that starts with a literal and several times slower on the others
 * (`\d`, `(?i)`, `^(DEBUG|TRACE)`), and most lines match none of a filter's or mask's patterns.
 * So a pattern gets a prefilter when every match must contain some text: a V8 test of literal
 * alternatives (a substring test, or a regex of escaped alternatives: no quantifier, linear),
 * and RE2 runs only on the lines it lets through.
 *
 * The required text is read from RE2's own parse of the pattern (re2js builds a prefilter tree
 * from its parsed, simplified regexp: literals, concatenations, alternations, repeats), never
 * from the pattern's text: `\x2F`, `\u0045`, `\Q...\E`, classes and flags mean exactly what they
 * mean to RE2. A case-insensitive pattern (`(?i)` at its start) gets the required text of its
 * case-sensitive self, tested ignoring case: every match of it is a case variant of a match of
 * that, so the test never rejects a line the pattern matches.
 */
export interface RequiredText {
  /** One of these appears in every match. */
  alternatives: string[];
  /** Kept for the gate's shape: the parse tree does not say where text is, so always false. */
  anchored: boolean;
  ignoreCase: boolean;
}

const PUNCTUATION = /[\\^$.|?*+()[\]{}/-]/;
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

/** re2js's prefilter tree (RE2.prefilter, built by PrefilterTree.build from the parse). */
interface TreeNode {
  type: number; // 0 none, 1 exact, 2 and, 3 or
  str: string;
  subs: TreeNode[];
}
const EXACT = 1;
const AND = 2;
const OR = 3;

function treeOf(pattern: string): TreeNode | undefined {
  const { RE2JS } = re2();
  let regex: RE2JS;
  try {
    regex = RE2JS.compile(RE2JS.translateRegExp(pattern));
  } catch {
    return undefined;
  }
  const tree = (regex as unknown as { re2Input?: { prefilter?: TreeNode | null } }).re2Input?.prefilter;
  return tree ?? undefined;
}

/** Alternatives of which one is in every match, from a tree node (the best one under an AND). */
function alternativesOf(node: TreeNode): string[] | undefined {
  if (node.type === EXACT) return node.str === '' ? undefined : [node.str];
  if (node.type === OR) {
    const all: string[] = [];
    for (const sub of node.subs) {
      const alternatives = alternativesOf(sub);
      if (alternatives === undefined) return undefined;
      all.push(...alternatives);
    }
    return all.length === 0 || all.length > 64 ? undefined : [...new Set(all)];
  }
  if (node.type === AND) {
    let best: string[] | undefined;
    for (const sub of node.subs) {
      const alternatives = alternativesOf(sub);
      if (alternatives !== undefined && (best === undefined || shortest(alternatives) > shortest(best)))
        best = alternatives;
    }
    return best;
  }
  return undefined;
}

// The longest shortest alternative rejects the most lines.
const shortest = (alternatives: string[]) => Math.min(...alternatives.map((alt) => alt.length));

/** What every match of `pattern` must contain, as RE2 parses it (see above). */
export function requiredText(pattern: string): RequiredText | undefined {
  const ignoreCase = pattern.startsWith('(?i)');
  const tree = treeOf(ignoreCase ? pattern.slice(4) : pattern);
  const alternatives = tree && alternativesOf(tree);
  if (alternatives === undefined || shortest(alternatives) < 2) return undefined;
  return { alternatives, anchored: false, ignoreCase };
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
