import type { Env } from '../../runtime/env';
import type { CloudWatchLogsData } from '../decoding/subscription';
import { documentOptions, loadDocumentConfig } from '../documents/config';
import { DataStreamNamer, loadDataStreamConfig } from '../documents/data-stream';
import { pushLogsData, type DocumentOptions } from '../documents/build';
import { failureReason, type DocumentSink } from '../documents/guard';
import { objectLineDocument, recordLineDocument, type ObjectOrigin } from '../documents/lines';
import type { LogDocument } from '../documents/types';
import {
  NO_LOG_GROUP,
  screenLogsData,
  screenRecordLine,
  screenText,
  type MessageRules,
} from '../filters-and-masks/screen';
import { RuleTally } from '../filters-and-masks/tally';
import type { RecordLine, RecordOrigin } from '../decoding/kinesis-records';
import { joinPayload, multilineForGroup, ObjectJoin, type MultilineForGroup } from '../multiline';
import { applyRules, loadRulesFile, PARSE_FAILURE_TAG, type CompiledRule } from '../rules-file';

/** What a stage's RULES_FILE and INDEX_MODE add to the document step; every part optional. */
export interface DocumentStepParts {
  rules?: readonly CompiledRule[];
  /** The multiline rule of each log group; undefined: none. */
  multiline?: MultilineForGroup;
  /** Filters and masks on the raw message. */
  messages?: MessageRules;
  /** INDEX_MODE=datastream: the data stream of each document. */
  dataStream?: DataStreamNamer;
}

/** What the rules file did to a source's events, for its log line and metrics. */
export interface RuleCounts {
  parse_failures: number;
  /** Events dropped (filters, rules' include/exclude) and masked, by rule name. */
  readonly tally: RuleTally;
}

export const newRuleCounts = (): RuleCounts => ({ parse_failures: 0, tally: new RuleTally() });

/**
 * The one step that turns log events into documents, whatever their source: continuation lines
 * joined (libs/forwarding/multiline), the stage's filters and masks on the raw message
 * (libs/forwarding/filters-and-masks/screen.ts), parsing (Lambda lines, JSON, levels: libs/forwarding/documents), then the
 * stage's rules (libs/forwarding/rules: parsers, conditions, index routing) and the data stream. So the same event becomes the same document (`_id`, `_index`, `_source`) whether
 * it came by subscription, through Kinesis, or in a Firehose object.
 */
export class DocumentStep {
  /** Data stream mode: the dataset of each rule that routes to an index (its prefix). */
  private readonly ruleDatasets = new Map<string, string>();

  /** The stage's rules (parsers, conditions, index routing), applied to each built document. */
  readonly rules: readonly CompiledRule[];

  constructor(
    readonly options: DocumentOptions,
    readonly parts: DocumentStepParts = {},
  ) {
    this.rules = parts.rules ?? [];
    for (const rule of this.rules) if (rule.index) this.ruleDatasets.set(rule.name, rule.index.prefix);
  }

  /**
   * The rules applied to one built document, and in data stream mode its stream; undefined when
   * a rule filtered it out.
   */
  route(doc: LogDocument, counts?: RuleCounts): LogDocument | undefined {
    let routed = doc;
    let ruleDataset: string | undefined;
    if (this.rules.length > 0) {
      const outcome = applyRules(this.rules, doc);
      if (outcome.kind === 'excluded') {
        counts?.tally.drop(outcome.rule);
        return undefined;
      }
      routed = outcome.doc;
      if (outcome.kind === 'routed') ruleDataset = this.ruleDatasets.get(outcome.rule);
    }
    if (this.parts.dataStream) routed._index = this.parts.dataStream.route(routed, ruleDataset);
    if (counts && routed._source.tags?.includes(PARSE_FAILURE_TAG)) counts.parse_failures++;
    return routed;
  }

  /**
   * Pushes the documents of a CloudWatch Logs DATA_MESSAGE (a subscription payload, or one in a
   * Kinesis record), every event guarded. Returns the documents pushed. Multiline first: the
   * payload's continuation lines are joined within it (each payload is its own unit of retry);
   * joined events then go through everything a single event does.
   */
  pushLogsData(data: CloudWatchLogsData, sink: DocumentSink, counts?: RuleCounts): Promise<number> {
    const rule = data.messageType === 'DATA_MESSAGE' ? this.parts.multiline?.(data.logGroup) : undefined;
    return this.pushEvents(rule === undefined ? data : joinPayload(data, rule), sink, counts);
  }

