import type { CloudWatchLogEvent, CloudWatchLogsData } from '../decoding/subscription';
import { logEventProblem } from '../decoding/subscription';
import type { RecordLine } from '../kinesis/records';
import { isObject, type Problems } from '../rules/problems';
import { compileFilter, droppedBy, type CompiledFilter } from './filters';
import { applyMask, compileMask, type CompiledMask } from './masks';
import { perLogGroup } from './selector';
import type { RuleTally } from './tally';

/**
 * The rules file's `filters` and `masks`, applied to an event's raw message before its document
 * is built, on every path: filters first (they see the message as it came), then masks.
 * Resolved once per log group (perLogGroup), so a group no entry names costs one cache look-up
 * per payload. Lines that carry no log group (Fluent Bit records, an object's raw lines) are
 * screened as the group "": only entries whose `logGroups` include "*" apply to them.
 */
export const NO_LOG_GROUP = '';

// Deeper JSON is not indexed as fields anyway (the index's depth limit is 50): its text is masked.
const MAX_DEPTH = 100;

export class GroupScreen {
  constructor(
    readonly filters: readonly CompiledFilter[],
    readonly masks: readonly CompiledMask[],
  ) {}

  /** The name of the filter that drops `message`, or undefined. */
  droppedBy(message: string): string | undefined {
    return this.filters.length === 0 ? undefined : droppedBy(this.filters, message);
  }

  /** `text` masked (the same string when nothing matched); each mask that changed it counted once. */
  mask(text: string, tally?: RuleTally, counted?: Set<string>): string {
    let out = text;
    for (const mask of this.masks) {
      const masked = applyMask(mask, out);
      if (masked === out) continue;
      out = masked;
      if (counted === undefined) tally?.mask(mask.name);
      else counted.add(mask.name);
    }
    return out;
  }

  /**
   * A message masked, JSON kept JSON. A JSON message with `\u` escapes (Python's json.dumps
   * writes every non-ASCII character so) is masked value by value: in its text an escape's hex
   * digits would glue to a secret (`\u00012001:db8::1`) or a replacement would cut an escape in
   * two. Otherwise the text is masked, and if a JSON message stopped parsing, it is masked value
   * by value instead (only a changed message is re-parsed).
   */
  maskMessage(text: string, tally?: RuleTally, counted?: Set<string>): string {
    const own = counted ?? new Set<string>();
    const out = this.maskJson(text, own) ?? this.mask(text, undefined, own);
    if (counted === undefined) for (const name of own) tally?.mask(name);
    return out;
  }

  /** The value-by-value masking of maskMessage, or undefined where the text's masking is kept. */
  private maskJson(text: string, counted: Set<string>): string | undefined {
    if (text.charCodeAt(0) !== 123) return undefined;
    const escaped = text.includes('\\u');
    let masked: string | undefined;
    if (!escaped) {
      masked = this.mask(text, undefined, counted);
      if (masked === text || parses(masked)) return masked;
    }
    const json = parseOrUndefined(text);
    if (json === undefined) return masked;
    try {
      const value = this.maskValue(json, counted);
      return value === json ? text : JSON.stringify(value);
    } catch {
      return masked; // nested too deep: masked as text
    }
  }

  /**
   * Every string of a JSON value masked, keys too (as in its text); the same value when nothing
   * changed. Throws a RangeError past MAX_DEPTH levels (the caller masks the text instead).
   */
  maskValue(value: unknown, counted: Set<string>, depth = 0): unknown {
    if (typeof value === 'string') return this.mask(value, undefined, counted);
    if (depth > MAX_DEPTH) throw new RangeError(`a value nests deeper than ${MAX_DEPTH} levels`);
    if (Array.isArray(value)) {
      const items = value.map((item) => this.maskValue(item, counted, depth + 1));
      return items.some((item, i) => item !== value[i]) ? items : value;
    }
    if (!isObject(value)) return value;
    let changed = false;
    const entries = Object.entries(value).map(([key, item]): [string, unknown] => {
      const maskedKey = this.mask(key, undefined, counted);
      const masked = this.maskValue(item, counted, depth + 1);
      if (maskedKey !== key || masked !== item) changed = true;
      return [maskedKey, masked];
    });
    return changed ? Object.fromEntries(entries) : value;
  }
}

export class MessageRules {
  constructor(
    readonly filters: readonly CompiledFilter[],
    readonly masks: readonly CompiledMask[],
  ) {}

  /** What applies to a log group, or undefined when nothing does. */
  readonly forGroup = perLogGroup((logGroup): GroupScreen | undefined => {
    const filters = this.filters.filter((filter) => filter.logGroups(logGroup));
    const masks = this.masks.filter((mask) => mask.logGroups(logGroup));
    return filters.length + masks.length === 0 ? undefined : new GroupScreen(filters, masks);
  });
}

/** What screening a payload gives: the events to index, and (when asked) the events to archive. */
export interface ScreenedLogsData {
  index: CloudWatchLogsData;
  /** Masked like the documents, but nothing dropped: the archive is the copy that never loses an event. */
  archive?: CloudWatchLogsData;
}

/**
 * Screens a payload's events: dropped ones leave the index copy (counted by filter), masked
 * ones get their message (and extractedFields) replaced. A malformed event is left as it is:
 * the document step dead-letters it with its reason. An event whose screening throws goes to
 * `reject` (dead-lettered raw, as every path does with an event that cannot become a document).
 */
