import type { Engine } from './engine';

/**
 * Mappings for the documents of libs/forwarding/documents (and the Kinesis path), per engine.
 *
 * Strategy: the mapping is closed. Every field the pipeline itself writes is mapped explicitly
 * (numbers as numbers, ids as keywords); the root and every object are `dynamic: false`, so a
 * key nobody declared is kept in `_source` but never added to the mapping. The parsed JSON of
 * a log line lives under `json`, mapped as ONE field: `flattened` (Elasticsearch) or
 * `flat_object` (OpenSearch 2.7+). Both index every leaf as a keyword term carrying its path, so a
 * term or match on `json.<key>` is one term lookup (profiled on OpenSearch 3.8 and Elasticsearch
 * 9.5, docs/search.md); a range compares strings. `flat_object` takes no `ignore_above`: a term
 * over 32,766 bytes gets the document refused on OpenSearch, so the forwarder cuts long JSON
 * strings when it builds the document (libs/forwarding/documents/json-message.ts JSON_STRING_MAX_CHARS).
 * So any number of JSON keys adds no mapping entries (no explosion), and `{"id": 1}` in one line
 * and `{"id": "a"}` or `{"id": {"x": 1}}` in another cannot conflict (no rejected documents).
 */
export type FieldMapping = Record<string, unknown>;

const keyword = { type: 'keyword', ignore_above: 1024 };

function object(properties: Record<string, FieldMapping>): FieldMapping {
  return { type: 'object', dynamic: false, properties };
}

/** How `json` is mapped on this engine (see the module comment). */
export function jsonFieldMapping(engine: Engine): FieldMapping {
  if (!engine.flatJson) {
    // OpenSearch before 2.7 has no flat_object: keep the object in _source, index nothing in it.
    return { type: 'object', enabled: false };
  }
  return engine.kind === 'elasticsearch'
    ? // ignore_above: Lucene refuses terms over 32 KiB; depth_limit: deeper objects reject the document (default 20).
      { type: 'flattened', ignore_above: 1024, depth_limit: 50 }
    : { type: 'flat_object' };
}

export function documentMappings(engine: Engine): FieldMapping {
  return {
    dynamic: false,
    // Only the time field is a date; strings that look like dates elsewhere stay strings.
    date_detection: false,
    properties: {
      '@timestamp': { type: 'date' },
      message: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } },
      log: object({ level: { type: 'keyword' } }),
      tags: { type: 'keyword' },
      parse_errors: { type: 'text' },
      aws: object({
        cloudwatch: object({ log_group: keyword, log_stream: keyword, event_id: keyword }),
        lambda: object({
          request_id: keyword,
          event: { type: 'keyword' },
          report: object({
            duration_ms: { type: 'float' },
            billed_duration_ms: { type: 'long' },
            memory_size_mb: { type: 'long' },
            max_memory_used_mb: { type: 'long' },
            init_duration_ms: { type: 'float' },
          }),
        }),
        kinesis: object({
          stream: keyword,
          shard_id: keyword,
          sequence_number: keyword,
          partition_key: keyword,
          line: { type: 'long' },
        }),
      }),
      cloud: object({
        provider: { type: 'keyword' },
        region: { type: 'keyword' },
        account: object({ id: { type: 'keyword' } }),
      }),
      json: jsonFieldMapping(engine),
    },
  };
}
