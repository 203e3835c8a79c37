import { buildDocument, IndexNamer, type LogDocument } from '../../libs/forwarding/documents';
import { markFailure } from '../../libs/forwarding/documents/fields';
import { indexTemplate } from '../../tools/search/artifacts';
import type { Engine } from '../../tools/search/engine';
import { documentMappings } from '../../tools/search/mappings';
import {
  fits,
  kinesisDocuments,
  leaves,
  resolve,
  subscriptionDocuments,
  type Resolution,
} from './mapping-coverage';

const ENGINES: Engine[] = [
  { kind: 'elasticsearch', version: '8.15.0', flatJson: true },
  { kind: 'opensearch', version: '2.15.0', flatJson: true },
  { kind: 'opensearch', version: '2.3.0', flatJson: false },
];

type Mappings = Parameters<typeof resolve>[0];

function resolutions(mappings: Mappings, doc: LogDocument): Array<[string, unknown, Resolution]> {
  return leaves(doc._source).map(([path, value]) => [path.join('.'), value, resolve(mappings, path)]);
}

/** A Lambda REPORT line with all five numbers, and a line a rule could not parse. */
function extraDocuments(): LogDocument[] {
  const options = { indexNamer: new IndexNamer('cwl'), region: 'ap-northeast-2', jsonAtRoot: false };
  const context = { owner: '123456789012', logGroup: '/aws/lambda/orders', logStream: 's' };
  const report = buildDocument(
    context,
    {
      id: '1',
      timestamp: 1732122743505,
      message:
        'REPORT RequestId: 830e95c2-4983-4e72-99f1-1aa410a0ffb0\tDuration: 107.52 ms\tBilled Duration: 108 ms\t' +
        'Memory Size: 128 MB\tMax Memory Used: 70 MB\tInit Duration: 150.12 ms\t',
    },
    options,
  );
  const failed = buildDocument(context, { id: '2', timestamp: 1732122743505, message: 'GET / x' }, options);
  markFailure(failed._source, 'accesslog: the line does not match the pattern');
  return [report, failed];
}

