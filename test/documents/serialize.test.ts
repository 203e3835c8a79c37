import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSubscriptionEvent } from '../../libs/forwarding/decoding/subscription';
import {
  documentsFromLogsData,
  IndexNamer,
  type DocumentSource,
  type LogDocument,
} from '../../libs/forwarding/documents';
import { quoteId, serializeDocument, serializeSource } from '../../libs/forwarding/documents/serialize';
import { ElasticsearchTransport } from '../../libs/forwarding/destinations/elasticsearch';
import { LogstashTransport } from '../../libs/forwarding/destinations/logstash';
import { StdoutTransport } from '../../libs/forwarding/destinations/stdout';
import { noAuth } from '../../libs/forwarding/destinations/auth';
import { HttpClient } from '../../libs/forwarding/destinations/http';
import { logsData } from '../support/subscription';

const options = { indexNamer: new IndexNamer('cwl'), region: 'ap-northeast-2', jsonAtRoot: false };
const fixtures = join(__dirname, '..', 'fixtures', 'forwarder');

/** Documents of every subscription fixture plus hostile messages, as the forwarder builds them. */
function pipelineDocuments(): LogDocument[] {
  const docs: LogDocument[] = [];
  for (const name of readdirSync(fixtures).filter((file) => !file.startsWith('kinesis'))) {
    const data = decodeSubscriptionEvent(JSON.parse(readFileSync(join(fixtures, name), 'utf8')));
    docs.push(...documentsFromLogsData(data, options, () => {}));
  }
  const hostile = [
    '2024-11-20T17:12:23.505Z\t830e95c2-4983-4e72-99f1-1aa410a0ffb0\tERROR\t"quoted" \\ back\u0001slash',
    'START RequestId: 830e95c2-4983-4e72-99f1-1aa410a0ffb0 Version: $LATEST',
    'REPORT RequestId: 830e95c2-4983-4e72-99f1-1aa410a0ffb0\tDuration: 1.5 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\tInit Duration: 100.25 ms',
    '{"level":30,"msg":"인증실패 \\"}{\\" 😀","n":1e400}',
    '{"type":"platform.report","record":{"requestId":"r-1","metrics":{"durationMs":3.5}}}',
    'lone surrogate \ud800 and \udc00 and a pair 😀',
    'line\u2028separator',
  ];
  for (const [i, message] of hostile.entries()) {
    docs.push(
      ...documentsFromLogsData(
        logsData([{ id: `id"${i}\\`, timestamp: 1732122743505 + i, message }], {
          logGroup: `/aws/lambda/"odd"\\group-${i % 2}`,
          logStream: i % 3 === 0 ? 'stream "a"' : 'stream-b',
          owner: i % 2 ? '123456789012' : '210987654321',
        }),
        { ...options, jsonAtRoot: i % 2 === 0 },
        () => {},
      ),
    );
  }
  return docs;
}

