import type { Env } from '../config/env';
import type { CloudWatchLogsData } from '../decoding/subscription';
import { documentOptions, loadDocumentConfig } from '../documents/config';
import { DataStreamNamer, loadDataStreamConfig } from '../documents/data-stream';
import { pushLogsData, type DocumentOptions } from '../documents/build';
import type { DocumentSink } from '../documents/guard';
import {
  objectLineDocument,
  recordLineDocument,
  type ObjectOrigin,
  type RecordOrigin,
} from '../documents/lines';
import type { LogDocument } from '../documents/types';
import type { RecordLine } from '../kinesis/records';
import { joinPayload, multilineForGroup, ObjectJoin, type MultilineForGroup } from '../multiline';
import { applyRules, loadRulesFile, PARSE_FAILURE_TAG, type CompiledRule } from '../rules';

/** What the rules did to a source's documents, for its log line. */
export interface RuleCounts {
  excluded: number;
  parse_failures: number;
}

/**
 * The one step that turns log events into documents, whatever their source: parsing (Lambda
 * lines, JSON, levels: libs/documents), then the stage's rules (libs/rules: parsers, filters,
 * index routing). So the same event becomes the same document (`_id`, `_index`, `_source`)
 * whether it came by subscription, through Kinesis, or in a Firehose object.
 */
export class DocumentStep {
  /** Data stream mode: the dataset of each rule that routes to an index (its prefix). */
  private readonly ruleDatasets = new Map<string, string>();

  constructor(
    readonly options: DocumentOptions,
    readonly rules: readonly CompiledRule[] = [],
    readonly dataStream?: DataStreamNamer,
    /** The multiline rule of each log group (RULES_FILE's `multiline`); undefined: none. */
    readonly multiline?: MultilineForGroup,
  ) {
    for (const rule of rules) if (rule.index) this.ruleDatasets.set(rule.name, rule.index.prefix);
  }

  /**
   * The rules applied to one built document, and in data stream mode its stream; undefined when
   * a rule filtered it out.
   */
  route(doc: LogDocument, counts?: RuleCounts): LogDocument | undefined {
    let routed: LogDocument | undefined = doc;
    let ruleDataset: string | undefined;
    if (this.rules.length > 0) {
      const outcome = applyRules(this.rules, doc);
      if (outcome.kind === 'excluded') routed = undefined;
      else {
        routed = outcome.doc;
        if (outcome.kind === 'routed') ruleDataset = this.ruleDatasets.get(outcome.rule);
      }
    }
    if (routed === undefined) {
      if (counts) counts.excluded++;
      return undefined;
    }
    if (this.dataStream) routed._index = this.dataStream.route(routed, ruleDataset);
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
    const rule = data.messageType === 'DATA_MESSAGE' ? this.multiline?.(data.logGroup) : undefined;
    return this.pushEvents(rule === undefined ? data : joinPayload(data, rule), sink, counts);
  }

  /**
   * The multiline join of a source whose unit holds several payloads of a stream (an S3 object):
   * groups continue across its payloads, per stream. Undefined when no multiline rule is set.
   * Its payloads go to pushEvents, its `flush()` too once the unit has ended.
   */
  openObjectJoin(): ObjectJoin | undefined {
    return this.multiline && new ObjectJoin(this.multiline);
  }

  /**
   * Pushes a DATA_MESSAGE's events as they are (already joined), every event guarded: what comes
   * after the multiline join on every path (the splitter calls it directly). Steps on the raw
   * message (filters, masks) belong here, before the build, so joined events go through them.
   */
  pushEvents(data: CloudWatchLogsData, sink: DocumentSink, counts?: RuleCounts): Promise<number> {
    const route =
      this.rules.length === 0 && counts === undefined && this.dataStream === undefined
        ? undefined
        : (doc: LogDocument) => this.route(doc, counts);
    return pushLogsData(data, this.options, sink, route);
  }

  /** The document of one line of a Kinesis record (Fluent Bit), rules applied. */
  recordLine(line: RecordLine, origin: RecordOrigin, counts?: RuleCounts): LogDocument | undefined {
    return this.route(recordLineDocument(line, origin, this.options), counts);
  }

  /** The document of one raw line of an S3 object, rules applied. */
  objectLine(origin: ObjectOrigin, text: string, offset: number): LogDocument | undefined {
    return this.route(objectLineDocument(origin, text, offset, this.options));
  }
}

/**
 * The document step of a stage: INDEX_* and JSON_FIELDS_AT_ROOT, then RULES_FILE's rules and
 * multiline, then the data stream of INDEX_MODE=datastream (read once, at cold start).
 */
export function loadDocumentStep(env: Env): DocumentStep {
  const { rules, multiline } = loadRulesFile(env);
  const dataStream = loadDataStreamConfig(env);
  return new DocumentStep(
    documentOptions(loadDocumentConfig(env)),
    rules,
    dataStream && new DataStreamNamer(dataStream),
    multilineForGroup(multiline),
  );
}
