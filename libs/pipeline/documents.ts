import type { Env } from '../config/env';
import type { CloudWatchLogsData } from '../decoding/subscription';
import { documentOptions, loadDocumentConfig } from '../documents/config';
import { pushLogsData, type DocumentOptions } from '../documents/build';
import { failureReason, type DocumentSink } from '../documents/guard';
import {
  objectLineDocument,
  recordLineDocument,
  type ObjectOrigin,
  type RecordOrigin,
} from '../documents/lines';
import type { LogDocument } from '../documents/types';
import {
  NO_LOG_GROUP,
  screenLogsData,
  screenRecordLine,
  screenText,
  type MessageRules,
} from '../events/screen';
import { RuleTally } from '../events/tally';
import type { RecordLine } from '../kinesis/records';
import { applyRules, loadRulesFile, PARSE_FAILURE_TAG, type CompiledRule } from '../rules';

/** What the rules file did to a source's events, for its log line and metrics. */
export interface RuleCounts {
  parse_failures: number;
  /** Events dropped (filters, rules' include/exclude) and masked, by rule name. */
  readonly tally: RuleTally;
}

export const newRuleCounts = (): RuleCounts => ({ parse_failures: 0, tally: new RuleTally() });

/**
 * The one step that turns log events into documents, whatever their source: the stage's
 * filters and masks on the raw message (libs/events/screen.ts), parsing (Lambda lines, JSON,
 * levels: libs/documents), then the stage's rules (libs/rules: parsers, filters, index
 * routing). So the same event becomes the same document (`_id`, `_index`, `_source`) whether
 * it came by subscription, through Kinesis, or in a Firehose object.
 */
export class DocumentStep {
  constructor(
    readonly options: DocumentOptions,
    readonly rules: readonly CompiledRule[] = [],
    readonly messages?: MessageRules,
  ) {}

  /** The rules applied to one built document; undefined when a rule filtered it out. */
  route(doc: LogDocument, counts?: RuleCounts): LogDocument | undefined {
    let routed = doc;
    if (this.rules.length > 0) {
      const outcome = applyRules(this.rules, doc);
      if (outcome.kind === 'excluded') {
        counts?.tally.drop(outcome.rule);
        return undefined;
      }
      routed = outcome.doc;
    }
    if (counts && routed._source.tags?.includes(PARSE_FAILURE_TAG)) counts.parse_failures++;
    return routed;
  }

  /**
   * Pushes the documents of a CloudWatch Logs DATA_MESSAGE (a subscription payload, one in a
   * Kinesis record or in an S3 object), every event guarded. Returns the documents pushed.
   */
  pushLogsData(data: CloudWatchLogsData, sink: DocumentSink, counts?: RuleCounts): Promise<number> {
    const screen = this.messages?.forGroup(data.logGroup);
    if (screen !== undefined) data = screenLogsData(screen, data, counts?.tally, rejectTo(sink, data)).index;
    return this.pushScreened(data, sink, counts);
  }

  /**
   * The splitter's: pushes the documents, and returns the events its archive writes: masked like
   * the documents, but none dropped by filters (the archive is the copy that never loses one).
   */
  async pushLogsDataToArchive(
    data: CloudWatchLogsData,
    sink: DocumentSink,
    counts?: RuleCounts,
  ): Promise<{ pushed: number; archive: CloudWatchLogsData }> {
    const screen = this.messages?.forGroup(data.logGroup);
    if (screen === undefined) return { pushed: await this.pushScreened(data, sink, counts), archive: data };
    const screened = screenLogsData(screen, data, counts?.tally, rejectTo(sink, data), true);
    return { pushed: await this.pushScreened(screened.index, sink, counts), archive: screened.archive! };
  }

  private pushScreened(data: CloudWatchLogsData, sink: DocumentSink, counts?: RuleCounts): Promise<number> {
    const route =
      this.rules.length === 0 && counts === undefined
        ? undefined
        : (doc: LogDocument) => this.route(doc, counts);
    return pushLogsData(data, this.options, sink, route);
  }

  /** The document of one line of a Kinesis record (Fluent Bit), rules applied. */
  recordLine(line: RecordLine, origin: RecordOrigin, counts?: RuleCounts): LogDocument | undefined {
    // Fluent Bit lines carry no log group: only filters and masks for "*" apply.
    const screen = this.messages?.forGroup(NO_LOG_GROUP);
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
    const screen = this.messages?.forGroup(NO_LOG_GROUP);
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

/** The document step of a stage: INDEX_* and JSON_FIELDS_AT_ROOT, then RULES_FILE (read once, at cold start). */
export function loadDocumentStep(env: Env): DocumentStep {
  const { rules, messages } = loadRulesFile(env);
  return new DocumentStep(documentOptions(loadDocumentConfig(env)), rules, messages);
}