describe('serializeSource and serializeDocument write exactly what JSON.stringify writes', () => {
  it('for every document the pipeline builds, in stream order and interleaved', () => {
    const docs = pipelineDocuments();
    expect(docs.length).toBeGreaterThan(10);
    // Interleaving streams and accounts exercises the reused group, stream and cloud text.
    const interleaved = docs.flatMap((doc, i) => [doc, docs[docs.length - 1 - i]!]);
    for (const doc of interleaved) {
      expect(serializeSource(doc._source)).toBe(JSON.stringify(doc._source));
      expect(serializeDocument(doc)).toBe(JSON.stringify(doc));
    }
  });

  it('_bulk lines and Logstash lines are the documents JSON.stringify would give', () => {
    const es = new ElasticsearchTransport(new URL('http://es'), new HttpClient(1), noAuth, false);
    const logstash = new LogstashTransport(new URL('http://ls'), new HttpClient(1), noAuth, false);
    for (const doc of pipelineDocuments()) {
      const [action, source, end] = es.encode(doc).split('\n');
      expect(JSON.parse(action!)).toEqual({ create: { _index: doc._index, _id: doc._id } });
      expect(source).toBe(JSON.stringify(doc._source));
      expect(end).toBe('');
      expect(logstash.encode(doc)).toBe(
        `${JSON.stringify({ ...doc._source, '@metadata': { _id: doc._id, _index: doc._index } })}\n`,
      );
    }
  });

  it('each transport decodes its own text back to the document (dead letters of batches kept as bytes)', () => {
    const transports = [
      new ElasticsearchTransport(new URL('http://es'), new HttpClient(1), noAuth, false),
      new LogstashTransport(new URL('http://ls'), new HttpClient(1), noAuth, false),
      new StdoutTransport(),
    ];
    for (const transport of transports) {
      for (const doc of pipelineDocuments()) {
        // JSON drops undefined members: the dead letter written to S3 is the same either way.
        expect(transport.decode(transport.encode(doc))).toEqual(JSON.parse(JSON.stringify(doc)));
      }
    }
  });

  it('a source with its own @metadata gets ours in Logstash, as before', () => {
    const logstash = new LogstashTransport(new URL('http://ls'), new HttpClient(1), noAuth, false);
    const doc = {
      _id: 'a',
      _index: 'i',
      _source: { '@metadata': { x: 1 }, message: 'm' },
    } as unknown as LogDocument;
    expect(JSON.parse(logstash.encode(doc))).toEqual({
      '@metadata': { _id: 'a', _index: 'i' },
      message: 'm',
    });
  });

  it('empty strings where the pipeline caches text, from a fresh module (first call included)', () => {
    let fresh = serializeSource;
    jest.isolateModules(() => {
      ({ serializeSource: fresh } = jest.requireActual<{ serializeSource: typeof serializeSource }>(
        '../../libs/forwarding/documents/serialize',
      ));
    });
    expect(fresh).not.toBe(serializeSource);
    for (const [group, stream] of [
      ['', ''],
      ['g', ''],
      ['', ''],
      ['', 's'],
    ]) {
      const source = {
        '@timestamp': '',
        message: '',
        log: { level: '' },
        aws: {
          cloudwatch: { log_group: group, log_stream: stream, event_id: '' },
          lambda: { request_id: '' },
        },
        cloud: { provider: 'aws', account: { id: '' }, region: '' },
        json: {},
      } as DocumentSource;
      expect(fresh(source)).toBe(JSON.stringify(source));
    }
  });

  it('quoteId is JSON.stringify of the id, also when ids alternate', () => {
    for (const id of ['1', '2', '1', 'a"b', 'a"b', '\ud800', ''])
      expect(quoteId(id)).toBe(JSON.stringify(id));
  });

  // Any value where the pipeline puts a string or an object: other types, undefined, arrays,
  // objects with toJSON, and keys missing, added or out of order.
  const anyValue = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc.constantFrom('aws', 'info', '/aws/lambda/x', 'stream'),
    fc.constant(undefined),
    fc.jsonValue({ maxDepth: 2 }),
    fc.date({ noInvalidDate: true }),
    fc.constant({ toJSON: () => 'from toJSON' }),
  );
  // Mostly exactly the layout buildDocument makes (the fast path), else keys missing or added.
  const orderedRecord = (model: Record<string, fc.Arbitrary<unknown>>) =>
    fc.oneof({ weight: 3, arbitrary: fc.record(model) }, { weight: 1, arbitrary: variedRecord(model) });
  const variedRecord = (model: Record<string, fc.Arbitrary<unknown>>) =>
    fc
      .tuple(
        fc.record(model, { requiredKeys: [] }),
        fc.dictionary(fc.constantFrom('extra', 'log_group', 'id', 'zz'), anyValue, { maxKeys: 2 }),
        fc.boolean(),
      )
      .map(([known, extra, extraFirst]) => (extraFirst ? { ...extra, ...known } : { ...known, ...extra }));
  const cloudwatch = fc.oneof(
    orderedRecord({ log_group: anyValue, log_stream: anyValue, event_id: anyValue }),
    anyValue,
  );
  const lambda = fc.oneof(
    orderedRecord({ request_id: anyValue, event: anyValue, report: anyValue }),
    anyValue,
  );
  const account = fc.oneof(orderedRecord({ id: anyValue }), anyValue);
  const source = orderedRecord({
    '@timestamp': anyValue,
    message: anyValue,
    log: fc.oneof(orderedRecord({ level: anyValue }), anyValue),
    aws: fc.oneof(orderedRecord({ cloudwatch, lambda }), anyValue),
    cloud: fc.oneof(orderedRecord({ provider: anyValue, account, region: anyValue }), anyValue),
    json: anyValue,
  });

  it('for any value at any place of the layout (property)', () => {
    fc.assert(
      fc.property(fc.array(source, { minLength: 1, maxLength: 4 }), (sources) => {
        for (const s of sources) {
          const value = s as unknown as DocumentSource;
          expect(serializeSource(value)).toBe(JSON.stringify(value));
          expect(serializeSource(value, '"@metadata":{"_id":"x"}')).toBe(
            JSON.stringify({ ...value, '@metadata': { _id: 'x' } }),
          );
          const doc = { _id: 'x', _index: 'i', _source: value } as LogDocument;
          expect(serializeDocument(doc)).toBe(JSON.stringify(doc));
        }
      }),
      { numRuns: 2000 },
    );
  });
});
