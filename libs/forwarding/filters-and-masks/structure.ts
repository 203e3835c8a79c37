import { isObject } from '../rules/problems';
import { isCardNumber } from './builtin-masks';
import { isSecretField } from './secret-keys';
import { numberSource, quoteNumbers, restoreNumbers, type SourceNumbers } from './source-numbers';

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

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * `text` (JSON from `at`) masked on its tree: the same text when nothing changed, undefined
 * when it does not parse or nests too deep (the caller masks it as text). Numbers nobody masked
 * keep their source text (source-numbers.ts).
 */
export function maskJsonText(
  text: string,
  at: number,
  masks: TreeMasks,
  counted: Set<string>,
  depth = 0,
): string | undefined {
  const { text: source, numbers } = quoteNumbers(text.slice(at));
  const value = parse(source);
  if (value === undefined || typeof value !== 'object' || value === null) return undefined;
  try {
    const masked = maskTree(value, masks, counted, depth, numbers);
    if (masked === value) return text;
    return text.slice(0, at) + restoreNumbers(JSON.stringify(masked), numbers);
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
export function maskTree(
  value: unknown,
  masks: TreeMasks,
  counted: Set<string>,
  depth = 0,
  numbers?: SourceNumbers,
): unknown {
  if (typeof value === 'string') return maskString(value, masks, counted, depth, numbers);
  if (typeof value === 'number') return maskNumber(value, masks, counted);
  if (depth > MAX_DEPTH) throw new RangeError(`a value nests deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(value)) {
    const items = value.map((item) => maskTree(item, masks, counted, depth + 1, numbers));
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
    } else masked = maskTree(item, masks, counted, depth + 1, numbers);
    if (maskedKey !== key || masked !== item) changed = true;
    return [maskedKey, masked];
  });
  return changed ? Object.fromEntries(entries) : value;
}

function maskString(
  value: string,
  masks: TreeMasks,
  counted: Set<string>,
  depth: number,
  numbers: SourceNumbers | undefined,
): string {
  // A number of the source text (a placeholder): checked as a card, else kept as written.
  const number = numberSource(value, numbers);
  if (number !== undefined)
    return isCardToken(number) && masks.cardMask !== undefined ? card(masks.cardMask, counted) : value;
  // JSON in a string (a request body, a queue message): masked as JSON, written back as a string.
  const at = value.length > 1 ? jsonStart(value) : -1;
  if (at !== -1) {
    const json = maskJsonText(value, at, masks, counted, depth + 1);
    if (json !== undefined) return json;
  }
  return masks.text(value, counted);
}

function maskNumber(value: number, masks: TreeMasks, counted: Set<string>): unknown {
  if (masks.cardMask === undefined || !isCardValue(value)) return value;
  return card(masks.cardMask, counted);
}

function card(mask: string, counted: Set<string>): string {
  counted.add(mask);
  return '[CARD]';
}

/** A parsed number that is a card number: a whole number of 13 or more digits. */
const isCardValue = (value: number) =>
  Number.isSafeInteger(value) && value >= 1e12 && isCardNumber(String(value));

/**
 * A number's source text that is a card number: 13 to 19 digits as written (past 2^53 too,
 * which a double would change), or a value that is one (`4111111111111111.0`).
 */
const isCardToken = (source: string) =>
  /^[0-9]{13,19}$/.test(source) ? isCardNumber(source) : isCardValue(Number(source));