  /**
   * Pushes a DATA_MESSAGE's events after the multiline join (already joined, or no rule): the
   * stage's filters and masks on the raw message, then the documents, every event guarded.
   */
  pushEvents(data: CloudWatchLogsData, sink: DocumentSink, counts?: RuleCounts): Promise<number> {
    const screen = this.parts.messages?.forGroup(data.logGroup);
    if (screen !== undefined) data = screenLogsData(screen, data, counts?.tally, rejectTo(sink, data)).index;
    return this.pushScreened(data, sink, counts);
  }

  /**
   * The multiline join of a source whose unit holds several payloads of a stream (an S3 object):
   * groups continue across its payloads, per stream. Undefined when no multiline rule is set.
   */
  openObjectJoin(): ObjectJoin | undefined {
    return this.parts.multiline && new ObjectJoin(this.parts.multiline);
  }

  /**
   * The splitter's, for one payload of an object: pushes the documents (joined across the
   * object's payloads by `joins`; its `flush()` goes to pushEvents once the object has ended) and
   * returns the events its archive writes: every event as received, one per line, masked like
   * the documents but none dropped by filters (the archive is the copy that never loses one).
   */
  async pushObjectPayload(
    data: CloudWatchLogsData,
    sink: DocumentSink,
    joins: ObjectJoin | undefined,
    counts?: RuleCounts,
  ): Promise<{ pushed: number; archive: CloudWatchLogsData }> {
    const screen = this.parts.messages?.forGroup(data.logGroup);
    const joined = joins !== undefined && this.parts.multiline?.(data.logGroup) !== undefined;
    if (!joined) {
      if (screen === undefined) return { pushed: await this.pushScreened(data, sink, counts), archive: data };
      // One pass screens both copies.
      const screened = screenLogsData(screen, data, counts?.tally, rejectTo(sink, data), true);
      return { pushed: await this.pushScreened(screened.index, sink, counts), archive: screened.archive! };
    }
    // Joined documents are screened as joined events (pushEvents); the archive keeps the lines as
    // they came, masked on their own (not counted again: Masked counts the documents' events). A
    // line whose screening throws is dead-lettered, as everywhere: never silently left out.
    const archive =
      screen === undefined
        ? data
        : screenLogsData(screen, data, undefined, rejectTo(sink, data), true).archive!;
    let pushed = 0;
    for (const ready of joins.add(data)) pushed += await this.pushEvents(ready, sink, counts);
    return { pushed, archive };
  }

  private pushScreened(data: CloudWatchLogsData, sink: DocumentSink, counts?: RuleCounts): Promise<number> {
    const route =
      this.rules.length === 0 && counts === undefined && this.parts.dataStream === undefined
        ? undefined
        : (doc: LogDocument) => this.route(doc, counts);
    return pushLogsData(data, this.options, sink, route);
  }

  /** The document of one line of a Kinesis record (Fluent Bit), rules applied. */
  recordLine(line: RecordLine, origin: RecordOrigin, counts?: RuleCounts): LogDocument | undefined {
    // Fluent Bit lines carry no log group: only filters and masks for "*" apply.
    const screen = this.parts.messages?.forGroup(NO_LOG_GROUP);
    const screened = screen === undefined ? line : screenRecordLine(screen, line, counts?.tally);
    if (screened === undefined) return undefined;
    return this.route(recordLineDocument(screened, origin, this.options), counts);
  }

  /** The document of one raw line of an S3 object, rules applied. */
  objectLine(
    origin: ObjectOrigin,
    text: string,
    offset: number,
    counts?: RuleCounts,
  ): LogDocument | undefined {
    const screen = this.parts.messages?.forGroup(NO_LOG_GROUP);
    const screened = screen === undefined ? text : screenText(screen, text, counts?.tally);
    if (screened === undefined) return undefined;
    return this.route(objectLineDocument(origin, screened, offset, this.options), counts);
  }
}

/** Where an event whose screening threw goes: dead-lettered raw with the reason. */
function rejectTo(sink: DocumentSink, data: CloudWatchLogsData) {
  const { logGroup, logStream } = data;
  return (event: unknown, error: unknown) =>
    sink.reject({ reason: failureReason('screen', error), event, logGroup, logStream });
}

/**
 * The document step of a stage: INDEX_* and JSON_FIELDS_AT_ROOT, then RULES_FILE (rules,
 * multiline, filters, masks), then the data stream of INDEX_MODE=datastream. Read once, at cold start.
 */
export function loadDocumentStep(env: Env): DocumentStep {
  const { rules, multiline, messages } = loadRulesFile(env);
  const dataStream = loadDataStreamConfig(env);
  return new DocumentStep(documentOptions(loadDocumentConfig(env)), {
    rules,
    multiline: multilineForGroup(multiline),
    messages,
    dataStream: dataStream && new DataStreamNamer(dataStream),
  });
}
