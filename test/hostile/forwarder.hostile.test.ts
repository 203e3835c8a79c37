import fc from 'fast-check';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { DeliveryError, type Transport } from '../../libs/forwarding/destinations';
import { ElasticsearchTransport } from '../../libs/forwarding/destinations/elasticsearch';
import { HttpClient } from '../../libs/forwarding/destinations/http';
import { noAuth } from '../../libs/forwarding/destinations/auth';
import { MAX_TIME_MS } from '../../libs/forwarding/decoding/timestamp';
import { createPipeline } from '../../libs/forwarding/pipeline/pipeline';
import { forwardSubscription } from '../../libs/forwarding/sources/subscription';
import { BulkServer } from '../support/bulk-server';
import { eventId, logsData, subscriptionEvent } from '../support/subscription';
import {
  BAD_TIMES,
  deepObject,
  DEPTHS,
  mixedPayload,
  TricklingServer,
  type PlannedEvent,
} from './generators';
import { freshPrefix, recordingLogger, s3DeadLetters, usePeers } from './support';
import { testInvocation } from '../support/lambda';

const context = testInvocation({ remainingMs: 60000, awsRequestId: 'hostile' });
const peers = usePeers();
const s3 = peers.s3;
let seed = 1000000000;

/** One subscription payload of planned events (ids unique across the whole file). */
function payload(planned: PlannedEvent[]) {
  seed++;
  const ids = planned.map((_, i) => eventId(i, seed));
  const data = logsData(planned.map((p, i) => ({ ...p.event, id: ids[i] }) as never));
  return { ids, event: subscriptionEvent(data) };
}

function forwarder(prefix: string, env: Record<string, string> = {}, transport?: Transport) {
  const letters = s3DeadLetters(s3, prefix);
  const metrics: string[] = [];
  const built = createPipeline(
    { DESTINATION_URL: peers.server.url, AWS_REGION: 'ap-northeast-2', BATCH_MAX_DOCS: '3', ...env },
    { deadLetters: letters.sink, metrics: { write: (line: string) => metrics.push(line) }, transport },
  );
  return { forwarder: built, letters, metrics };
}

describe('a subscription payload mixing good and poison events', () => {
  it('indexes every good event once, dead-letters every poison event raw with its reason, and says so', async () => {
    await fc.assert(
      fc.asyncProperty(mixedPayload, async (planned) => {
        const { forwarder: f, letters, metrics } = forwarder(freshPrefix('property'));
        const { ids, event } = payload(planned);
        const logs = recordingLogger();
        const report = await forwardSubscription(f, event, context, logs.log);
        const good = planned.filter((p) => p.kind === 'good').length;
        const poison = planned.length - good;
        expect(report).toMatchObject({ received: planned.length, delivered: good, rejected: poison });
        expect(report).toMatchObject({ dead_lettered: poison, failed: 0 });
        const dead = await letters.entries();
        expect(dead).toHaveLength(poison);
        planned.forEach((p, i) => {
          const id = ids[i]!;
          if (p.kind === 'good') {
            expect(peers.server.creations.get(id)).toBe(1);
            const source = peers.server.documents.get(id)!.source as { message: unknown; json?: unknown };
            expect(source.message).toBe(p.event.message);
            if (p.deep) expect(source.json).toBeUndefined(); // kept as text
          } else {
            expect(peers.server.documents.has(id)).toBe(false);
            const letter = dead.find((d) => (d.event as { id?: string }).id === id)!;
            expect(letter.reason).toMatch(p.reason!);
            expect(letter.event).toEqual({ ...p.event, id }); // raw, as received
          }
        });
        // The outcome says so: the log line and the metrics carry the counts.
        expect(logs.lines.find((l) => l.msg === 'forwarded')).toMatchObject({
          rejected: poison,
          delivered: good,
        });
        expect(JSON.parse(metrics[0]!)).toMatchObject({ Rejected: poison, Delivered: good });
      }),
      { numRuns: 25 },
    );
  });
});

