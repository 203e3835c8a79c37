import { ElasticsearchTransport } from '../../libs/forwarding/destinations/elasticsearch';
import { noAuth } from '../../libs/forwarding/destinations/auth';
import { HttpClient } from '../../libs/forwarding/destinations/http';
import { encodedItem } from '../../libs/forwarding/destinations/types';
import type { DocumentSource, LogDocument } from '../../libs/forwarding/documents';
import { describeEachEngine, engineUrl } from '../peers/engine-env';
import { EngineClient } from '../support/engine-client';

/**
 * The `_bulk` answer of a real node, as the transport asks for it (filter_path keeping each
 * item's `_id`), read item by item: a repeated id in one batch, an id already indexed and a
 * mapping conflict are each matched to the document they belong to.
 */
const INDEX = `logpipe-bulk-answers-${Date.now().toString(36)}`;

const doc = (id: string, source: Record<string, unknown>): LogDocument => ({
  _id: id,
  _index: INDEX,
  _source: { '@timestamp': '2026-12-06T00:00:00.000Z', ...source } as unknown as DocumentSource,
});

describeEachEngine('_bulk answers of a real node, matched by _id', (kind) => {
  let engine: EngineClient;
  let transport: ElasticsearchTransport;
  const http = new HttpClient(1);

  beforeAll(async () => {
    const url = await engineUrl(kind);
    engine = new EngineClient(url);
    await engine.ok('PUT', `/${INDEX}`, { mappings: { properties: { n: { type: 'long' } } } });
    transport = new ElasticsearchTransport(new URL(url), http, noAuth, true);
  }, 330_000);
  afterAll(async () => {
    await engine?.deleteIndices(INDEX);
    http.close();
  });

  it('created, repeated in the batch (409), refused by the mapping (400), already there (409)', async () => {
    const items = (docs: LogDocument[]) =>
      docs.map((d) => {
        const body = transport.encode(d);
        return encodedItem(undefined, d._id, body, Buffer.byteLength(body));
      });
    expect(await transport.send(items([doc('old', { n: 0 })]), 30000)).toEqual([{ kind: 'delivered' }]);
    const docs = [
      doc('a', { n: 1 }),
      doc('b', { n: 'not a number' }),
      doc('a', { n: 2 }),
      doc('old', { n: 3 }),
      doc('c', { n: 4 }),
    ];
    const batch = items(docs);
    const outcomes = await transport.send(batch, 30000);
    expect(outcomes.map((o) => o.kind)).toEqual([
      'delivered',
      'permanent',
      'duplicate',
      'duplicate',
      'delivered',
    ]);
    expect(outcomes[1]).toEqual({ kind: 'permanent', reason: expect.stringMatching(/^400 \w+_exception: /) });
    expect(await engine.count(INDEX)).toBe(3);
  });
});
