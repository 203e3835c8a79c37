import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { gunzipSync } from 'node:zlib';
import { S3DeadLetterSink } from '../../libs/forwarding/destinations/dead-letter';
import {
  createTransport,
  Delivery,
  DeliveryError,
  loadDestinationConfig,
  encodedText,
  type DeadLetterSink,
  type EncodedDocument,
  type Transport,
} from '../../libs/forwarding/destinations';
import type { LogDocument } from '../../libs/forwarding/documents';
import { BulkServer, type BulkServerOptions } from '../support/bulk-server';
import { LocalS3 } from '../support/s3';
import { quiet } from '../support/logging';

function doc(n: number, message = `line ${n}`): LogDocument {
  return {
    _id: `id-${n}`,
    _index: 'cwl-2024.11.20',
    _source: { '@timestamp': '2024-11-20T00:00:00.000Z', message, aws: {}, cloud: { provider: 'aws' } },
  };
}

interface RunOptions {
  env?: Record<string, string>;
  deadLetters?: DeadLetterSink;
  timeLeft?: () => number;
}

async function deliver(server: BulkServer, docs: LogDocument[], options: RunOptions = {}) {
  const config = loadDestinationConfig({
    DESTINATION_URL: server.url,
    RETRY_BASE_DELAY_MS: '1',
    RETRY_MAX_DELAY_MS: '4',
    ...options.env,
  });
  const delivery = new Delivery(createTransport(config), {
    ...config,
    timeLeft: options.timeLeft ?? (() => 60000),
    deadLetters: options.deadLetters,
    log: quiet,
  });
  for (const d of docs) await delivery.push(d);
  return delivery.close();
}

const range = (n: number) => Array.from({ length: n }, (_, i) => doc(i));

/** The document an item's bytes decode to. */
const decodedItem = (transport: Transport, item: EncodedDocument) => transport.decode(encodedText(item));

async function withServer<T>(
  options: BulkServerOptions,
  body: (server: BulkServer) => Promise<T>,
): Promise<T> {
  const server = await new BulkServer(options).start();
  try {
    return await body(server);
  } finally {
    await server.stop();
  }
}

const memorySink = () => {
  const entries: Array<{ reason: string; id?: string }> = [];
  const documents: LogDocument[] = [];
  const sink: DeadLetterSink = {
    put: async (batch) => {
      entries.push(...batch.map((e) => ({ reason: e.reason, id: e.document?._id })));
      for (const e of batch) if (e.document) documents.push(e.document);
      return 'memory://dead-letters';
    },
  };
  return { sink, entries, documents };
};

