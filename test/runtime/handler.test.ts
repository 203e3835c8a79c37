import { Writable } from 'node:stream';
import { StdoutTransport } from '../../libs/forwarding/destinations/stdout';
import type { EncodedDocument, ItemOutcome, Transport } from '../../libs/forwarding/destinations/types';
import { createPipeline } from '../../libs/forwarding/pipeline/pipeline';
import { forwardSubscription } from '../../libs/forwarding/sources/subscription';
import { deadlineAt, invocationDeadline } from '../../libs/runtime/deadline';
import { ConfigError } from '../../libs/runtime/errors';
import { defineHandler, type Middleware } from '../../libs/runtime/handler';
import { Logger } from '../../libs/runtime/logger';
import {
  loadSubscriberConfig,
  reconcileSubscriptions,
  type SubscriptionLogsApi,
} from '../../libs/subscriber';
import { lambdaContext, testInvocation } from '../support/lambda';
import { quiet } from '../support/logging';
import { logsData, subscriptionEvent } from '../support/subscription';

/** A clock the test moves by hand: no deadline test here waits on the wall clock. */
function handClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

function recordingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const log = new Logger({}, 'debug', { write: (line: string) => lines.push(JSON.parse(line)) });
  return { log, lines };
}

describe('defineHandler (libs/runtime/handler.ts)', () => {
  it('binds the function name and the request id to every line of the invocation', async () => {
    const { log, lines } = recordingLogger();
    const handler = defineHandler<string, string>(
      { name: 'forwarder', timeReserveMs: 3000, env: {}, logger: log },
      async (event, invocation) => {
        invocation.log.info('seen', { event });
        return event;
      },
    );
    await handler('a', lambdaContext({ awsRequestId: 'req-a' }));
    await handler('b', lambdaContext({ awsRequestId: 'req-b' }));
    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'seen',
        function: 'forwarder',
        function_request_id: 'req-a',
        event: 'a',
      }),
      expect.objectContaining({
        msg: 'seen',
        function: 'forwarder',
        function_request_id: 'req-b',
        event: 'b',
      }),
    ]);
  });

  it('builds the deadline from the context, less the reserve, on the injected clock', async () => {
    const clock = handClock();
    const seen: number[] = [];
    const handler = defineHandler<void, boolean>(
      { name: 'splitter', timeReserveMs: 3000, env: {}, clock: clock.now },
      async (_event, { deadline }) => {
        seen.push(deadline.remaining());
        clock.advance(6_999);
        seen.push(deadline.remaining());
        clock.advance(1);
        return deadline.expired();
      },
    );
    const expired = await handler(undefined, lambdaContext({ remainingMs: 10_000, clock: clock.now }));
    expect(seen).toEqual([7_000, 1]);
    expect(expired).toBe(true);
  });

  it('reads TIME_RESERVE_MS once, when defined: a stage may change the reserve, a bad value fails the cold start', async () => {
    const env: Record<string, string> = { TIME_RESERVE_MS: '500' };
    const clock = handClock();
    const handler = defineHandler<void, number>(
      { name: 'notifier', timeReserveMs: 1500, env, clock: clock.now },
      async (_event, { deadline }) => deadline.remaining(),
    );
    env.TIME_RESERVE_MS = '9000'; // read at definition only
    expect(handler.timeReserveMs).toBe(500);
    expect(await handler(undefined, lambdaContext({ remainingMs: 2_000, clock: clock.now }))).toBe(1_500);
    const define = (value: string) =>
      defineHandler({ name: 'x', timeReserveMs: 1, env: { TIME_RESERVE_MS: value } }, async () => 0);
    expect(() => define('soon')).toThrow(ConfigError);
    expect(() => define('soon')).toThrow(/TIME_RESERVE_MS: must be an integer/);
    expect(() => define('-1')).toThrow(/TIME_RESERVE_MS: must be >= 0/);
  });

  it('runs its middleware outermost first, each around the body', async () => {
    const order: string[] = [];
    const step =
      (name: string): Middleware<string, string> =>
      (next) =>
      async (event, invocation) => {
        order.push(`${name} before`);
        const result = await next(`${event}+${name}`, invocation);
        order.push(`${name} after`);
        return result;
      };
    const handler = defineHandler<string, string>(
      { name: 'x', timeReserveMs: 0, env: {}, logger: quiet, use: [step('outer'), step('inner')] },
      async (event) => {
        order.push('body');
        return event;
      },
    );
    expect(await handler('e', lambdaContext())).toBe('e+outer+inner');
    expect(order).toEqual(['outer before', 'inner before', 'body', 'inner after', 'outer after']);
  });
});