export function screenLogsData(
  screen: GroupScreen,
  data: CloudWatchLogsData,
  tally: RuleTally | undefined,
  reject: (event: CloudWatchLogEvent, error: unknown) => void,
  forArchive = false,
): ScreenedLogsData {
  const index: CloudWatchLogEvent[] = [];
  const archive: CloudWatchLogEvent[] | undefined = forArchive ? [] : undefined;
  for (const event of data.logEvents) {
    if (logEventProblem(event) !== undefined) {
      index.push(event);
      archive?.push(event);
      continue;
    }
    let dropped: string | undefined;
    let masked: CloudWatchLogEvent;
    try {
      dropped = screen.droppedBy(event.message);
      if (dropped !== undefined && archive === undefined) {
        tally?.drop(dropped);
        continue;
      }
      masked = maskEvent(screen, event, tally);
    } catch (error) {
      // One event's fault (a bug, a stack overflow): dead-lettered raw, the others go on.
      reject(event, error);
      continue;
    }
    if (dropped !== undefined) tally?.drop(dropped);
    else index.push(masked);
    archive?.push(masked);
  }
  return {
    index: { ...data, logEvents: index },
    archive: archive && { ...data, logEvents: archive },
  };
}

function maskEvent(
  screen: GroupScreen,
  event: CloudWatchLogEvent,
  tally: RuleTally | undefined,
): CloudWatchLogEvent {
  if (screen.masks.length === 0) return event;
  if (event.extractedFields === undefined) {
    const message = screen.maskMessage(event.message, tally);
    return message === event.message ? event : { ...event, message };
  }
  // The subscription filter's extracted fields are parts of the message: masked alike.
  const counted = new Set<string>();
  const message = screen.maskMessage(event.message, undefined, counted);
  const extractedFields = screen.maskValue(event.extractedFields, counted) as Record<string, string>;
  for (const name of counted) tally?.mask(name);
  return counted.size === 0 ? event : { ...event, message, extractedFields };
}

/** The message a Kinesis line's document takes (as recordLineDocument picks it), if any. */
function lineMessage(line: RecordLine): string | undefined {
  const fields = line.fields;
  if (typeof fields?.log === 'string') return fields.log;
  if (typeof fields?.message === 'string') return fields.message;
  return line.text;
}

/**
 * Screens one line of a Kinesis record: undefined when a filter drops it. A line without a
 * message (a shipper that parsed it already) is never dropped: there is nothing to test. Masks
 * apply to the text, or to every string of a JSON line's fields.
 */
export function screenRecordLine(
  screen: GroupScreen,
  line: RecordLine,
  tally?: RuleTally,
): RecordLine | undefined {
  const message = lineMessage(line);
  const dropped = message === undefined ? undefined : screen.droppedBy(message);
  if (dropped !== undefined) {
    tally?.drop(dropped);
    return undefined;
  }
  if (screen.masks.length === 0) return line;
  if (line.fields === undefined) {
    const text = line.text === undefined ? undefined : screen.maskMessage(line.text, tally);
    return text === line.text ? line : { ...line, text };
  }
  const counted = new Set<string>();
  const fields = screen.maskValue(line.fields, counted) as Record<string, unknown>;
  for (const name of counted) tally?.mask(name);
  return fields === line.fields ? line : { ...line, fields };
}

/** Screens one raw line of an object: undefined when a filter drops it, else the masked text. */
export function screenText(screen: GroupScreen, text: string, tally?: RuleTally): string | undefined {
  const dropped = screen.droppedBy(text);
  if (dropped !== undefined) {
    tally?.drop(dropped);
    return undefined;
  }
  return screen.maskMessage(text, tally);
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const parses = (text: string) => parseOrUndefined(text) !== undefined;

export const MESSAGE_RULE_SECTIONS = ['filters', 'masks'] as const;

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Validates and compiles the `filters` and `masks` sections of a rules file. Names are unique
 * across the file (rules too: they share the `Rule` dimension of the Dropped metric).
 */
export function compileMessageRules(
  raw: Record<string, unknown>,
  problems: Problems,
  names: Set<string>,
): MessageRules | undefined {
  const filters: CompiledFilter[] = [];
  const masks: CompiledMask[] = [];
  for (const section of MESSAGE_RULE_SECTIONS) {
    const list = raw[section];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      problems.add(section, `must be a list of ${section}`);
      continue;
    }
    const kind = section === 'filters' ? 'filter' : 'mask';
    list.forEach((item: unknown, i) => {
      const name = isObject(item) && typeof item.name === 'string' ? item.name : undefined;
      const at = problems.at(
        name === undefined ? `${section}[${i}]` : `${kind} "${name}" (${section}[${i}])`,
      );
      if (!isObject(item)) return at.add(kind, 'must be an object');
      if (name === undefined || !NAME.test(name))
        at.add('name', 'is required: letters, digits, . _ - (up to 64)');
      else if (names.has(name))
        at.add(
          'name',
          'is used by an earlier rule, filter or mask; names must be unique (the metrics count by name)',
        );
      if (name !== undefined) names.add(name);
      if (section === 'filters') {
        const filter = compileFilter(item, at);
        if (filter !== undefined) filters.push(filter);
      } else {
        const mask = compileMask(item, at);
        if (mask !== undefined) masks.push(mask);
      }
    });
  }
  return filters.length + masks.length === 0 ? undefined : new MessageRules(filters, masks);
}