describe('delivery to a _bulk server', () => {
  it('indexes every document once, in bounded, gzipped batches with bounded concurrency', () =>
    withServer({ delayMs: () => 5 }, async (server) => {
      const report = await deliver(server, range(1050), {
        env: { BATCH_MAX_DOCS: '100', DESTINATION_CONCURRENCY: '3' },
      });
      expect(report).toMatchObject({ received: 1050, delivered: 1050, duplicates: 0, failed: 0 });
      expect(server.documents.size).toBe(1050);
      expect(Math.max(...server.requests.map((r) => r.items))).toBe(100);
      expect(server.requests.every((r) => r.headers['content-encoding'] === 'gzip')).toBe(true);
      expect(server.maxConcurrent).toBeLessThanOrEqual(3);
      expect(server.maxConcurrent).toBeGreaterThan(1);
    }));

  it('cuts batches by bytes too', () =>
    withServer({}, async (server) => {
      const big = Array.from({ length: 20 }, (_, i) => doc(i, 'x'.repeat(3000)));
      await deliver(server, big, { env: { BATCH_MAX_BYTES: '10000', DESTINATION_GZIP: 'false' } });
      expect(server.documents.size).toBe(20);
      expect(server.requests.every((r) => r.body.length <= 10000)).toBe(true);
      // Filled up to the limit: three ~3.2 KB documents fit in 10,000 bytes, a fourth does not.
      expect(server.requests.map((r) => r.items)).toEqual([3, 3, 3, 3, 3, 3, 2]);
    }));

  it('never exceeds the byte limit with multi-byte text', () =>
    withServer({}, async (server) => {
      const korean = Array.from({ length: 20 }, (_, i) => doc(i, '한국어'.repeat(333 + (i % 5))));
      await deliver(server, korean, { env: { BATCH_MAX_BYTES: '10000', DESTINATION_GZIP: 'false' } });
      expect(server.documents.size).toBe(20);
      expect(server.requests.every((r) => r.body.length <= 10000)).toBe(true);
      expect(Math.max(...server.requests.map((r) => r.items))).toBe(3);
    }));

  it('a retried invocation does not duplicate: 409 on create counts as delivered', () =>
    withServer({}, async (server) => {
      await deliver(server, range(10));
      const again = await deliver(server, range(12));
      expect(again).toMatchObject({ delivered: 2, duplicates: 10, failed: 0 });
      expect([...server.creations.values()].every((n) => n === 1)).toBe(true);
    }));

  it('retries only the items answered 429 until they are accepted', () =>
    withServer(
      {
        itemFault: (item, attempt) => (Number(item.id.slice(3)) % 3 === 0 && attempt <= 2 ? 429 : undefined),
      },
      async (server) => {
        const report = await deliver(server, range(30));
        expect(report).toMatchObject({ delivered: 30, failed: 0 });
        expect(report.retried).toBe(20); // 10 items, retried twice each
        expect(server.attempts.get('id-1')).toBe(1);
        expect(server.attempts.get('id-3')).toBe(3);
        // Retried from the bytes of the first request body: the same document.
        expect(server.documents.get('id-3')).toEqual({ index: 'cwl-2024.11.20', source: doc(3)._source });
      },
    ));

  it('retries whole requests that fail with 5xx or never answer in time', () =>
    withServer(
      // The slow answer is 10x the timeout, so a loaded CI machine cannot blur the two.
      { requestFault: (n) => (n <= 2 ? 503 : undefined), delayMs: (n) => (n === 3 ? 10000 : 0) },
      async (server) => {
        const report = await deliver(server, range(5), { env: { DESTINATION_TIMEOUT_MS: '1000' } });
        expect(report).toMatchObject({ delivered: 5, failed: 0 });
        expect(server.requestsReceived).toBe(4); // 503, 503, timed out, accepted
      },
    ));

  it('dead-letters mapping errors (400) and delivers the rest', () =>
    withServer({ itemFault: (item) => (item.id === 'id-4' ? 400 : undefined) }, async (server) => {
      const { sink, entries, documents } = memorySink();
      const report = await deliver(server, range(8), { deadLetters: sink });
      expect(report).toMatchObject({ delivered: 7, dead_lettered: 1, failed: 0 });
      expect(documents).toEqual([doc(4)]); // read back from the request body's bytes
      expect(entries).toEqual([
        {
          id: 'id-4',
          reason:
            "400 document_parsing_exception: failed to parse field [json.n] of type [long] in document with id 'id-4'. Preview of field's value: 'text'",
        },
      ]);
      expect(server.attempts.get('id-4')).toBe(1); // permanent: never retried
    }));

  it('fails the invocation when a refused document cannot be dead-lettered, after delivering the rest', () =>
    withServer({ itemFault: (item) => (item.id === 'id-4' ? 400 : undefined) }, async (server) => {
      const failing: DeadLetterSink = { put: async () => Promise.reject(new Error('AccessDenied')) };
      for (const deadLetters of [undefined, failing]) {
        const error = await deliver(server, range(8), { deadLetters }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DeliveryError);
        expect((error as DeliveryError).report.failed).toBe(1);
      }
      expect(server.documents.size).toBe(7);
    }));

  it('gives up retrying when the Lambda runs out of time, and fails so Lambda keeps the event', () =>
    withServer({ itemFault: () => 429 }, async (server) => {
      let left = 1500;
      const error = await deliver(server, range(4), { timeLeft: () => (left -= 100) }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DeliveryError);
      expect((error as DeliveryError).report).toMatchObject({ delivered: 0, failed: 4 });
      expect((error as DeliveryError).message).toContain('es_rejected_execution_exception');
    }));

  it('stops after the maximum number of attempts', () =>
    withServer({ itemFault: () => 503 }, async (server) => {
      const error = await deliver(server, range(2), { env: { RETRY_MAX_ATTEMPTS: '3' } }).catch(
        (e: unknown) => e,
      );
      expect((error as DeliveryError).report.failed).toBe(2);
      expect(server.attempts.get('id-0')).toBe(3);
    }));

  it('does not retry a request the server refuses as unauthorized; the invocation fails', () =>
    withServer({ requestFault: () => 401 }, async (server) => {
      const error = await deliver(server, range(3)).catch((e: unknown) => e);
      expect((error as DeliveryError).report.failed).toBe(3);
      expect(server.requests).toHaveLength(1);
    }));

  it('a batch waiting for its answer holds its bytes, not its documents or their text', () =>
    withServer({}, async (server) => {
      const config = loadDestinationConfig({ DESTINATION_URL: server.url });
      const inner = createTransport(config);
      const seen: Array<{ keep: boolean; items: EncodedDocument[] }> = [];
      for (const keepDocuments of [false, true]) {
        const transport: Transport = {
          kind: inner.kind,
          encode: (d) => inner.encode(d),
          decode: (text) => inner.decode(text),
          send: async (batch, timeoutMs) => {
            const outcomes = await inner.send(batch, timeoutMs);
            seen.push({ keep: keepDocuments, items: [...batch] }); // as they were while waiting
            return outcomes;
          },
        };
        const delivery = new Delivery(transport, {
          ...config,
          keepDocuments,
          timeLeft: () => 60000,
          log: quiet,
        });
        for (const d of range(3)) await delivery.push(d);
        await delivery.close();
      }
      for (const { keep, items } of seen) {
        expect(items.map((item) => item.doc)).toEqual(keep ? range(3) : [undefined, undefined, undefined]);
        expect(items.every((item) => item.body === '' && item.raw !== undefined)).toBe(true);
        expect(items.map((item) => decodedItem(inner, item)._id)).toEqual(['id-0', 'id-1', 'id-2']);
      }
    }));

  it('halves a batch answered 413 and dead-letters a single document that is still too large', () =>
    withServer({}, async (server) => {
      const original = server['answer'].bind(server);
      // 413 for any request above 2 documents, like a proxy with a small body limit.
      server['answer'] = async (req, raw, res) => {
        if (
          req.url?.includes('_bulk') &&
          raw.length > 0 &&
          (await import('node:zlib')).gunzipSync(raw).toString().split('\n').length > 5
        ) {
          res.writeHead(413).end();
          return;
        }
        return original(req, raw, res);
      };
      const { sink } = memorySink();
      const report = await deliver(server, range(9), { deadLetters: sink });
      expect(report).toMatchObject({ delivered: 9, failed: 0 });
    }));
});

