import { CloudWatchLogsClient, DescribeMetricFiltersCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { Logger } from '../../libs/runtime/logger';
import { loadNotifierConfig } from '../../libs/notifier/config';
import { createNotifierRuntime, NotificationFailedError } from '../../libs/notifier/runtime';
import { type QueueMessage, redrive } from '../../tools/redrive/redrive';
import { SlackTransientError } from '../../libs/notifier/slack/client';
import { FakeSlack } from '../support/slack-server';
import { loadEvent } from './fixtures';
import { lambdaContext } from '../support/lambda';

/**
 * The channel as a person reads it, after SNS and Lambda deliver the way they do (again, late,
 * out of order) and Slack answers the way it does (slowly, not at all, 429).
 */
const logs = mockClient(CloudWatchLogsClient);
const logsClient = new CloudWatchLogsClient({ region: 'ap-northeast-2' });
const CHANNEL = 'C0ALARMS';
const GREEN = '#2EB67D';
const RED = '#E01E5A';
const NOTIFIER_ARN = 'arn:aws:lambda:ap-northeast-2:123456789012:function:logpipe-dev-notifier';

const KINDS = [
  { kind: 'single-metric', name: 'logpipe-dev-forwarder-logTypeError' },
  { kind: 'metric-math', name: 'logpipe-dev-error-rate' },
  { kind: 'anomaly', name: 'logpipe-dev-forwarder-duration-anomaly' },
  { kind: 'composite', name: 'logpipe-dev-service-health' },
];

type AlarmJson = Record<string, unknown>;

/** A fixture event, optionally as SNS would deliver it again with another MessageId or alarm. */
function event(name: string, change: { messageId?: string; alarm?: (alarm: AlarmJson) => AlarmJson } = {}) {
  const loaded = loadEvent(name);
  const sns = loaded.Records[0]?.Sns;
  if (sns === undefined) throw new Error(`${name} has no record`);
  if (change.messageId) sns.MessageId = change.messageId;
  if (change.alarm) sns.Message = JSON.stringify(change.alarm(JSON.parse(sns.Message) as AlarmJson));
  return loaded;
}

/** The same alarm under another name (another alarm of a burst). */
function renamed(suffix: string) {
  return (alarm: AlarmJson) => ({
    ...alarm,
    AlarmName: `${String(alarm.AlarmName)}-${suffix}`,
    AlarmArn: `${String(alarm.AlarmArn)}-${suffix}`,
  });
}

const at = (time: string) => (alarm: AlarmJson) => ({ ...alarm, StateChangeTime: time });

const resolvedEpisode = (name: string) => ({
  text: `RESOLVED: ${name}`,
  color: GREEN,
  replies: [expect.stringMatching(new RegExp(`^OK: ${name} — `))],
});

describe('one Slack message per alarm episode (loopback Slack)', () => {
  let slack: FakeSlack;
  let logLines: string[];
  const waits: number[] = [];
  const context = lambdaContext({ awsRequestId: 'req-1', remainingMs: 25_000 });

  function runtime(env: Record<string, string> = {}, deps: { reserveMs?: number; attemptMs?: number } = {}) {
    const config = loadNotifierConfig({
      STAGE: 'dev',
      SLACK_TOKEN_SECRET: 'logpipe/dev/slack',
      SLACK_CHANNEL: CHANNEL,
      SLACK_API_URL: slack.url,
      ...env,
    });
    return createNotifierRuntime(config, {
      fetchSecret: async () => 'xoxb-test-token',
      logsClientFor: async () => logsClient,
      log: new Logger({}, 'debug', { write: (line: string) => logLines.push(line) }),
      reserveMs: deps.reserveMs,
      slackAttemptTimeoutMs: deps.attemptMs,
      // Retry-After is in seconds; the strict limiter of these tests allows a post every 50 ms.
      sleep: (ms) => {
        waits.push(ms);
        return new Promise((resolve) => setTimeout(resolve, ms / 20));
      },
    });
  }

  beforeEach(async () => {
    logLines = [];
    waits.length = 0;
    logs.reset();
    logs.on(DescribeMetricFiltersCommand).resolves({ metricFilters: [] });
    slack = await new FakeSlack().start();
  });
  afterEach(() => slack.stop());

  describe.each(KINDS)('$kind alarm', ({ kind, name }) => {
    it('ALARM, ALARM, OK, OK redelivered by SNS/Lambda: one post, resolved, one reply', async () => {
      const rt = runtime();
      for (const name of ['alarm', 'alarm', 'ok', 'ok']) await rt.handle(event(`${kind}-${name}`), context);
      expect(slack.view(CHANNEL)).toEqual([resolvedEpisode(name)]);
    });

    it('the same state changes published again under new MessageIds change nothing', async () => {
      const rt = runtime();
      await rt.handle(event(`${kind}-alarm`), context);
      await rt.handle(event(`${kind}-ok`), context);
      const again = await rt.handle(event(`${kind}-alarm`, { messageId: 'republished-1' }), context);
      await rt.handle(event(`${kind}-ok`, { messageId: 'republished-2' }), context);
      expect(again.outcomes[0]?.action).toBe('duplicate');
      expect(slack.view(CHANNEL)).toEqual([resolvedEpisode(name)]);
    });

    it('OK before its ALARM ends as the two in order would', async () => {
      const rt = runtime();
      const early = await rt.handle(event(`${kind}-ok`), context);
      expect(early.outcomes[0]?.action).toBe('posted');
      const late = await rt.handle(event(`${kind}-alarm`), context);
      expect(late.outcomes[0]?.action).toBe('merged');
      await rt.handle(event(`${kind}-ok`), context);
      await rt.handle(event(`${kind}-alarm`), context);
      expect(slack.view(CHANNEL)).toEqual([resolvedEpisode(name)]);
      const post = slack.messages[0];
      expect(post?.metadata?.event_payload).toMatchObject({ state: 'OK', time: expect.any(String) });
      expect(JSON.stringify(post?.blocks)).toContain(`RESOLVED: ${name}`);
    });
  });

  describe('deliveries handled at the same moment', () => {
    it.each(KINDS)('$kind: ALARM twice at once, then OK twice at once', async ({ kind, name }) => {
      const rt = runtime();
      await Promise.all([
        rt.handle(event(`${kind}-alarm`), context),
        rt.handle(event(`${kind}-alarm`), context),
      ]);
      await Promise.all([rt.handle(event(`${kind}-ok`), context), rt.handle(event(`${kind}-ok`), context)]);
      expect(slack.view(CHANNEL)).toEqual([resolvedEpisode(name)]);
    });

    it.each([1, 2, 3, 4, 5])('ALARM and its OK at once, twice each (round %i)', async () => {
      const rt = runtime();
      await Promise.all(
        ['ok', 'alarm', 'alarm', 'ok'].map((state) => rt.handle(event(`single-metric-${state}`), context)),
      );
      expect(slack.view(CHANNEL)).toEqual([resolvedEpisode('logpipe-dev-forwarder-logTypeError')]);
    });
  });

  it('a late OK resolves the ALARM it ends, not the newest one', async () => {
    const rt = runtime();
    await rt.handle(event('single-metric-alarm'), context);
    const second = { messageId: 'second-alarm', alarm: at('2026-11-21T10:30:00.000+0000') };
    await rt.handle(event('single-metric-alarm', second), context);
    await rt.handle(event('single-metric-ok'), context); // 10:21, between the two
    const name = 'logpipe-dev-forwarder-logTypeError';
    expect(slack.view(CHANNEL)).toEqual([
      resolvedEpisode(name),
      { text: expect.stringMatching(new RegExp(`^ALARM: ${name}`)), color: RED, replies: [] },
    ]);
  });

  it('plain text and INSUFFICIENT_DATA posts are made once however often they come', async () => {
    const rt = runtime({ POST_INSUFFICIENT_DATA: 'true' });
    for (let i = 0; i < 2; i += 1) {
      await rt.handle(event('plain-text'), context);
      await rt.handle(event('single-metric-insufficient-data'), context);
    }
    expect(slack.view(CHANNEL).map((m) => m.text.split(':')[0])).toEqual([
      'Deploy notice',
      'INSUFFICIENT DATA',
    ]);
  });

  describe('an ALARM that ends in INSUFFICIENT_DATA (the metric stopped reporting)', () => {
    const noData = {
      messageId: 'no-data-after-alarm',
      alarm: (alarm: AlarmJson) => ({
        ...alarm,
        OldStateValue: 'ALARM',
        NewStateValue: 'INSUFFICIENT_DATA',
        StateChangeTime: '2026-11-21T10:40:00.000+0000',
      }),
    };
    const name = 'logpipe-dev-forwarder-logTypeError';

    it.each(['false', 'true'])(
      'closes the ALARM post with a reply, once (POST_INSUFFICIENT_DATA=%s)',
      async (post) => {
        const rt = runtime({ POST_INSUFFICIENT_DATA: post });
        await rt.handle(event('single-metric-alarm'), context);
        for (let i = 0; i < 2; i += 1)
          await rt.handle(event('single-metric-insufficient-data', noData), context);
        expect(slack.view(CHANNEL)).toEqual([
          {
            text: `ENDED, NO DATA: ${name}`,
            color: '#ECB22E',
            replies: [expect.stringMatching(new RegExp(`^INSUFFICIENT DATA: ${name}`))],
          },
        ]);
        expect(slack.messages[0]?.metadata?.event_payload).toMatchObject({
          state: 'INSUFFICIENT_DATA',
          resolved_at: '2026-11-21T10:40:00.000Z',
        });
      },
    );

    it('with no ALARM post to close and INSUFFICIENT_DATA not posted, posts nothing', async () => {
      const rt = runtime();
      const result = await rt.handle(event('single-metric-insufficient-data', noData), context);
      expect(result.outcomes[0]?.action).toBe('skipped');
      expect(slack.view(CHANNEL)).toEqual([]);
    });

    it('an INSUFFICIENT_DATA that ends no ALARM stays noise', async () => {
      const rt = runtime();
      await rt.handle(event('single-metric-alarm'), context);
      await rt.handle(event('single-metric-insufficient-data'), context); // OK -> INSUFFICIENT_DATA
      expect(slack.view(CHANNEL)).toEqual([
        { text: expect.stringMatching(new RegExp(`^ALARM: ${name}`)), color: RED, replies: [] },
      ]);
    });
  });

  describe('lost answers', () => {
    it('a dropped connection after Slack stored the ALARM: found, not posted again', async () => {
      slack.fail('chat.postMessage', { kind: 'drop-after-store' });
      const result = await runtime().handle(event('single-metric-alarm'), context);
      expect(result.outcomes[0]).toMatchObject({ action: 'posted', ts: slack.messages[0]?.ts });
      expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
      expect(slack.messages).toHaveLength(1);
    });

    it('a dropped connection after Slack stored the reply: one reply', async () => {
      const rt = runtime();
      await rt.handle(event('single-metric-alarm'), context);
      slack.fail('chat.postMessage', { kind: 'drop-after-store' });
      await rt.handle(event('single-metric-ok'), context);
      expect(slack.view(CHANNEL)).toEqual([resolvedEpisode('logpipe-dev-forwarder-logTypeError')]);
    });

    it('a 503 that stored nothing: looked for, then posted once', async () => {
      slack.fail('chat.postMessage', { kind: 'http', status: 503 });
      await runtime().handle(event('composite-alarm'), context);
      expect(slack.callsOf('chat.postMessage')).toHaveLength(2);
      expect(slack.messages).toHaveLength(1);
    });

    it('a lost chat.update is sent again (the same content twice is harmless)', async () => {
      const rt = runtime();
      await rt.handle(event('anomaly-alarm'), context);
      slack.fail('chat.update', { kind: 'drop-after-store' });
      await rt.handle(event('anomaly-ok'), context);
      expect(slack.view(CHANNEL)).toEqual([resolvedEpisode('logpipe-dev-forwarder-duration-anomaly')]);
    });

    it('an invocation that failed after the reply, before the update: its retry only updates', async () => {
      const rt = runtime();
      await rt.handle(event('metric-math-alarm'), context);
      slack.fail('chat.update', { kind: 'http', status: 500 }, 3);
      await expect(rt.handle(event('metric-math-ok'), context)).rejects.toBeInstanceOf(
        NotificationFailedError,
      );
      expect(slack.view(CHANNEL)[0]?.color).toBe(RED);
      await rt.handle(event('metric-math-ok'), context); // Lambda's retry
      expect(slack.view(CHANNEL)).toEqual([resolvedEpisode('logpipe-dev-error-rate')]);
    });
  });

  describe('slow answers and the deadline', () => {
    it('Slack slower than the time left: the invocation fails on its own, its retry posts nothing twice', async () => {
      // Slack stores the post at once and answers after 10 s; history is as slow.
      slack.fail('chat.postMessage', { kind: 'slow', ms: 10_000 });
      slack.fail('conversations.history', { kind: 'slow', ms: 10_000 }, 5);
      const shortContext = lambdaContext({ awsRequestId: 'req-2', remainingMs: 1_500, clock: Date.now });
      const rt = runtime({}, { reserveMs: 300 });
      const error = await rt.handle(event('single-metric-alarm'), shortContext).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotificationFailedError);
      expect((error as Error).cause).toBeInstanceOf(SlackTransientError);
      expect(slack.callsOf('chat.postMessage')).toHaveLength(0); // history came first and timed out
      expect(logLines.join('\n')).toContain('"msg":"notification failed"');

      slack.clearFaults();
      slack.fail('chat.postMessage', { kind: 'slow', ms: 10_000 });
      const retryContext = lambdaContext({ awsRequestId: 'req-3', remainingMs: 4_000, clock: Date.now });
      // Lambda's first retry: history is fast now, the post is stored but its answer is too slow.
      // The post gets half the time left; the other half finds it (or, on a starved machine, the
      // invocation fails cleanly again and the next delivery finds it).
      const retried = await rt.handle(event('single-metric-alarm'), retryContext).catch((e: unknown) => e);
      if (retried instanceof Error) expect(retried).toBeInstanceOf(NotificationFailedError);
      else expect(retried).toEqual({ outcomes: [expect.objectContaining({ action: 'posted' })] });
      await rt.handle(event('single-metric-alarm'), context); // and a redelivery
      expect(slack.messages).toHaveLength(1);
    });
  });

  it('a token read that hangs ends the invocation in time, as a failure to retry', async () => {
    const config = loadNotifierConfig({ SLACK_TOKEN_SECRET: 'logpipe/dev/slack', SLACK_CHANNEL: CHANNEL });
    let reads = 0;
    const rt = createNotifierRuntime(config, {
      fetchSecret: () => {
        reads += 1;
        return new Promise<string>(() => undefined); // Secrets Manager never answers
      },
      log: new Logger({}, 'debug', { write: (line: string) => logLines.push(line) }),
      reserveMs: 300,
    });
    const error = await rt
      .handle(event('single-metric-alarm'), lambdaContext({ remainingMs: 500, clock: Date.now }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotificationFailedError);
    expect((error as Error).message).toContain('OutOfTimeError: reading the Slack token did not finish');
    await rt
      .handle(event('single-metric-alarm'), lambdaContext({ remainingMs: 500, clock: Date.now }))
      .catch(() => undefined);
    expect(reads).toBe(2); // the next invocation reads again instead of waiting on the hung read
  });

  describe('busy channels', () => {
    it('an OK finds its ALARM behind more than 200 newer messages, following the cursor', async () => {
      const rt = runtime();
      await rt.handle(event('single-metric-alarm'), context);
      for (let i = 0; i < 250; i += 1) slack.seed({ channel: CHANNEL, text: `chatter ${i}` });
      const before = slack.callsOf('conversations.history').length;
      await rt.handle(event('single-metric-ok'), context);
      const okReads = slack.callsOf('conversations.history').slice(before);
      await rt.handle(event('single-metric-alarm'), context); // a redelivery, as far back
      const view = slack.view(CHANNEL);
      expect(view[0]).toEqual(resolvedEpisode('logpipe-dev-forwarder-logTypeError'));
      expect(view).toHaveLength(251);
      expect(okReads.map((call) => call.args.cursor === undefined)).toEqual([true, false]);
    });

    it('history is read no further than HISTORY_PAGES_MAX pages', async () => {
      const rt = runtime({ HISTORY_PAGES_MAX: '1' });
      await rt.handle(event('single-metric-alarm'), context);
      for (let i = 0; i < 250; i += 1) slack.seed({ channel: CHANNEL, text: `chatter ${i}` });
      const before = slack.callsOf('conversations.history').length;
      const result = await rt.handle(event('single-metric-ok'), context);
      expect(result.outcomes[0]?.action).toBe('posted');
      // One page to look, one to check for a twin after posting.
      expect(slack.callsOf('conversations.history').length - before).toBe(2);
      expect(logLines.join('\n')).toContain('history page cap reached');
    });
  });

  describe('rate limits', () => {
    it('waits for Retry-After on history and posts', async () => {
      slack.fail('conversations.history', { kind: 'ratelimited', retryAfter: 1 });
      slack.fail('chat.postMessage', { kind: 'ratelimited', retryAfter: 2 });
      await runtime().handle(event('single-metric-alarm'), context);
      expect(waits).toEqual([expect.any(Number), expect.any(Number)]);
      // Each wait is Retry-After plus a random share of it.
      expect(waits[0]).toBeGreaterThanOrEqual(1000);
      expect(waits[0]).toBeLessThanOrEqual(2000);
      expect(waits[1]).toBeGreaterThanOrEqual(2000);
      expect(waits[1]).toBeLessThanOrEqual(4000);
      expect(slack.messages).toHaveLength(1);
    });

    it('a burst under a strict post limit: what fails is redriven from the failure queue, each alarm posted once', async () => {
      slack.limitPosts(20);
      const rt = runtime();
      const burst = Array.from({ length: 12 }, (_, i) =>
        event('single-metric-alarm', { messageId: `burst-${i}`, alarm: renamed(String(i)) }),
      );
      // What Lambda puts in the on-failure queue once an event's retries are exhausted.
      const queue: QueueMessage[] = [];
      const invoke = async (payload: unknown) => {
        await rt.handle(payload, context).catch((error: Error) => {
          const record = {
            requestContext: { functionArn: `${NOTIFIER_ARN}:$LATEST`, condition: 'RetriesExhausted' },
            requestPayload: payload,
            responsePayload: { errorType: error.name, errorMessage: error.message },
          };
          const id = `m${queue.length}`;
          queue.push({ messageId: id, receiptHandle: id, body: JSON.stringify(record) });
        });
      };
      await Promise.all(burst.map(invoke));
      const failedFirst = queue.length;
      // tools/redrive.ts: every queued event is invoked again, deleted once Lambda took it.
      for (let round = 0; round < 5 && queue.length > 0; round += 1) {
        const summary = await redrive({
          queue: {
            receive: async (max) => queue.splice(0, max),
            delete: async () => undefined,
          },
          lambda: { invokeAsync: async (_name, payload) => invoke(JSON.parse(payload)) },
          functionName: 'logpipe-dev-notifier',
          dryRun: false,
          max: 100,
          visibilityTimeoutSeconds: 300,
        });
        expect(summary.skipped).toBe(0);
      }
      expect(queue).toEqual([]);
      // Redriving an event that did succeed (an operator replaying too much) posts nothing either.
      await invoke(burst[0]);
      const names = slack.view(CHANNEL).map((m) => m.text.split(' — ')[0]);
      expect(names).toHaveLength(12);
      expect(new Set(names).size).toBe(12);
      expect(failedFirst).toBeLessThan(12);
    });
  });
});
