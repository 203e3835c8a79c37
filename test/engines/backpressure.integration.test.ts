import { mkdtempSync, rmSync } from 'node:fs';
import { testInvocation } from '../support/lambda';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPipeline } from '../../libs/forwarding/pipeline/pipeline';
import { forwardSubscription } from '../../libs/forwarding/sources/subscription';
import { describeEachEngine } from '../peers/engine-env';
import { startEngine, type EngineNode } from '../../tools/peers/engines';
import { EngineClient } from '../support/engine-client';
import { eventId, logsData, subscriptionEvent } from '../support/subscription';
import { quiet } from '../support/logging';

/**
 * A node of its own per engine, started with a write queue of one slot: concurrent invocations
 * meet the engine's real per-item 429 (es_rejected_execution_exception). Then the node is
 * stopped in the middle of an invocation and started again on the same data.
 */
/** An invocation whose remaining time runs down with the wall clock, as Lambda's does (a real node answers). */
const invocation = (timeoutMs: number, reserveMs = 3000) =>
  testInvocation({ remainingMs: timeoutMs, reserveMs, awsRequestId: 'backpressure', clock: Date.now });

function payload(first: number, count: number, logStream: string) {
  return subscriptionEvent(
    logsData(
      Array.from({ length: count }, (_, i) => ({
        id: eventId(first + i),
        message: `{"level":"info","n":${first + i},"text":"${'word '.repeat(40)}"}`,
      })),
      { logStream },
    ),
  );
}

describeEachEngine('a real node under pressure', (kind) => {
  let node: EngineNode;
  let engine: EngineClient;
  let home: string;

  beforeAll(async () => {
    // Made here, not at collection: a skipped suite must leave no directory behind.
    home = mkdtempSync(join(tmpdir(), `logpipe-${kind}-pressure-`));
    node = await startEngine(kind, {
      home,
      heap: '384m',
      settings: { 'thread_pool.write.size': '1', 'thread_pool.write.queue_size': '1' },
    });
    await node.ready();
    engine = new EngineClient(node.url);
  }, 330_000);
  afterAll(async () => {
    await node?.stop({ removeHome: true });
    if (home !== undefined) rmSync(home, { recursive: true, force: true });
  });

  it('answers per-item 429s to concurrent invocations; after the retries every event is there once', async () => {
    const env = {
      DESTINATION_URL: node.url,
      INDEX_PREFIX: 'pressure',
      BATCH_MAX_DOCS: '20',
      DESTINATION_CONCURRENCY: '8',
      RETRY_BASE_DELAY_MS: '20',
      RETRY_MAX_DELAY_MS: '500',
      RETRY_MAX_ATTEMPTS: '50',
    };
    const forwarder = createPipeline(env);
    const reports = await Promise.all(
      [0, 1, 2, 3].map((n) =>
        forwardSubscription(forwarder, payload(n * 1000, 1000, `stream-${n}`), invocation(120_000), quiet),
      ),
    );
    const retried = reports.reduce((sum, report) => sum + (report?.retried ?? 0), 0);
    expect(retried).toBeGreaterThan(0);
    expect(reports.map((report) => report?.delivered)).toEqual([1000, 1000, 1000, 1000]);
    expect(await engine.count('pressure-*')).toBe(4000);
  });

  it('fails the invocation when the node goes away mid-way; the retry after its restart completes', async () => {
    const env = {
      DESTINATION_URL: node.url,
      INDEX_PREFIX: 'restart',
      BATCH_MAX_DOCS: '20',
      DESTINATION_CONCURRENCY: '1',
      DESTINATION_TIMEOUT_MS: '2000',
      RETRY_BASE_DELAY_MS: '50',
      RETRY_MAX_DELAY_MS: '200',
    };
    const event = payload(10_000, 3000, 'restart');
    const first = createPipeline(env);
    const running = forwardSubscription(first, event, invocation(6000, 1000), quiet);
    // Stop the node once part of the payload is in.
    while ((await engine.count('restart-*').catch(() => 0)) === 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await node.stop();
    await expect(running).rejects.toMatchObject({ name: 'DeliveryError' });

    node = await startEngine(kind, {
      home,
      port: node.port,
      heap: '384m',
      settings: { 'thread_pool.write.size': '1', 'thread_pool.write.queue_size': '1' },
    });
    await node.ready();
    // Lambda's retry is a new invocation of the same payload (a warm container keeps the forwarder).
    const report = await forwardSubscription(first, event, invocation(120_000), quiet);
    expect(report?.duplicates).toBeGreaterThan(0);
    expect(await engine.count('restart-*')).toBe(3000);
  }, 300_000);
});
