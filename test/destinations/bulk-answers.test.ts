import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createTransport,
  Delivery,
  DeliveryError,
  loadDestinationConfig,
  type DeadLetterSink,
  type DeliveryReport,
} from '../../libs/forwarding/destinations';
import { parseBulkItems } from '../../libs/forwarding/destinations/bulk-answer';
import type { LogDocument } from '../../libs/forwarding/documents';
import { quiet } from '../support/logging';

/**
 * `_bulk` answers that must not be believed: items in another order, ids that do not line up,
 * a body too large to read, `"errors": false` beside refusing statuses. A loopback server
 * answers what each test scripts, from the ids it was sent; no document may be counted delivered
 * that the answer does not say was created (or already there).
 */
type Item = { _id?: string; status: number; error?: { type: string; reason: string } };
type Script = (request: number, ids: string[]) => { items: Item[]; errors?: boolean } | 'huge' | 'huge-401';

const created = (id: string): Item => ({ _id: id, status: 201 });
const refused = (id: string): Item => ({
  _id: id,
  status: 400,
  error: { type: 'document_parsing_exception', reason: 'failed to parse field [n]' },
});
const unavailable = (id: string): Item => ({
  _id: id,
  status: 503,
  error: { type: 'unavailable_shards_exception', reason: 'primary shard is not active' },
});

