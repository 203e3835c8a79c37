import type { CloudWatchLogEvent, CloudWatchLogsData } from '../decoding/subscription';
import { logEventProblem } from '../decoding/subscription';
import type { RecordLine } from '../decoding/kinesis-records';
import { isObject, type Problems } from '../rules/problems';
import { compileFilter, droppedBy, type CompiledFilter } from './filters';
import { applyMask, compileMask, type CompiledMask } from './masks';
import type { TextEdits } from './replace';
import { mayHaveSecretField } from './builtin-scans';
import { perLogGroup } from './selector';
import { jsonStart, maskJsonText, maskTree, type TreeMasks } from './structure';
import type { RuleTally } from './tally';

/**
 * The rules file's `filters` and `masks`, applied to an event's raw message before its document
 * is built, on every path: filters first (they see the message as it came), then masks.
 * Resolved once per log group (perLogGroup), so a group no entry names costs one cache look-up
 * per payload. Lines that carry no log group (Fluent Bit records, an object's raw lines) are
 * screened as the group "": only entries whose `logGroups` include "*" apply to them.
 */
export const NO_LOG_GROUP = '';

export class GroupScreen {
  /** The masks as the tree masking sees them (structure.ts). */
  private readonly tree: TreeMasks;
  /**
   * Names counted for one message and for its text path, reused (cleared before each use): a
   * Set per event was a measurable share of masking's cost on short lines. Neither method
   * re-enters itself (the tree path calls maskText, never maskMessage or maskJson's text path).
   */
  private readonly messageCounted = new Set<string>();
  private readonly textPathCounted = new Set<string>();

  constructor(
    readonly filters: readonly CompiledFilter[],
    readonly masks: readonly CompiledMask[],
  ) {
    this.tree = {
      text: (value, counted) => this.maskText(value, counted),
      secretFieldsMask: masks.find((mask) => mask.secretFields)?.name,
      cardMask: masks.find((mask) => mask.cards)?.name,
    };
  }

  /** The name of the filter that drops `message`, or undefined. */
  droppedBy(message: string): string | undefined {
    return this.filters.length === 0 ? undefined : droppedBy(this.filters, message);
  }

  /**
   * `text` masked (the same string when nothing matched); each mask that changed it counted once.
   * With `edits`, learns whether every replacement kept a JSON text JSON (replace.ts).
   */
  mask(text: string, tally?: RuleTally, counted?: Set<string>, edits?: TextEdits): string {
    let out = text;
    for (const mask of this.masks) {
      const masked = applyMask(mask, out, edits);
      if (masked === out) continue;
      out = masked;
      if (counted === undefined) tally?.mask(mask.name);
      else counted.add(mask.name);
    }
    return out;
  }

  /**
   * A message masked, JSON kept JSON: a JSON message (after white space or a BOM), or the JSON
   * of a Lambda console line (`<time>\t<request id>\t<LEVEL>\t{...}`), is masked on its tree
   * with each value's key in view (structure.ts); anything else, and JSON that does not parse,
   * as text.
   */
  maskMessage(text: string, tally?: RuleTally, counted?: Set<string>): string {
    if (counted !== undefined) return this.maskStructured(text, counted);
    const own = this.messageCounted;
    if (own.size > 0) own.clear(); // clear() allocates a new table even when empty
    const out = this.maskStructured(text, own);
    for (const name of own) tally?.mask(name);
    return out;
  }

  private maskStructured(text: string, counted: Set<string>): string {
    const at = jsonStart(text);
    if (at !== -1) return this.maskJson(text, at, counted) ?? this.maskText(text, counted);
    const console = CONSOLE_PREFIX.exec(text);
    if (console !== null) {
      const tail = text.slice(console[0].length);
      const tailAt = jsonStart(tail);
      const json = tailAt === -1 ? undefined : this.maskJson(tail, tailAt, counted);
      if (json !== undefined) return json === tail ? text : console[0] + json;
    }
    return this.maskText(text, counted);
  }

  /**
   * The text masks on plain text. PHP writes `/` as `\/` (`https:\/\/user:pw@host`): the
   * masks see the slashes unescaped, and a masked text keeps them so.
   */
  private maskText(text: string, counted: Set<string>): string {
    if (!text.includes('\\/')) return this.mask(text, undefined, counted);
    const unescaped = text.replaceAll('\\/', '/');
    const masked = this.mask(unescaped, undefined, counted);
    return masked === unescaped ? text : masked;
  }

  /**
   * A JSON message masked, or undefined when it does not parse. A message with no `\\u` or
   * `\\/` escape (a key or value the text hides) and no field named like a secret is masked on
   * its text first, which is several times cheaper than a parse (CloudTrail records) and the
   * same where it stays JSON; the text masks read `\\"key\\":\\"value\\"` in nested strings.
   * Whether it stays JSON is known without a parse when every replacement lies inside a string
   * (replace.ts, TextEdits); a parse decides the others.
   */
  private maskJson(text: string, at: number, counted: Set<string>): string | undefined {
    const hidden = text.includes('\\u') || text.includes('\\/');
    if (!hidden && !(this.tree.secretFieldsMask !== undefined && mayHaveSecretField(text))) {
      const own = this.textPathCounted;
      if (own.size > 0) own.clear();
      const edits: TextEdits = { jsonSafe: true };
      const masked = this.mask(text, undefined, own, edits);
      if (masked === text || edits.jsonSafe || parses(masked.slice(at))) {
        for (const name of own) counted.add(name);
        return masked;
      }
    }
    return maskJsonText(text, at, this.tree, counted);
  }

  /**
   * A parsed JSON value (a Fluent Bit record, extracted fields) masked on its tree; the same
   * value when nothing changed. Throws a RangeError past the depth limit.
   */
  maskValue(value: unknown, counted: Set<string>): unknown {
    return maskTree(value, this.tree, counted);
  }
}

// `<ISO time>\t<requestId>\t<LEVEL>\t` written by console.* in the Node.js runtime.
const CONSOLE_PREFIX = /^\d{4}-\d{2}-\d{2}T[\d:.]+Z\t[\w-]+\t[A-Z]+\t/;

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