describe('hostile events, one class at a time', () => {
  it.each(DEPTHS)('JSON nested %i levels deep is indexed as text, the payload goes on', async (depth) => {
    const { forwarder: f } = forwarder(freshPrefix('deep'));
    const message = deepObject(depth);
    const { ids, event } = payload([
      { kind: 'good', event: { timestamp: 1732122743505, message } },
      { kind: 'good', event: { timestamp: 1732122743506, message: '{"ok":true}' } },
    ]);
    const report = await forwardSubscription(f, event, context, recordingLogger().log);
    expect(report).toMatchObject({ delivered: 2, rejected: 0, failed: 0 });
    const deep = peers.server.documents.get(ids[0]!)!.source as { message: string; json?: unknown };
    expect(deep.message).toBe(message);
    // Up to the kept depth the fields stay (the engine's flattened depth_limit is 50).
    expect(deep.json === undefined).toBe(depth > 50);
  });

  it.each(BAD_TIMES)('a timestamp of %d is dead-lettered, the others delivered', async (timestamp) => {
    const prefix = freshPrefix('time');
    const { forwarder: f, letters } = forwarder(prefix);
    const { ids, event } = payload([
      { kind: 'good', event: { timestamp: 1732122743505, message: 'before' } },
      { kind: 'poison', event: { timestamp, message: 'from the far future' } },
      { kind: 'good', event: { timestamp: 1732122743507, message: 'after' } },
    ]);
    const report = await forwardSubscription(f, event, context, recordingLogger().log);
    expect(report).toMatchObject({ delivered: 2, rejected: 1, dead_lettered: 1, failed: 0 });
    expect(peers.server.documents.has(ids[0]!) && peers.server.documents.has(ids[2]!)).toBe(true);
    const [letter] = await letters.entries();
    expect(letter!.reason).toMatch(/outside years 0000-9999/);
  });

  it('a time inside years 0000-9999 in UTC but in year 10000 in the index time zone is dead-lettered by the guard', async () => {
    const { forwarder: f, letters } = forwarder(freshPrefix('zone'), { INDEX_TIMEZONE: 'Asia/Seoul' });
    const { event } = payload([
      { kind: 'good', event: { timestamp: 1732122743505, message: 'ok' } },
      { kind: 'poison', event: { timestamp: MAX_TIME_MS - 3600_000, message: 'new year 10000 in Seoul' } },
    ]);
    const report = await forwardSubscription(f, event, context, recordingLogger().log);
    expect(report).toMatchObject({ delivered: 1, rejected: 1, failed: 0 });
    expect((await letters.entries())[0]!.reason).toMatch(
      /^document: TimeRangeError: time \d+ is outside years/,
    );
  });

  it('any exception while serializing one event dead-letters that event and no other', async () => {
    const inner = new ElasticsearchTransport(new URL(peers.server.url), new HttpClient(2), noAuth, true);
    const failing: Transport = {
      kind: inner.kind,
      encode: (doc) => {
        if (doc._source.message === 'boom') throw new RangeError('Maximum call stack size exceeded');
        return inner.encode(doc);
      },
      decode: (text) => inner.decode(text),
      send: (batch, timeoutMs) => inner.send(batch, timeoutMs),
    };
    const { forwarder: f, letters } = forwarder(freshPrefix('encode'), {}, failing);
    const { ids, event } = payload(
      ['a', 'boom', 'b', 'c', 'd'].map((message, i) => ({
        kind: 'good' as const,
        event: { timestamp: 1732122743505 + i, message },
      })),
    );
    const report = await forwardSubscription(f, event, context, recordingLogger().log);
    expect(report).toMatchObject({ received: 5, delivered: 4, rejected: 1, failed: 0 });
    const [letter] = await letters.entries();
    expect(letter).toMatchObject({ reason: 'document: RangeError: Maximum call stack size exceeded' });
    expect((letter!.event as { id: string }).id).toBe(ids[1]);
  });

  it('an id repeated with another message is dead-lettered; repeated with the same message it is a duplicate', async () => {
    const { forwarder: f, letters } = forwarder(freshPrefix('ids'));
    seed++;
    const id = eventId(0, seed);
    const data = logsData([
      { id, message: 'first' },
      { id, message: 'second, from a broken producer' },
      { id, message: 'first' },
    ]);
    const report = await forwardSubscription(f, subscriptionEvent(data), context, recordingLogger().log);
    expect(report).toMatchObject({ delivered: 1, duplicates: 1, rejected: 1, failed: 0 });
    const [letter] = await letters.entries();
    expect(letter!.reason).toContain('repeats an earlier event with a different message');
    expect((letter!.event as { message: string }).message).toBe('second, from a broken producer');
  });

  it('ids out of order are all delivered; a repeat with another message is still caught after them', async () => {
    const { forwarder: f, letters } = forwarder(freshPrefix('order'));
    seed++;
    const id = (n: number) => eventId(n, seed);
    const data = logsData([
      { id: id(5), message: 'five' },
      { id: id(2), message: 'two' },
      { id: id(9), message: 'nine' },
      { id: id(2), message: 'two, again but different' },
    ]);
    const report = await forwardSubscription(f, subscriptionEvent(data), context, recordingLogger().log);
    expect(report).toMatchObject({ delivered: 3, rejected: 1, failed: 0 });
    expect((await letters.entries())[0]!.event).toMatchObject({
      id: id(2),
      message: 'two, again but different',
    });
  });

  it('JSON_FIELDS_AT_ROOT never copies _id, _index or other metadata keys into the document root', async () => {
    const { forwarder: f } = forwarder(freshPrefix('meta'), { JSON_FIELDS_AT_ROOT: 'true' });
    const line = '{"_id":"evil","_index":"other","_source":{},"_routing":"x","user":"kim","level":"info"}';
    const { ids, event } = payload([{ kind: 'good', event: { timestamp: 1732122743505, message: line } }]);
    await forwardSubscription(f, event, context, recordingLogger().log);
    const stored = peers.server.documents.get(ids[0]!)!;
    expect(stored.index).toBe('cwl-2024.11.20');
    expect(Object.keys(stored.source).filter((k) => k.startsWith('_'))).toEqual([]);
    expect(stored.source).toMatchObject({ user: 'kim', json: { _id: 'evil', _index: 'other' } });
  });
});

