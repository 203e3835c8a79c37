import { copyToRoot, markFailure, OWNED_FIELDS, type CopyToRoot } from '../documents/fields';
import { parseJsonObjectMessage } from '../documents/json-message';
import { parseLambdaLine } from '../documents/lambda-lines';
import type { DocumentSource, LogDocument } from '../documents/types';
import { convert } from './convert';
import { deletePath, getPath, setPath } from './paths';
import type { CompiledRule, ParseStep, RuleOutcome } from './types';

type Bag = Record<string, unknown>;

// A parser refines `message`, `log` and `json`; the fields only the pipeline writes and the
// engine's metadata fields (`_id`, `_index`…) stay under `json`.
const PARSED_FIELDS: CopyToRoot = { protect: OWNED_FIELDS, protectedKeys: 'json', overwrite: true };

/** Merges parsed fields at a target (root by default); keys the forwarder owns go under `json`. */
function merge(source: DocumentSource, fields: Bag, target: ParseStep['target']): void {
  if (target !== undefined) {
    const existing = getPath(source, target);
    if (typeof existing === 'object' && existing !== null && !Array.isArray(existing))
      Object.assign(existing, fields);
    else setPath(source, target, fields);
    return;
  }
  copyToRoot(source, fields, PARSED_FIELDS);
}

/**
 * Runs one parse step. A step whose field is absent is skipped: the shipper may have parsed the
 * line already (Fluent Bit's parser filter), and the rule's types and routing still apply.
 */
function runStep(source: DocumentSource, step: ParseStep): 'parsed' | 'skipped' | 'failed' {
  const value = getPath(source, step.field);
  const where = step.field.join('.');
  if (value === undefined) return 'skipped';
  if (typeof value !== 'string') {
    markFailure(source, `${step.type}: field ${where} is not a string`);
    return 'failed';
  }
  if (step.type === 'regex') {
    const match = step.regex!.exec(value);
    if (match === null) {
      markFailure(source, `regex: ${where} does not match the pattern`);
      return 'failed';
    }
    const fields: Bag = {};
    for (const name of step.groups!) {
      const group = match.groups?.[name];
      if (group !== undefined) fields[name] = group;
    }
    merge(source, fields, step.target);
    return 'parsed';
  }
  if (step.type === 'json') {
    const json = parseJsonObjectMessage(value);
    if (json === undefined) {
      markFailure(source, `json: ${where} is not a JSON object`);
      return 'failed';
    }
    merge(source, json, step.target);
    return 'parsed';
  }
  const lambda = parseLambdaLine(value);
  if (lambda === undefined) {
    markFailure(source, `lambda: ${where} is not a Lambda runtime line`);
    return 'failed';
  }
  if (lambda.level !== undefined) source.log = { ...source.log, level: lambda.level };
  source.aws.lambda = { ...source.aws.lambda, request_id: lambda.requestId };
  if (lambda.event !== undefined) source.aws.lambda.event = lambda.event;
  if (lambda.report !== undefined) source.aws.lambda.report = lambda.report;
  return 'parsed';
}

/**
 * Applies one rule to a document it matched, in a fixed order: parse, time, types, include and
 * exclude filters, rename, add, drop, index. A step that fails marks the document and the
 * following steps still run (types on fields that were not extracted are simply skipped).
 */
export function applyRule(rule: CompiledRule, doc: LogDocument): RuleOutcome {
  const source = doc._source;
  let failed = false;
  let parsed = true;
  for (const step of rule.parse) {
    if (runStep(source, step) === 'failed') {
      failed = true;
      parsed = false;
      break;
    }
  }
  let timestampMs: number | undefined;
  if (rule.time !== undefined && parsed) {
    const value = getPath(source, rule.time.field);
    timestampMs = rule.time.parse(value);
    if (timestampMs === undefined) {
      failed = true;
      markFailure(
        source,
        `time: ${rule.time.field.join('.')} ${value === undefined ? 'is missing' : `does not match ${rule.time.format}`}`,
      );
    } else {
      source['@timestamp'] = new Date(timestampMs).toISOString();
      if (!rule.time.keep) deletePath(source, rule.time.field);
    }
  }
  for (const { field, name, type } of rule.types) {
    const value = getPath(source, field);
    if (value === undefined) continue;
    const result = convert(value, type);
    if ('absent' in result) deletePath(source, field);
    else if (result.ok) setPath(source, field, result.value);
    else {
      // The bad value is taken out of the typed field so the index mapping never sees it.
      failed = true;
      deletePath(source, field);
      markFailure(source, `types: ${name} ${result.reason}`);
    }
  }
  if (!rule.include.every((test) => test(source)) || rule.exclude.some((test) => test(source))) {
    return { kind: 'excluded', rule: rule.name };
  }
  for (const { from, to } of rule.rename) {
    const value = deletePath(source, from);
    if (value !== undefined) setPath(source, to, value);
  }
  for (const { field, value } of rule.add) {
    // Objects are copied: documents must not share (and later mutate) one value.
    setPath(source, field, typeof value === 'object' && value !== null ? structuredClone(value) : value);
  }
  for (const field of rule.drop) deletePath(source, field);
  if (rule.index !== undefined) {
    doc._index = rule.index.nameFor(timestampMs ?? Date.parse(source['@timestamp']));
  }
  return { kind: 'routed', doc, rule: rule.name, failed };
}

/** The first rule whose `match` holds decides (like Logstash's if / else if); none: the default. */
export function applyRules(rules: readonly CompiledRule[], doc: LogDocument): RuleOutcome {
  for (const rule of rules) {
    if (rule.matches(doc._source)) return applyRule(rule, doc);
  }
  return { kind: 'unmatched', doc };
}
