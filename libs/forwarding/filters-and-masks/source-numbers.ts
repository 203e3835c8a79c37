/**
 * The numbers of a JSON text kept exactly as written through a parse and a serialization. A
 * JSON number read as a double loses what a double cannot hold (2^53+1 becomes 2^53, `1e400`
 * Infinity and then `null`, `-0` and `1.10` are written `0` and `1.1`), so a masked record would
 * change numbers nobody masked. Before the parse, each number in a value's place becomes a
 * placeholder string (a control character no string of the text can hold, then its index);
 * after the serialization each placeholder left is replaced by the number's source text.
 *
 * A placeholder cannot be forged: a JSON string holds a control character only as a `\u`
 * escape, and the marker is one the text does not write; masks insert none (custom
 * replacements may not hold control characters: masks.ts).
 */
export interface SourceNumbers {
  /** The marker character that starts every placeholder. */
  readonly marker: string;
  /** Each number's source text, by placeholder index. */
  readonly sources: readonly string[];
}

// Control characters JSON.stringify writes as `\u00XX` (not \b \t \n \f \r).
const MARKERS = [
  0, 1, 2, 3, 4, 5, 6, 7, 11, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
];
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const escapeOf = (code: number) => `\\u00${code.toString(16).padStart(2, '0')}`;

/** A marker the text writes no escape of, or undefined (the caller keeps the old reading). */
function markerFor(text: string): number | undefined {
  if (!text.includes('\\u00')) return MARKERS[0];
  const lower = text.toLowerCase();
  return MARKERS.find((code) => !lower.includes(escapeOf(code)));
}

/**
 * `text` (a JSON object or array) with every number in a value's place (after `:`, `[`, or `,`
 * in an array) made a placeholder string; the same text when it holds none. A number anywhere
 * else (a key's place: invalid JSON) is left, so the text parses exactly when it did.
 */
export function quoteNumbers(text: string): { text: string; numbers?: SourceNumbers } {
  const code = markerFor(text);
  if (code === undefined) return { text };
  const sources: string[] = [];
  const containers: number[] = [];
  let out = '';
  let kept = 0;
  let previous = 0; // the last character outside strings that is not white space
  for (let i = 0; i < text.length;) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      // To the closing quote: one not escaped by an odd run of backslashes.
      let close = text.indexOf('"', i + 1);
      for (; close !== -1; close = text.indexOf('"', close + 1)) {
        let backslashes = 0;
        while (text.charCodeAt(close - 1 - backslashes) === 92) backslashes++;
        if (backslashes % 2 === 0) break;
      }
      if (close === -1) break; // unterminated: the parse fails as it would have
      i = close + 1;
      previous = c;
      continue;
    }
    if (c === 123 /* { */ || c === 91 /* [ */) containers.push(c);
    else if (c === 125 /* } */ || c === 93 /* ] */) containers.pop();
    const valuePlace =
      previous === 58 /* : */ ||
      previous === 91 /* [ */ ||
      (previous === 44 /* , */ && containers[containers.length - 1] === 91);
    if ((c === 45 /* - */ || (c >= 48 && c <= 57)) && valuePlace) {
      NUMBER.lastIndex = i;
      const number = NUMBER.exec(text);
      if (number !== null) {
        out += `${text.slice(kept, i)}"${escapeOf(code)}${sources.length}"`;
        sources.push(number[0]);
        i += number[0].length;
        kept = i;
        previous = 48; // a value
        continue;
      }
    }
    if (c > 32) previous = c;
    i++;
  }
  if (sources.length === 0) return { text };
  return { text: out + text.slice(kept), numbers: { marker: String.fromCharCode(code), sources } };
}

/** The source text of the number a placeholder stands for, or undefined for any other string. */
export function numberSource(value: string, numbers: SourceNumbers | undefined): string | undefined {
  if (numbers === undefined || value.length < 2 || value[0] !== numbers.marker) return undefined;
  return numbers.sources[Number(value.slice(1))];
}

/** `json` (JSON.stringify of a tree with placeholders) with each placeholder back to its number. */
export function restoreNumbers(json: string, numbers: SourceNumbers | undefined): string {
  if (numbers === undefined) return json;
  const placeholder = new RegExp(
    `"${escapeOf(numbers.marker.charCodeAt(0)).replace('\\', '\\\\')}([0-9]+)"`,
    'g',
  );
  return json.replace(placeholder, (_, index: string) => numbers.sources[Number(index)]!);
}
