import { IndexNamer } from '../documents/index-name';
import { compileMessageRules, MESSAGE_RULE_SECTIONS, type MessageRules } from '../filters-and-masks/screen';
import { compileMultiline, type MultilineRule } from '../multiline/config';
import { BUILTIN_PARSERS, type BuiltinParser } from '../rules/builtins';
import { compileRegex, isObject, Problems, unknownKeys, writablePath } from '../rules/problems';
import { conditions, match } from '../rules/validate-conditions';
import { FIELD_TYPES, type FieldType } from '../rules/convert';
import { parsePath } from '../rules/paths';
import { compileTimeFormat } from '../rules/time-format';
import { PARSER_TYPES, type CompiledRule, type ParseStep, type ParserType } from '../rules/types';

/**
 * Checks a rules file (already parsed JSON) and compiles it. Every problem is collected, each
 * naming the rule and the field, so one start of the function lists everything to fix.
 */
type Json = Record<string, unknown>;

const RULE_KEYS = [
  'name',
  'description',
  'match',
  'parse',
  'time',
  'types',
  'include',
  'exclude',
  'rename',
  'add',
  'drop',
  'index',
];
const RULE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
// Same rule as INDEX_PREFIX: lower case, digits, . _ -, not starting with - _ +.
const INDEX_PREFIX = /^[a-z0-9][a-z0-9._-]*$/;
const DATE_PATTERNS: Record<string, string | null> = { daily: 'YYYY.MM.DD', monthly: 'YYYYMM', none: null };
const CUSTOM_DATE = /^(?=.*YYYY)[YMD._-]+$/;

function parseSteps(raw: unknown, problems: Problems): { steps: ParseStep[]; builtin?: BuiltinParser } {
  if (raw === undefined) return { steps: [] };
  const list = Array.isArray(raw) ? raw : [raw];
  const steps: ParseStep[] = [];
  let builtin: BuiltinParser | undefined;
  list.forEach((item, i) => {
    const field = Array.isArray(raw) ? `parse[${i}]` : 'parse';
    if (!isObject(item))
      return problems.add(field, 'must be an object like {"type": "regex", "pattern": "nginx_combined"}');
    unknownKeys(item, ['type', 'field', 'target', 'pattern'], field, problems);
    if (!PARSER_TYPES.includes(item.type as ParserType))
      return problems.add(`${field}.type`, `must be one of ${PARSER_TYPES.join(', ')}`);
    const source = item.field ?? 'message';
    if (typeof source !== 'string' || source === '')
      return problems.add(`${field}.field`, 'must be a field path');
    if (item.target !== undefined && !writablePath(item.target, `${field}.target`, problems)) return;
    const step: ParseStep = {
      type: item.type as ParserType,
      field: parsePath(source),
      target: item.target === undefined ? undefined : parsePath(item.target as string),
    };
    if (item.type !== 'regex') {
      if (item.pattern !== undefined) problems.add(`${field}.pattern`, `only regex parsers take a pattern`);
    } else if (typeof item.pattern !== 'string' || item.pattern === '') {
      return problems.add(
        `${field}.pattern`,
        `is required: a built-in (${Object.keys(BUILTIN_PARSERS).join(', ')}) or a regex with named groups`,
      );
    } else {
      const named = BUILTIN_PARSERS[item.pattern];
      if (named !== undefined && builtin === undefined) builtin = named;
      const regex = compileRegex(named?.pattern ?? item.pattern, `${field}.pattern`, problems);
      if (regex === undefined) return;
      const groups = [...(named?.pattern ?? item.pattern).matchAll(/\(\?<([A-Za-z_][A-Za-z0-9_]*)>/g)].map(
        (m) => m[1]!,
      );
      if (groups.length === 0)
        return problems.add(
          `${field}.pattern`,
          'has no named groups (?<name>...): nothing would be extracted',
        );
      step.regex = regex;
      step.groups = groups;
    }
    steps.push(step);
  });
  return { steps, builtin };
}

/** Compiles one rule; problems are added to `problems` and a rule with problems is not used. */
function compileRule(raw: Json, problems: Problems, timeZone: string): CompiledRule {
  unknownKeys(raw, RULE_KEYS, '', problems);
  const { steps, builtin } = parseSteps(raw.parse, problems);
  const prefix = steps.find((step) => step.regex !== undefined)?.target;
  const under = (name: string) => (prefix ? `${prefix.join('.')}.${name}` : name);
  const rule: CompiledRule = {
    name: raw.name as string,
    matches: match(raw.match, problems),
    parse: steps,
    types: [],
    include: conditions(raw.include, 'include', problems),
    exclude: conditions(raw.exclude, 'exclude', problems),
    rename: [],
    add: [],
    drop: [],
  };

  const time =
    raw.time ?? (builtin?.time && { field: under(builtin.time.field), format: builtin.time.format });
  if (time !== undefined) {
    if (!isObject(time)) problems.add('time', 'must be {"field": ..., "format": ...}');
    else {
      unknownKeys(time, ['field', 'format', 'keep'], 'time', problems);
      if (typeof time.field !== 'string' || time.field === '')
        problems.add('time.field', 'must be a field path');
      if (time.keep !== undefined && typeof time.keep !== 'boolean')
        problems.add('time.keep', 'must be true or false');
      if (typeof time.format !== 'string')
        problems.add('time.format', 'must be a strptime format, iso8601, epoch or epoch_ms');
      else {
        try {
          const parse = compileTimeFormat(time.format);
          if (typeof time.field === 'string')
            rule.time = {
              field: parsePath(time.field),
              parse,
              format: time.format,
              keep: time.keep !== false,
            };
        } catch (error) {
          problems.add('time.format', (error as Error).message);
        }
      }
    }
  }

  const types: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(builtin?.types ?? {})) types[under(name)] = type;
  if (raw.types !== undefined && !isObject(raw.types))
    problems.add('types', 'must map field paths to a type');
  else Object.assign(types, raw.types);
  for (const [name, type] of Object.entries(types)) {
    if (!FIELD_TYPES.includes(type as FieldType))
      problems.add(`types.${name}`, `must be one of ${FIELD_TYPES.join(', ')}, got ${JSON.stringify(type)}`);
    else if (writablePath(name, `types.${name}`, problems))
      rule.types.push({ field: parsePath(name), name, type: type as FieldType });
  }

  if (raw.rename !== undefined && !isObject(raw.rename))
    problems.add('rename', 'must map old field paths to new ones');
  for (const [from, to] of Object.entries(isObject(raw.rename) ? raw.rename : {})) {
    if (writablePath(from, `rename.${from}`, problems) && writablePath(to, `rename.${from}`, problems))
      rule.rename.push({ from: parsePath(from), to: parsePath(to) });
  }
  if (raw.add !== undefined && !isObject(raw.add)) problems.add('add', 'must map field paths to values');
  for (const [path, value] of Object.entries(isObject(raw.add) ? raw.add : {})) {
    if (writablePath(path, `add.${path}`, problems)) rule.add.push({ field: parsePath(path), value });
  }
  if (raw.drop !== undefined && !Array.isArray(raw.drop))
    problems.add('drop', 'must be a list of field paths');
  (Array.isArray(raw.drop) ? raw.drop : []).forEach((path: unknown, i) => {
    if (writablePath(path, `drop[${i}]`, problems)) rule.drop.push(parsePath(path));
  });

  if (raw.index !== undefined) rule.index = index(raw.index, problems, timeZone);
  return rule;
}