class ScriptedBulkServer {
  readonly requests: string[][] = [];
  hugeBytesWritten = 0;
  private server?: http.Server;
  constructor(private readonly script: Script) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const lines = Buffer.concat(chunks).toString('utf8').split('\n').filter(Boolean);
        const ids = lines
          .filter((_, i) => i % 2 === 0)
          .map((line) => (JSON.parse(line) as { create: { _id: string } }).create._id);
        this.requests.push(ids);
        const answer = this.script(this.requests.length, ids);
        res.writeHead(answer === 'huge-401' ? 401 : 200, { 'content-type': 'application/json' });
        if (answer === 'huge' || answer === 'huge-401') return this.writeHuge(res);
        res.end(
          JSON.stringify({ errors: answer.errors ?? true, items: answer.items.map((i) => ({ create: i })) }),
        );
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  /** A 200 answer of up to 256 MiB, written as fast as the client reads it. */
  private writeHuge(res: http.ServerResponse): void {
    const chunk = Buffer.alloc(1024 * 1024, ' ');
    res.write('{"errors":false,"items":[');
    const pump = () => {
      while (this.hugeBytesWritten < 256 * 1024 * 1024 && !res.destroyed) {
        this.hugeBytesWritten += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end(']}');
    };
    res.on('error', () => undefined);
    pump();
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

const doc = (n: number): LogDocument => ({
  _id: `id-${n}`,
  _index: 'cwl-2024.11.20',
  _source: {
    '@timestamp': '2024-11-20T00:00:00.000Z',
    message: `line ${n}`,
    aws: {},
    cloud: { provider: 'aws' },
  },
});

async function deliver(script: Script, count: number, maxAttempts = 3) {
  const server = await new ScriptedBulkServer(script).start();
  const dead_lettered: string[] = [];
  const deadLetters: DeadLetterSink = {
    put: async (entries) => {
      dead_lettered.push(...entries.map((e) => e.document!._id));
      return 'memory://dead-letters';
    },
  };
  const config = loadDestinationConfig({
    DESTINATION_URL: server.url,
    DESTINATION_GZIP: 'false',
    RETRY_BASE_DELAY_MS: '1',
    RETRY_MAX_DELAY_MS: '2',
    RETRY_MAX_ATTEMPTS: String(maxAttempts),
  });
  const delivery = new Delivery(createTransport(config), {
    ...config,
    timeLeft: () => 60000,
    deadLetters,
    log: quiet,
  });
  let report: DeliveryReport;
  let error: DeliveryError | undefined;
  try {
    for (let n = 0; n < count; n++) await delivery.push(doc(n));
    report = await delivery.close();
  } catch (caught) {
    if (!(caught instanceof DeliveryError)) throw caught;
    error = caught;
    report = caught.report;
  } finally {
    await server.stop();
  }
  return { report, error, dead_lettered, requests: server.requests, hugeBytes: server.hugeBytesWritten };
}

describe('_bulk answers read by _id, bounded, never believed over their items', () => {
  it('an answer in another order: the refused document is the one dead-lettered, the others delivered', async () => {
    const run = await deliver(
      (_, ids) => ({ items: [...ids].reverse().map((id) => (id === 'id-1' ? refused(id) : created(id))) }),
      4,
    );
    expect(run.dead_lettered).toEqual(['id-1']);
    expect(run.report).toMatchObject({ received: 4, delivered: 3, dead_lettered: 1, failed: 0 });
    expect(run.requests).toHaveLength(1);
  });

  it('ids that do not line up (one not sent, one missing) are refused and the batch retried', async () => {
    const run = await deliver(
      (request, ids) => ({
        items:
          request === 1 ? ids.map((id, i) => created(i === 2 ? 'id-somebody-else' : id)) : ids.map(created),
      }),
      4,
    );
    expect(run.requests).toEqual([
      ['id-0', 'id-1', 'id-2', 'id-3'],
      ['id-0', 'id-1', 'id-2', 'id-3'],
    ]);
    expect(run.report).toMatchObject({ received: 4, delivered: 4, failed: 0 });
  });

  it('an answer that never lines up: nothing counted delivered, the invocation fails', async () => {
    const run = await deliver((_, ids) => ({ errors: false, items: ids.map((id) => created(`${id}-x`)) }), 3);
    expect(run.error?.message).toMatch(/ids do not line up with the documents sent/);
    expect(run.report).toMatchObject({ received: 3, delivered: 0, duplicates: 0, failed: 3 });
  });

  it('items without _id (a gateway that strips it) are not matched by position', async () => {
    const run = await deliver((_, ids) => ({ errors: false, items: ids.map(() => ({ status: 201 })) }), 2, 2);
    expect(run.error?.message).toMatch(/item without an _id/);
    expect(run.report).toMatchObject({ delivered: 0, failed: 2 });
  });

  it('"errors": false with 400 and 503 items: the 400 is dead-lettered, the 503 retried, never counted early', async () => {
    const run = await deliver(
      (request, ids) => ({
        errors: false,
        items: ids.map((id) =>
          id === 'id-0' ? refused(id) : id === 'id-2' && request === 1 ? unavailable(id) : created(id),
        ),
      }),
      3,
    );
    expect(run.dead_lettered).toEqual(['id-0']);
    expect(run.requests).toEqual([['id-0', 'id-1', 'id-2'], ['id-2']]);
    expect(run.report).toMatchObject({ received: 3, delivered: 2, dead_lettered: 1, retried: 1, failed: 0 });
  });

  it('a 200 answer larger than 16 MiB is a clear retryable failure, read no further, never a crash', async () => {
    const before = process.memoryUsage().rss;
    const run = await deliver((request, ids) => (request === 1 ? 'huge' : { items: ids.map(created) }), 3);
    expect(run.requests).toHaveLength(2);
    expect(run.report).toMatchObject({ received: 3, delivered: 3, failed: 0 });
    // The client dropped the connection: the server never wrote the 256 MiB it meant to.
    expect(run.hugeBytes).toBeLessThan(128 * 1024 * 1024);
    expect(process.memoryUsage().rss - before).toBeLessThan(128 * 1024 * 1024);
  });

  it('an answer that is always too large: nothing counted delivered, the failure names the limit', async () => {
    const run = await deliver(() => 'huge', 2, 2);
    expect(run.error?.message).toMatch(/larger than 16777216 bytes/);
    expect(run.report).toMatchObject({ delivered: 0, failed: 2 });
  });

  it('a refusal with a huge body: its status decides (401 is not retried), its start is in the error', async () => {
    const run = await deliver(() => 'huge-401', 2);
    expect(run.requests).toHaveLength(1);
    expect(run.error?.message).toMatch(/_bulk answered 401: \{"errors":false,"items":\[/);
    expect(run.report).toMatchObject({ delivered: 0, failed: 2 });
    expect(run.hugeBytes).toBeLessThan(128 * 1024 * 1024);
  });
});

describe('parseBulkItems', () => {
  it('the same id twice in one batch (a repeated event) answered in another order: each item takes one', () => {
    const duplicate = {
      _id: 'a',
      status: 409,
      error: { type: 'version_conflict_engine_exception', reason: 'exists' },
    };
    const answer = JSON.stringify({
      items: [{ create: created('b') }, { create: duplicate }, { create: created('a') }],
    });
    expect(parseBulkItems(answer, ['a', 'a', 'b'])).toEqual([
      { kind: 'duplicate' },
      { kind: 'delivered' },
      { kind: 'delivered' },
    ]);
    // Twice the same id for one sent: refused.
    const twice = JSON.stringify({ items: [{ create: created('a') }, { create: created('a') }] });
    expect(() => parseBulkItems(twice, ['a', 'b'])).toThrow(/do not line up/);
  });

  it('fewer or more items than documents, or no JSON, are retryable failures', () => {
    for (const body of ['{"items":[]}', 'not json', '{"errors":false}']) {
      expect(() => parseBulkItems(body, ['a'])).toThrow(expect.objectContaining({ retryable: true }));
    }
  });
});