describe('413 for one document', () => {
  it('dead-letters a single document over 1 MiB as too large and delivers the others', () =>
    withServer({}, async (server) => {
      const original = server['answer'].bind(server);
      // A body limit of 1.5 MiB: one 2 MiB document can never fit.
      server['answer'] = async (req, raw, res) => {
        if (raw.length > 1.5 * 1024 * 1024) {
          res.writeHead(413).end();
          return;
        }
        return original(req, raw, res);
      };
      const { sink, entries } = memorySink();
      const docs = [...range(4), doc(99, 'x'.repeat(2 * 1024 * 1024))];
      const report = await deliver(server, docs, { deadLetters: sink, env: { DESTINATION_GZIP: 'false' } });
      expect(report).toMatchObject({ delivered: 4, dead_lettered: 1, failed: 0 });
      expect(entries[0]!.reason).toMatch(/^document of \d+ bytes is too large for the destination \(413\)$/);
    }));
});

describe('delivery to Logstash', () => {
  it('posts NDJSON with @metadata ids and retries the whole batch on 429', () =>
    withServer({ requestFault: (n) => (n === 1 ? 429 : undefined) }, async (server) => {
      const report = await deliver(server, range(5), {
        env: { DESTINATION_KIND: 'logstash', DESTINATION_URL: `${server.url}/` },
      });
      expect(report).toMatchObject({ delivered: 5, failed: 0 });
      expect(server.documents.get('id-2')).toEqual({ index: 'cwl-2024.11.20', source: doc(2)._source });
      expect(server.requests[1]!.headers['content-type']).toBe('application/x-ndjson');
    }));
});