function index(raw: unknown, problems: Problems, defaultTimeZone: string): CompiledRule['index'] {
  if (!isObject(raw)) return void problems.add('index', 'must be {"prefix": "accesslog", "date": "monthly"}');
  unknownKeys(raw, ['prefix', 'date', 'timeZone'], 'index', problems);
  const prefix = raw.prefix;
  if (typeof prefix !== 'string' || !INDEX_PREFIX.test(prefix)) {
    return void problems.add(
      'index.prefix',
      `${JSON.stringify(prefix)} is not a valid index name start (lower case letters, digits, . _ -)`,
    );
  }
  const date = raw.date ?? 'daily';
  const pattern =
    typeof date === 'string'
      ? date in DATE_PATTERNS
        ? DATE_PATTERNS[date]
        : CUSTOM_DATE.test(date)
          ? date
          : undefined
      : undefined;
  if (pattern === undefined)
    return void problems.add(
      'index.date',
      `must be daily, monthly, none or a pattern of YYYY MM DD and . _ - (got ${JSON.stringify(date)})`,
    );
  const timeZone = raw.timeZone ?? defaultTimeZone;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timeZone as string });
  } catch {
    return void problems.add('index.timeZone', `is not a known IANA time zone: ${JSON.stringify(timeZone)}`);
  }
  if (pattern === null) return { nameFor: () => prefix, prefix };
  return new IndexNamer(prefix, timeZone as string, pattern);
}

/** Validates and compiles the parsed rules file; returns the problems instead of throwing. */
export function compileRules(
  raw: unknown,
  options: { timeZone: string },
): { rules: CompiledRule[]; multiline: MultilineRule[]; messages?: MessageRules; problems: string[] } {
  const problems = new Problems('rules file');
  if (!isObject(raw))
    return { rules: [], multiline: [], problems: ['rules file: must be a JSON object {"rules": [...]}'] };
  const sections = ['multiline', ...MESSAGE_RULE_SECTIONS];
  unknownKeys(raw, ['$schema', 'description', 'rules', ...sections], '', problems);
  // Joining continuation lines (stack traces) per log group, before any rule: libs/multiline.
  const multiline = compileMultiline(raw.multiline, problems);
  // `rules` may be left out by a file that only joins, filters or masks.
  const onlyOtherSections = raw.rules === undefined && sections.some((key) => key in raw);
  if (!Array.isArray(raw.rules) && !onlyOtherSections)
    return {
      rules: [],
      multiline,
      problems: [...problems.list, 'rules file: rules: must be a list of rules'],
    };
  const names = new Set<string>();
  const rules = ((raw.rules ?? []) as unknown[]).map((item: unknown, i) => {
    const name = isObject(item) && typeof item.name === 'string' ? item.name : undefined;
    const ruleProblems = problems.at(name === undefined ? `rules[${i}]` : `rule "${name}" (rules[${i}])`);
    if (!isObject(item)) return void ruleProblems.add('rule', 'must be an object');
    if (name === undefined || !RULE_NAME.test(name))
      ruleProblems.add('name', 'is required: letters, digits, . _ - (up to 64)');
    else if (names.has(name)) ruleProblems.add('name', 'is used by an earlier rule; names must be unique');
    if (name !== undefined) names.add(name);
    return compileRule(item, ruleProblems, options.timeZone);
  });
  const messages = compileMessageRules(raw, problems, names);
  return {
    rules: rules.filter((rule): rule is CompiledRule => rule !== undefined),
    multiline,
    messages,
    problems: problems.list,
  };
}
