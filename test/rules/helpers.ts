import type { LogDocument } from '../../libs/forwarding/documents/types';
import { applyRules, rulesFromText, type RuleOutcome } from '../../libs/forwarding/rules-file';

/** Compiles rules written inline, as a rules file would hold them. */
export function rules(list: unknown[], timeZone = 'UTC') {
  return rulesFromText(JSON.stringify({ rules: list }), 'test-rules.json', timeZone);
}

/** A document as the forwarder builds it before rules: a Fluent Bit record's fields at the root. */
export function doc(fields: Record<string, unknown>, logGroup?: string): LogDocument {
  return {
    _id: 'id-1',
    _index: 'cwl-2024.11.20',
    _source: {
      '@timestamp': '2024-11-20T17:12:23.505Z',
      message: '',
      aws: logGroup ? { cloudwatch: { log_group: logGroup, log_stream: 's', event_id: '1' } } : {},
      cloud: { provider: 'aws' },
      ...fields,
    },
  };
}

export function routed(outcome: RuleOutcome): LogDocument {
  if (outcome.kind !== 'routed') throw new Error(`expected a routed document, got ${outcome.kind}`);
  return outcome.doc;
}

export { applyRules };
