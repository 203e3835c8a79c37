import { isObject, unknownKeys, type Problems } from '../rules/problems';
import { BUILTIN_GROUPS, BUILTIN_MASK_NAMES, builtinMask, type BuiltinPattern } from './builtin-masks';
import { builtinGate } from './builtin-gate';
import { compileRe2OrProblem } from './patterns';
import { prefilterOf } from './prefilter';
import { compileReplacement, replaceMatches, type TextEdits } from './replace';
import { logGroupsField, type LogGroupSelector } from './selector';

/**
 * Masks replace secrets in an event's message before its document is built (so the parsed JSON
 * fields are masked too) and before the splitter archives it. Per log group; the built-ins run in a
 * fixed order (builtin-masks.ts), then the custom patterns in the order listed. Custom patterns run on
 * RE2 (linear time); four fixed built-ins on V8 forms that cannot backtrack without bound (v8-regex.ts).
 */
export interface CompiledMask {
  name: string;
  logGroups: LogGroupSelector;
  patterns: readonly BuiltinPattern[];
  /** `secret-fields` is on: a JSON field named like a secret has its whole value masked. */
  secretFields: boolean;
  /** `card` is on: JSON numbers are checked as card numbers too. */
  cards: boolean;
  /** One test for every built-in of the mask (builtin-gate.ts): false, and none can change the text. */
  builtinGate?: (text: string) => boolean;
  /** How many of `patterns`, from the first, are the built-ins' (the gate's). */
  builtinPatterns: number;
}

export const MASK_KEYS = ['name', 'description', 'logGroups', 'builtins', 'custom'];
const CUSTOM_KEYS = ['name', 'pattern', 'replacement'];
const CUSTOM_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
export const DEFAULT_REPLACEMENT = '[MASKED]';

function custom(
  raw: unknown,
  field: string,
  names: Set<string>,
  problems: Problems,
): BuiltinPattern | undefined {
  if (!isObject(raw))
    return void problems.add(field, 'must be {"name": ..., "pattern": ..., "replacement": ...}');
  unknownKeys(raw, CUSTOM_KEYS, field, problems);
  if (typeof raw.name !== 'string' || !CUSTOM_NAME.test(raw.name))
    problems.add(`${field}.name`, 'is required: letters, digits, . _ - (up to 64)');
  else if (names.has(raw.name)) problems.add(`${field}.name`, `"${raw.name}" is used twice in this mask`);
  else names.add(raw.name);
  const replacement = raw.replacement ?? DEFAULT_REPLACEMENT;
  if (typeof replacement !== 'string') return void problems.add(`${field}.replacement`, 'must be a string');
  // A quote or backslash in a replacement would break a JSON message (it would lose its fields).
  if (/["\\]/.test(replacement))
    return void problems.add(
      `${field}.replacement`,
      'must not contain " or \\ (JSON messages must stay JSON)',
    );
  // A control character would too (a raw one is not JSON), and it could forge the placeholders
  // that keep a masked record's numbers as written (source-numbers.ts).
  if ([...replacement].some((char) => char.charCodeAt(0) < 32))
    return void problems.add(`${field}.replacement`, 'must not contain control characters (U+0000-U+001F)');
  if (typeof raw.pattern !== 'string' || raw.pattern === '')
    return void problems.add(`${field}.pattern`, 'must be a non-empty regular expression');
  const regex = compileRe2OrProblem(raw.pattern, `${field}.pattern`, problems);
  if (regex === undefined) return undefined;
  try {
    const replace = compileReplacement(replacement, regex.groupCount(), Object.keys(regex.namedGroups()));
    return { regex, replace, prefilter: prefilterOf(raw.pattern) };
  } catch (error) {
    return void problems.add(`${field}.replacement`, (error as Error).message);
  }
}

/** Compiles one `masks` entry (its name already checked by the caller). */
export function compileMask(raw: Record<string, unknown>, problems: Problems): CompiledMask | undefined {
  unknownKeys(raw, MASK_KEYS, '', problems);
  const logGroups = logGroupsField(raw.logGroups, 'logGroups', problems);
  const patterns: BuiltinPattern[] = [];
  if (raw.builtins !== undefined && (!Array.isArray(raw.builtins) || raw.builtins.length === 0))
    problems.add(
      'builtins',
      `must be a non-empty list of ${[...BUILTIN_MASK_NAMES, ...Object.keys(BUILTIN_GROUPS)].join(', ')}`,
    );
  const listed: unknown[] = Array.isArray(raw.builtins) ? raw.builtins : [];
  const builtins = new Set<string>();
  const known = [...BUILTIN_MASK_NAMES, ...Object.keys(BUILTIN_GROUPS)];
  listed.forEach((name, i) => {
    if (typeof name !== 'string' || !known.includes(name))
      problems.add(`builtins[${i}]`, `must be one of ${known.join(', ')}, got ${JSON.stringify(name)}`);
    else for (const one of BUILTIN_GROUPS[name] ?? [name]) builtins.add(one);
  });
  // Built-ins apply in their own order (builtin-masks.ts), then the custom patterns as listed.
  for (const name of BUILTIN_MASK_NAMES) if (builtins.has(name)) patterns.push(...builtinMask(name));
  const builtinPatterns = patterns.length;
  if (raw.custom !== undefined && (!Array.isArray(raw.custom) || raw.custom.length === 0))
    problems.add('custom', 'must be a non-empty list of {"name", "pattern", "replacement"}');
  const names = new Set<string>();
  (Array.isArray(raw.custom) ? raw.custom : []).forEach((item: unknown, i) => {
    const pattern = custom(item, `custom[${i}]`, names, problems);
    if (pattern !== undefined) patterns.push(pattern);
  });
  if (raw.builtins === undefined && raw.custom === undefined)
    problems.add('mask', 'needs builtins or custom patterns (or both)');
  if (logGroups === undefined) return undefined;
  return {
    name: raw.name as string,
    logGroups,
    patterns,
    secretFields: builtins.has('secret-fields'),
    cards: builtins.has('card'),
    builtinGate: builtinGate(builtins),
    builtinPatterns,
  };
}

/**
 * Applies every pattern of `mask` to `text`; returns `text` itself when nothing changed. With
 * `edits`, learns whether every replacement kept JSON JSON (replace.ts).
 */
export function applyMask(mask: CompiledMask, text: string, edits?: TextEdits): string {
  let out = text;
  // Patterns that share a prefilter (one built-in's) test it once while the text is unchanged.
  let tested: BuiltinPattern['prefilter'];
  let passed = false;
  const from = mask.builtinGate === undefined || mask.builtinGate(text) ? 0 : mask.builtinPatterns;
  for (let i = from; i < mask.patterns.length; i++) {
    const { regex, replace, prefilter, windows } = mask.patterns[i]!;
    if (prefilter !== undefined) {
      if (prefilter !== tested) {
        passed = prefilter(out);
        tested = prefilter;
      }
      if (!passed) continue;
    }
    const masked = replaceMatches(regex, out, replace, windows?.(out), edits);
    if (masked !== out) tested = undefined;
    out = masked;
  }
  return out;
}