describe('hostile destinations', () => {
  it('a trickling answer is cut at the invocation deadline: the invocation fails on our terms', async () => {
    const trickle = await new TricklingServer(50).start();
    try {
      const metrics: string[] = [];
      const f = createPipeline(
        { DESTINATION_URL: trickle.url, RETRY_MAX_ATTEMPTS: '2' },
        { metrics: { write: (line: string) => metrics.push(line) } },
      );
      const logs = recordingLogger();
      const { event } = payload([{ kind: 'good', event: { timestamp: 1732122743505, message: 'x' } }]);
      const error = await forwardSubscription(
        f,
        event,
        testInvocation({ remainingMs: 3000, reserveMs: 1000, awsRequestId: 'trickle', clock: Date.now }),
        logs.log,
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeliveryError);
      expect((error as DeliveryError).report).toMatchObject({ received: 1, delivered: 0, failed: 1 });
      expect(logs.text()).toContain('did not answer in full within');
      expect(logs.lines.some((l) => l.msg === 'forwarding failed')).toBe(true);
      expect(JSON.parse(metrics[0]!)).toMatchObject({ Failed: 1 });
      // The connection was cut by us (the server sees it close; jest's timeout bounds the wait).
      while (trickle.closedByClient === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      await trickle.stop();
    }
  });

  it.each([
    ['every time', () => 1],
    ['on the first request only', (n: number) => (n === 1 ? 2 : undefined)],
    ['all of them: "errors": false and no items', () => 10],
  ])('a _bulk answer with fewer items than sent (%s) is never counted as delivered', async (_when, drop) => {
    const short = await new BulkServer({ dropTrailingItems: drop }).start();
    try {
      const f = createPipeline({
        DESTINATION_URL: short.url,
        RETRY_BASE_DELAY_MS: '1',
        RETRY_MAX_DELAY_MS: '2',
        RETRY_MAX_ATTEMPTS: '3',
      });
      const { event } = payload(
        Array.from({ length: 10 }, (_, i) => ({
          kind: 'good' as const,
          event: { timestamp: 1732122743505 + i, message: `line ${i}` },
        })),
      );
      const outcome = await forwardSubscription(f, event, context, recordingLogger().log).catch(
        (e: unknown) => (e as DeliveryError).report,
      );
      // Whatever the gateway did, nothing is counted delivered that is not stored.
      expect(outcome!.delivered + outcome!.duplicates).toBeLessThanOrEqual(short.documents.size);
      expect(outcome!.delivered + outcome!.duplicates + outcome!.failed).toBe(10);
      if (short.documents.size < 10) expect(outcome!.failed).toBeGreaterThan(0);
    } finally {
      await short.stop();
    }
  });

  it.each([
    ['an empty body', ''],
    ['"errors": false and nothing else', '{"errors":false}'],
    ['not JSON', '<html>ok</html>'],
    ['items that are not objects', '{"errors":false,"items":[1,2,3,4,5,6,7,8,9,10]}'],
  ])('a 200 answer with %s counts nothing as delivered', async (_name, body) => {
    const lying = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
    });
    await new Promise<void>((resolve) => lying.listen(0, '127.0.0.1', resolve));
    try {
      const f = createPipeline({
        DESTINATION_URL: `http://127.0.0.1:${(lying.address() as AddressInfo).port}`,
        RETRY_BASE_DELAY_MS: '1',
        RETRY_MAX_DELAY_MS: '2',
        RETRY_MAX_ATTEMPTS: '2',
      });
      const { event } = payload(
        Array.from({ length: 10 }, (_, i) => ({
          kind: 'good' as const,
          event: { timestamp: 1732122743505 + i, message: `line ${i}` },
        })),
      );
      const error = (await forwardSubscription(f, event, context, recordingLogger().log).catch(
        (e: unknown) => e,
      )) as DeliveryError;
      expect(error).toBeInstanceOf(DeliveryError);
      expect(error.report).toMatchObject({ delivered: 0, failed: 10 });
    } finally {
      lying.closeAllConnections();
      await new Promise<void>((resolve) => lying.close(() => resolve()));
    }
  });

  it('a proxy answering 413 to everything fails the invocation loudly after few requests, dead-letters nothing', async () => {
    const refusing = await new BulkServer({ requestFault: () => 413 }).start();
    const { letters } = forwarder(freshPrefix('413'));
    try {
      const f = createPipeline(
        { DESTINATION_URL: refusing.url, BATCH_MAX_DOCS: '16', DESTINATION_CONCURRENCY: '1' },
        { deadLetters: letters.sink },
      );
      const logs = recordingLogger();
      const { event } = payload(
        Array.from({ length: 32 }, (_, i) => ({
          kind: 'good' as const,
          event: { timestamp: 1732122743505 + i, message: `line ${i}` },
        })),
      );
      const error = (await forwardSubscription(f, event, context, logs.log).catch(
        (e: unknown) => e,
      )) as DeliveryError;
      expect(error).toBeInstanceOf(DeliveryError);
      expect(error.report).toMatchObject({ failed: 32, dead_lettered: 0, delivered: 0 });
      expect(error.message).toContain('refuses even a request of one document');
      expect(logs.lines.some((l) => l.msg === 'destination refuses a request of one document')).toBe(true);
      expect(refusing.requestsReceived).toBeLessThan(2 * 32 - 1);
      // 16, 8, 4, 2, 1 documents, then nothing more is sent.
      expect(refusing.requests.map((r) => r.items)).toEqual([16, 8, 4, 2, 1]);
      expect(await letters.entries()).toEqual([]);
    } finally {
      await refusing.stop();
    }
  });

  it('stdout, the default destination, goes on after a poison event too', async () => {
    let out = '';
    const sink = new Writable({ write: (chunk, _e, done) => ((out += String(chunk)), done()) });
    const { StdoutTransport } = await import('../../libs/forwarding/destinations/stdout');
    const f = createPipeline(
      {},
      { transport: new StdoutTransport(sink), deadLetters: { put: async () => 'memory' } },
    );
    const { event } = payload([
      { kind: 'poison', event: { timestamp: 1e16, message: 'x' } },
      { kind: 'good', event: { timestamp: 1732122743505, message: 'y' } },
    ]);
    const report = await forwardSubscription(f, event, context, recordingLogger().log);
    expect(report).toMatchObject({ delivered: 1, rejected: 1 });
    expect(out.trim().split('\n')).toHaveLength(1);
  });
});