describe('dead letters in S3', () => {
  const s3 = new LocalS3(['dead-letters']);
  beforeAll(() => s3.start());
  afterAll(() => s3.stop());

  it('writes refused documents with their reasons; a retry overwrites the same object', () =>
    withServer(
      { itemFault: (item) => (item.id === 'id-1' || item.id === 'id-2' ? 400 : undefined) },
      async (server) => {
        const sink = new S3DeadLetterSink('dead-letters', 'forwarder/', async () => s3.client);
        await deliver(server, range(4), { deadLetters: sink });
        await deliver(server, range(4), { deadLetters: sink });
        const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: 'dead-letters' }));
        expect(listed.Contents).toHaveLength(1);
        const key = listed.Contents![0]!.Key!;
        expect(key).toMatch(/^forwarder\/dt=\d{4}-\d{2}-\d{2}\/[0-9a-f]{32}\.ndjson\.gz$/);
        const object = await s3.client.send(new GetObjectCommand({ Bucket: 'dead-letters', Key: key }));
        const lines = gunzipSync(Buffer.from(await object.Body!.transformToByteArray()))
          .toString()
          .trim()
          .split('\n');
        const entries = lines.map((line) => JSON.parse(line) as { reason: string; document: LogDocument });
        expect(entries.map((e) => e.document._id)).toEqual(['id-1', 'id-2']);
        expect(entries[0]!.reason).toContain('document_parsing_exception');
        expect(entries[0]!.document._source.message).toBe('line 1');
      },
    ));
});

describe('every document is indexed exactly once or dead-lettered', () => {
  it('holds under random item faults, request faults and repeated invocations', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 120 }),
        fc.array(fc.constantFrom(undefined, 429, 400, 503), { minLength: 1, maxLength: 20 }),
        fc.array(fc.constantFrom(undefined, 500, 502), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 1, max: 3 }),
        async (count, itemFaults, requestFaults, invocations) =>
          withServer(
            {
              itemFault: (item, attempt) => {
                const fault = itemFaults[Number(item.id.slice(3)) % itemFaults.length];
                return fault === 400 || attempt <= 2 ? fault : undefined;
              },
              // Transient: the first requests fail, then the cluster recovers.
              requestFault: (n) => requestFaults[n - 1],
            },
            async (server) => {
              const { sink, entries } = memorySink();
              const docs = range(count);
              for (let i = 0; i < invocations; i++) {
                await deliver(server, docs, {
                  deadLetters: sink,
                  env: { BATCH_MAX_DOCS: '17', RETRY_MAX_ATTEMPTS: '20' },
                });
              }
              const deadIds = new Set(entries.map((e) => e.id));
              for (const d of docs) expect(server.documents.has(d._id) !== deadIds.has(d._id)).toBe(true);
              expect([...server.creations.values()].every((n) => n === 1)).toBe(true);
            },
          ),
      ),
      { numRuns: 25 },
    );
  });
});
