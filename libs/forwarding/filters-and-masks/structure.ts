import { isObject } from '../rules/problems';
import { isCardNumber } from './builtin-masks';
import { isSecretField } from './secret-keys';

/**
 * Masking by structure: a JSON message is masked on its parsed tree, each value with its key in
 * view. A field named like a secret (secret-keys.ts) has its whole value replaced, whatever it
 * is; every other string (keys too) gets the text masks; a string that is itself JSON is masked
 * the same way and written back as the string it was; numbers are checked as cards. The result
 * is the same JSON with values replaced, so the document keeps its fields.
 */
export interface TreeMasks {
  /** The text masks on one string (the same string when nothing matched). */
  text(value: string, counted: Set<string>): string;
  /** The mask that replaces secret fields' values (`secret-fields` on), if any. */
  secretFieldsMask: string | undefined;
  /** The mask that checks JSON numbers as cards (`card` on), if any. */
  cardMask: string | undefined;
}

// Deeper JSON is not indexed as fields anyway (the index's depth limit is 50).
const MAX_DEPTH = 100;
const BOM = 0xfeff;

/** Where the JSON of `text` starts (after white space or a byte order mark), or -1. */
export function jsonStart(text: string): number {
  let at = 0;
  while (at < text.length && (text.charCodeAt(at) <= 32 || text.charCodeAt(at) === BOM)) at++;
  const first = text.charCodeAt(at);
  if (first !== 123 /* { */ && first !== 91 /* [ */) return -1;
  let end = text.length - 1;
  while (end > at && text.charCodeAt(end) <= 32) end--;
  const last = text.charCodeAt(end);
  return (first === 123 && last === 125) || (first === 91 && last === 93) ? at : -1;
}

/**
 * Card numbers written as JSON numbers, made strings before parsing (a 19-digit number would
 * lose digits as a double): one pass over the text, outside strings.
 */
function quoteCardNumbers(text: string): string {
  let out = '';
  let kept = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 34 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92) i++;
      continue;
    }
    if (code < 48 || code > 57) continue;
    let end = i;
    while (end < text.length && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end++;
    const next = text.charCodeAt(end);
    const digits = text.slice(i, end);
    const previous = text.charCodeAt(i - 1);
    const wholeNumber = next !== 46 && next !== 101 && next !== 69 && previous !== 45 && previous !== 46;
    if (wholeNumber && digits.length >= 13 && digits.length <= 19 && isCardNumber(digits)) {
      out += `${text.slice(kept, i)}"[CARD]"`;
      kept = end;
    }
    i = end - 1;
  }
  return kept === 0 ? text : out + text.slice(kept);
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const mayHoldCardNumber = (text: string) => /\d{13}/.test(text);

/**
 * `text` (JSON from `at`) masked on its tree: the same text when nothing changed, undefined
 * when it does not parse or nests too deep (the caller masks it as text).
 */
export function maskJsonText(
  text: string,
  at: number,
  masks: TreeMasks,
  counted: Set<string>,
  depth = 0,
): string | undefined {
  let source = text.slice(at);
  if (masks.cardMask !== undefined && mayHoldCardNumber(source)) {
    const quoted = quoteCardNumbers(source);
    if (quoted !== source) counted.add(masks.cardMask);
    source = quoted;
  }
  const value = parse(source);
  if (value === undefined || typeof value !== 'object' || value === null) return undefined;
  try {
    const masked = maskTree(value, masks, counted, depth);
    if (masked === value && source.length === text.length - at) return text;
    return text.slice(0, at) + JSON.stringify(masked);
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

const hasValue = (value: unknown) =>
  !(value === null || value === '' || typeof value === 'boolean' || value === '[MASKED]');

/**
 * Every value of a parsed JSON tree masked (see above); the same value when nothing changed.
 * Throws a RangeError past MAX_DEPTH levels.
 */
export function maskTree(value: unknown, masks: TreeMasks, counted: Set<string>, depth = 0): unknown {
  if (typeof value === 'string') return maskString(value, masks, counted, depth);
  if (typeof value === 'number') return maskNumber(value, masks, counted);
  if (depth > MAX_DEPTH) throw new RangeError(`a value nests deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(value)) {
    const items = value.map((item) => maskTree(item, masks, counted, depth + 1));
    return items.some((item, i) => item !== value[i]) ? items : value;
  }
  if (!isObject(value)) return value;
  let changed = false;
  const entries = Object.entries(value).map(([key, item]): [string, unknown] => {
    const maskedKey = masks.text(key, counted);
    let masked: unknown;
    if (masks.secretFieldsMask !== undefined && hasValue(item) && isSecretField(key, item)) {
      counted.add(masks.secretFieldsMask);
      masked = '[MASKED]';
    } else masked = maskTree(item, masks, counted, depth + 1);
    if (maskedKey !== key || masked !== item) changed = true;
    return [maskedKey, masked];
  });
  return changed ? Object.fromEntries(entries) : value;
}

function maskString(value: string, masks: TreeMasks, counted: Set<string>, depth: number): string {
  // JSON in a string (a request body, a queue message): masked as JSON, written back as a string.
  const at = value.length > 1 ? jsonStart(value) : -1;
  if (at !== -1) {
    const json = maskJsonText(value, at, masks, counted, depth + 1);
    if (json !== undefined) return json;
  }
  return masks.text(value, counted);
}

function maskNumber(value: number, masks: TreeMasks, counted: Set<string>): unknown {
  if (masks.cardMask === undefined || !Number.isSafeInteger(value) || value < 1e12) return value;
  const digits = String(value);
  if (!isCardNumber(digits)) return value;
  counted.add(masks.cardMask);
  return '[CARD]';
}
