/**
 * Deepest JSON nesting kept as fields. Deeper lines stay text (`message` only): serializing them
 * recursively overflows the stack near a few thousand levels, and the index template's
 * `json` field (flattened, `depth_limit: 50`, tools/search/mappings.ts) refuses them anyway.
 */
export const MAX_JSON_DEPTH = 50;

const OPEN_BRACE = 123;
const OPEN_BRACKET = 91;

/**
 * True when JSON text nests objects and arrays deeper than `limit`. Most lines have fewer
 * brackets than the limit in all, which two indexOf scans find out; only the others are
 * walked character by character (outside strings).
 */
export function nestedDeeperThan(text: string, limit: number): boolean {
  let brackets = 0;
  for (let i = text.indexOf('{'); i !== -1 && brackets <= limit; i = text.indexOf('{', i + 1)) brackets++;
  for (let i = text.indexOf('['); i !== -1 && brackets <= limit; i = text.indexOf('[', i + 1)) brackets++;
  if (brackets <= limit) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 92 /* \ */) i++;
      else if (code === 34 /* " */) inString = false;
    } else if (code === 34) inString = true;
    else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (code === 125 /* } */ || code === 93 /* ] */) depth--;
  }
  return false;
}