describe('deadlines driven by the injected clock', () => {
  it('invocationDeadline reads the remaining time once and counts down on its clock', () => {
    const clock = handClock();
    let reads = 0;
    const deadline = invocationDeadline(
      {
        getRemainingTimeInMillis: () => {
          reads++;
          return 5_000;
        },
      },
      1_000,
      clock.now,
    );
    clock.advance(3_999);
    expect([deadline.remaining(), deadline.expired()]).toEqual([1, false]);
    clock.advance(1);
    expect([deadline.remaining(), deadline.expired()]).toEqual([0, true]);
    expect(reads).toBe(1);
  });

  it('forwarder: retries stop at the deadline; each attempt gets only the time left before it', async () => {
    const clock = handClock();
    const inner = new StdoutTransport(new Writable({ write: (_chunk, _enc, done) => done() }));
    const timeouts: number[] = [];
    // Each attempt takes 20 s of the invocation and asks for a retry (a 429).
    const slow: Transport = {
      kind: inner.kind,
      encode: (doc) => inner.encode(doc),
      decode: (text) => inner.decode(text),
      async send(batch: readonly EncodedDocument[], timeoutMs: number): Promise<ItemOutcome[]> {
        timeouts.push(timeoutMs);
        clock.advance(20_000);
        return batch.map(() => ({ kind: 'retry', reason: '429 too many requests' }));
      },
    };
    const pipeline = createPipeline(
      { RETRY_BASE_DELAY_MS: '1', RETRY_MAX_DELAY_MS: '1', RETRY_MAX_ATTEMPTS: '8' },
      { transport: slow },
    );
    const invocation = testInvocation({
      remainingMs: 50_000,
      reserveMs: 3_000,
      clock: clock.now,
      log: quiet,
    });
    const report = await forwardSubscription(
      pipeline,
      subscriptionEvent(logsData([{ message: 'one' }])),
      invocation,
    ).catch((error: { report?: unknown }) => error.report);
    // 47 s of work: attempts at 47 s and 27 s left; at 7 s left a 1 ms back-off plus a second of
    // margin still fits, the third attempt gets the 7 s, then nothing is left.
    expect(timeouts).toEqual([30_000, 27_000, 7_000]);
    expect(invocation.deadline.expired()).toBe(true);
    expect(report).toMatchObject({ received: 1, delivered: 0 });
  });

  it('subscriber: stops looking at groups at the deadline and counts what it left', async () => {
    const clock = handClock();
    const groups = Array.from({ length: 10 }, (_, i) => ({ name: `/app/g${i}`, logGroupClass: 'STANDARD' }));
    const api: SubscriptionLogsApi = {
      describeLogGroups: async () => ({ groups }),
      describeSubscriptionFilters: async () => {
        clock.advance(1_000); // each group's look costs a second
        return [];
      },
      putSubscriptionFilter: async () => undefined,
    };
    const config = loadSubscriberConfig({
      SUBSCRIBE_FORWARDER_PREFIXES: '/app/',
      SUBSCRIBE_FORWARDER_DESTINATION_ARN: 'arn:aws:lambda:ap-northeast-2:123456789012:function:f',
      SUBSCRIBE_FORWARDER_FILTER_NAME: 'f',
    });
    const [summary] = await reconcileSubscriptions(
      api,
      config,
      deadlineAt(clock.now() + 4_000, clock.now),
      quiet,
    );
    expect(summary!.unchecked).toBe(6);
  });
});