describe.each(ENGINES)('mappings for $kind $version', (engine) => {
  const mappings = documentMappings(engine) as Mappings;

  it('map every leaf of every fixture document, with a type that takes its value, or put it under json', () => {
    const docs = [...subscriptionDocuments(false), ...extraDocuments()];
    expect(docs.length).toBeGreaterThan(8);
    for (const doc of docs) {
      for (const [path, value, where] of resolutions(mappings, doc)) {
        if (where.kind === 'flat') {
          expect(where.at).toBe('json');
          continue;
        }
        expect({ path, where }).toEqual({ path, where: { kind: 'field', type: expect.any(String) } });
        if (where.kind === 'field')
          expect({ path, value, fits: fits(where.type, value) }).toMatchObject({ fits: true });
      }
    }
  });

  it('keep the Lambda REPORT numbers numeric (float durations, long billed and memory)', () => {
    const [report] = extraDocuments();
    const numeric = resolutions(mappings, report!).filter(([path]) => path.startsWith('aws.lambda.report.'));
    expect(numeric.map(([path, value, where]) => [path, typeof value, where])).toEqual([
      ['aws.lambda.report.duration_ms', 'number', { kind: 'field', type: 'float' }],
      ['aws.lambda.report.billed_duration_ms', 'number', { kind: 'field', type: 'long' }],
      ['aws.lambda.report.memory_size_mb', 'number', { kind: 'field', type: 'long' }],
      ['aws.lambda.report.max_memory_used_mb', 'number', { kind: 'field', type: 'long' }],
      ['aws.lambda.report.init_duration_ms', 'number', { kind: 'field', type: 'float' }],
    ]);
  });

  it('root copies (JSON_FIELDS_AT_ROOT) and Kinesis record keys are kept in _source, never mapped or in conflict', () => {
    const docs = [...subscriptionDocuments(true), ...kinesisDocuments(false), ...kinesisDocuments(true)];
    const unindexed = new Set<string>();
    for (const doc of docs) {
      for (const [path, value, where] of resolutions(mappings, doc)) {
        expect({ path, kind: where.kind }).not.toEqual({ path, kind: 'conflict' });
        if (where.kind === 'field')
          expect({ path, value, fits: fits(where.type, value) }).toMatchObject({ fits: true });
        if (where.kind === 'unindexed') {
          // Only at the root, below `dynamic: false`: the mapping does not grow.
          expect({ path, at: where.at, dynamic: where.dynamic }).toEqual({
            path,
            at: path.split('.')[0],
            dynamic: false,
          });
          unindexed.add(where.at);
        }
      }
    }
    // The fixtures do exercise this path: Go service keys at the root, Fluent Bit and Kubernetes keys.
    expect([...unindexed]).toEqual(expect.arrayContaining(['msg', 'logtype', 'kubernetes']));
  });

  it('are closed: every object is dynamic: false, and json is one field whatever its keys', () => {
    const objects: Array<[string, unknown]> = [];
    const walk = (node: Mappings, path: string) => {
      if (node.properties === undefined) return;
      objects.push([path, node.dynamic]);
      for (const [key, child] of Object.entries(node.properties))
        walk(child as Mappings, path ? `${path}.${key}` : key);
    };
    walk(mappings, '');
    expect(objects.every(([, dynamic]) => dynamic === false)).toBe(true);
    const json = (mappings.properties as Record<string, Record<string, unknown>>).json!;
    expect(json.properties).toBeUndefined();
    // Conflicting shapes of one key in two lines both land in the one json field.
    for (const line of [{ id: 1 }, { id: 'a' }, { id: { nested: [1, 'x'] } }]) {
      expect(resolve(mappings, ['json', ...Object.keys(line)])).toEqual({ kind: 'flat', at: 'json' });
    }
  });
});

describe('root copies of JSON keys (JSON_FIELDS_AT_ROOT)', () => {
  it('never write the fields the mapping reserves for the pipeline, whatever the line holds', () => {
    const mapped = Object.keys(documentMappings(ENGINES[0]!).properties as object);
    const line = Object.fromEntries(mapped.map((name) => [name, 'from the log line']));
    const doc = buildDocument(
      { owner: '1', logGroup: 'g', logStream: 's' },
      { id: 'e', timestamp: 0, message: JSON.stringify({ ...line, user: 'kim' }) },
      { indexNamer: new IndexNamer('cwl'), jsonAtRoot: true },
    );
    for (const name of mapped) expect([name, doc._source[name]]).not.toEqual([name, 'from the log line']);
    expect(doc._source.user).toBe('kim');
    expect(doc._source.json).toMatchObject(line);
  });
});

describe('json strategy per engine', () => {
  it('flattened on Elasticsearch, flat_object on OpenSearch 2.7+, not indexed before 2.7', () => {
    const json = (engine: Engine) => (documentMappings(engine).properties as Record<string, unknown>).json;
    expect(json(ENGINES[0]!)).toEqual({ type: 'flattened', ignore_above: 1024, depth_limit: 50 });
    expect(json(ENGINES[1]!)).toEqual({ type: 'flat_object' });
    expect(json(ENGINES[2]!)).toEqual({ type: 'object', enabled: false });
  });

  it('the template names the ILM policy on Elasticsearch only (ISM attaches through its ism_template)', () => {
    const settings = { indexPrefix: 'cwl', retentionDays: 30 };
    const indexSettings = (engine: Engine) =>
      (indexTemplate(settings, engine) as { template: { settings: { index: Record<string, unknown> } } })
        .template.settings.index;
    expect(indexSettings(ENGINES[0]!)['lifecycle.name']).toBe('logpipe-cwl-retention');
    expect(indexSettings(ENGINES[1]!)['lifecycle.name']).toBeUndefined();
  });
});
