import { logGroupsField, perLogGroup, type LogGroupSelector } from '../filters-and-masks/selector';
import { compileRegex, isObject, Problems, unknownKeys } from '../rules/problems';
import { PRESET_NAMES, PRESETS, type PresetName } from './presets';

/**
 * The `multiline` section of the rules file: per log group, which events continue the event
 * before them (a stack trace written one line per CloudWatch event by `awslogs`).
 *
 * One vocabulary, three ways to say it (exactly one per rule):
 * - `preset`: a language's stack traces, built in (libs/forwarding/multiline/presets.ts);
 * - `start`: a line that matches starts a new event; every other line continues the previous one
 *   (Filebeat's pattern + negate: true + match: after);
 * - `continuation`: a line that matches continues the previous event; every other line starts one
 *   (Filebeat's pattern + negate: false + match: after).
 * Filebeat's `match: before` (a line continues into the NEXT one) is not offered: its group is
 * only complete once a later event arrives, which a payload's end cannot promise.
 */
export interface MultilineRule {
  name: string;
  logGroups: LogGroupSelector;
  /**
   * True when the line continues the event before it, whose last line is `previous` (a preset
   * looks at both; a `start` or `continuation` regex at the line's first MATCH_CHARS characters).
   */
  continues(line: string, previous: string): boolean;
  maxLines: number;
  maxBytes: number;
}

/** What a log group's events are joined by: its rule, or undefined (events stay one each). */
export type MultilineForGroup = (logGroup: string) => MultilineRule | undefined;

export const MULTILINE_DEFAULTS = { maxLines: 500, maxBytes: 262144 } as const;
const LIMITS = { maxLines: [2, 10000], maxBytes: [1024, 1048576] } as const;
/**
 * A pattern is tested against a line's first characters only: the start of a line is what tells
 * a new event from a continuation, and it bounds the regex work per line whatever its length.
 */
export const MATCH_CHARS = 1024;

const RULE_KEYS = [
  'name',
  'description',
  'logGroups',
  'preset',
  'start',
  'continuation',
  'maxLines',
  'maxBytes',
];
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const FILEBEAT_KEYS = ['pattern', 'negate', 'match', 'what', 'timeout', 'max_lines', 'max_bytes'];

/**
 * Validates and compiles the `multiline` section (absent: no joining). Problems name the rule
 * and the field, like the rules' own (`multiline rule "java" (multiline[0]): start: ...`).
 */
export function compileMultiline(raw: unknown, problems: Problems): MultilineRule[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    problems.add('multiline', 'must be a list of rules like {"name", "logGroups", "start"}');
    return [];
  }
  const names = new Set<string>();
  const rules: MultilineRule[] = [];
  raw.forEach((item: unknown, i) => {
    const name = isObject(item) && typeof item.name === 'string' ? item.name : undefined;
    const at = problems.at(
      name === undefined ? `multiline[${i}]` : `multiline rule "${name}" (multiline[${i}])`,
    );
    if (!isObject(item)) return at.add('rule', 'must be an object');
    const before = problems.list.length;
    if (name === undefined || !NAME.test(name))
      at.add('name', 'is required: letters, digits, . _ - (up to 64)');
    else if (names.has(name)) at.add('name', 'is used by an earlier multiline rule; names must be unique');
    if (name !== undefined) names.add(name);
    for (const key of Object.keys(item)) {
      if (FILEBEAT_KEYS.includes(key))
        at.add(
          key,
          'is Filebeat vocabulary: write "preset" (a language\'s stack traces), "start" (lines NOT matching it continue: negate true, match after) or "continuation" (lines matching it continue: negate false, match after); maxLines, maxBytes',
        );
    }
    unknownKeys(
      Object.fromEntries(Object.entries(item).filter(([key]) => !FILEBEAT_KEYS.includes(key))),
      RULE_KEYS,
      '',
      at,
    );
    if (item.description !== undefined && typeof item.description !== 'string')
      at.add('description', 'must be a string');
    const logGroups = logGroupsField(item.logGroups, 'logGroups', at);
    const continues = pattern(item, at);
    const maxLines = limit(item.maxLines, 'maxLines', at);
    const maxBytes = limit(item.maxBytes, 'maxBytes', at);
    if (problems.list.length > before || !logGroups || !continues) return;
    rules.push({ name: name!, logGroups, continues, maxLines, maxBytes });
  });
  return rules;
}

/** The rule of each log group: the first whose logGroups select it; resolved once per group. */
export function multilineForGroup(rules: readonly MultilineRule[]): MultilineForGroup | undefined {
  if (rules.length === 0) return undefined;
  return perLogGroup((logGroup) => rules.find((rule) => rule.logGroups(logGroup)));
}

const WAYS = ['preset', 'start', 'continuation'] as const;

function pattern(item: Record<string, unknown>, at: Problems): MultilineRule['continues'] | undefined {
  const given = WAYS.filter((way) => item[way] !== undefined);
  if (given.length !== 1) {
    at.add(
      given.length === 0 ? 'start' : given.join(', '),
      `give exactly one: "preset" (${PRESET_NAMES.join(', ')}), "start" (a regex matching the first line of an event) or "continuation" (a regex matching the lines that continue one)`,
    );
    return undefined;
  }
  const [field] = given as [(typeof WAYS)[number]];
  const source = item[field];
  if (field === 'preset') {
    if (typeof source !== 'string' || !(PRESET_NAMES as readonly string[]).includes(source)) {
      at.add(
        'preset',
        `${JSON.stringify(source)} is not a preset: one of ${PRESET_NAMES.join(', ')} (or write "start" or "continuation" for another format)`,
      );
      return undefined;
    }
    const continues = PRESETS[source as PresetName];
    return (line, previous) => continues(head(line), head(previous));
  }
  if (typeof source !== 'string' || source === '') {
    at.add(field, 'must be a non-empty regular expression');
    return undefined;
  }
  const regex = compileRegex(source, field, at);
  if (regex === undefined) return undefined;
  return field === 'start' ? (line) => !regex.test(head(line)) : (line) => regex.test(head(line));
}

const head = (line: string) => (line.length <= MATCH_CHARS ? line : line.slice(0, MATCH_CHARS));

function limit(raw: unknown, field: keyof typeof LIMITS, at: Problems): number {
  if (raw === undefined) return MULTILINE_DEFAULTS[field];
  const [min, max] = LIMITS[field];
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < min || raw > max) {
    at.add(field, `must be an integer from ${min} to ${max} (default ${MULTILINE_DEFAULTS[field]})`);
    return MULTILINE_DEFAULTS[field];
  }
  return raw;
}
