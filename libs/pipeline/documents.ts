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
import { applyRules, loadRules, PARSE_FAILURE_TAG, type CompiledRule } from '../rules';

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
   * Pushes the documents of a CloudWatch Logs DATA_MESSAGE (a subscription payload, one in a
   * Kinesis record or in an S3 object), every event guarded. Returns the documents pushed.
   */
  pushLogsData(data: CloudWatchLogsData, sink: DocumentSink, counts?: RuleCounts): Promise<number> {
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
 * The document step of a stage: INDEX_* and JSON_FIELDS_AT_ROOT, then RULES_FILE, then the data
 * stream of INDEX_MODE=datastream (read once, at cold start).
 */
export function loadDocumentStep(env: Env): DocumentStep {
  const dataStream = loadDataStreamConfig(env);
  return new DocumentStep(
    documentOptions(loadDocumentConfig(env)),
    loadRules(env),
    dataStream && new DataStreamNamer(dataStream),
  );
}
