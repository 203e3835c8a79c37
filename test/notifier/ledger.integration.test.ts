import { CloudWatchLogsClient, DescribeMetricFiltersCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '../../libs/runtime/logger';
import { loadNotifierConfig } from '../../libs/notifier/config';
import { planOf, type LedgerChange } from '../../libs/notifier/ledger-plan';
import { createNotifierRuntime } from '../../libs/notifier/runtime';
import { alarmEvent, createLedgerTable } from '../support/alarm-ledger';
import { useMoto } from '../support/moto';
import { FakeSlack } from '../support/slack-server';
import { lambdaContext } from '../support/lambda';

/**
 * The alarm ledger on moto's DynamoDB, with the loopback Slack: calls per episode, repeats,
 * concurrent deliveries and out-of-order flapping, as the channel reads afterwards.
 */
const moto = useMoto();
const logs = mockClient(CloudWatchLogsClient);
const logsClient = new CloudWatchLogsClient({ region: 'ap-northeast-2' });
const CHANNEL = 'C0LEDGER';
const GREEN = '#2EB67D';
const context = lambdaContext({ awsRequestId: 'req-1', remainingMs: 25_000 });
let table = 0;
let dynamo: DynamoDBClient;
let slack: FakeSlack;
let tableName = '';

type State = 'ALARM' | 'OK';
const change = (name: string, state: State, minute: number, messageId = `${name}-${state}-${minute}`) =>
  alarmEvent({
    name,
    state,
    oldState: state === 'ALARM' ? 'OK' : 'ALARM',
    time: new Date(Date.UTC(2026, 11, 6, 4, minute)).toISOString(),
    messageId,
  });

function runtime() {
  const config = loadNotifierConfig({
    STAGE: 'dev',
    SLACK_TOKEN_SECRET: 'logpipe/dev/slack',
    SLACK_CHANNEL: CHANNEL,
    SLACK_API_URL: slack.url,
    ALARM_LEDGER_TABLE: tableName,
    LOG_LINES_MAX: '0',
  });
  return createNotifierRuntime(config, {
    fetchSecret: async () => 'xoxb-test-token',
    logsClientFor: async () => logsClient,
    ledgerClient: dynamo,
    log: new Logger({}, 'error', { write: () => undefined }),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms / 20)),
  });
}

const calls = () =>
  Object.fromEntries(
    ['chat.postMessage', 'chat.update', 'chat.delete', 'conversations.history', 'conversations.replies'].map(
      (m) => [m, slack.callsOf(m).length],
    ),
  );

beforeEach(async () => {
  logs.reset();
  logs.on(DescribeMetricFiltersCommand).resolves({ metricFilters: [] });
  // Slack's clock runs after the state changes, as it does: a post is newer than its change.
  slack = await new FakeSlack('xoxb-test-token', Date.UTC(2026, 11, 6, 5, 0) / 1000).start();
  table += 1;
  tableName = `alarm-ledger-${table}`;
  dynamo = await createLedgerTable(moto.clientConfig, tableName);
});
afterEach(() => slack.stop());

const resolved = (name: string, replies = 1) => ({
  text: `RESOLVED: ${name}`,
  color: GREEN,
  replies: Array.from({ length: replies }, () => expect.stringMatching(new RegExp(`^OK: ${name}`))),
});

describe('the plan (pure)', () => {
  const c = (state: string, minute: number, oldState?: string): LedgerChange => ({
    time: new Date(Date.UTC(2026, 11, 6, 4, minute)).toISOString(),
    state,
    ...(oldState ? { oldState } : {}),
  });
  it('pairs each OK with the ALARM right before it, whatever order they came in', () => {
    const roles = planOf([c('OK', 4), c('ALARM', 1), c('ALARM', 3), c('OK', 2)]);
    expect(
      [...roles.entries()].map(([t, r]) => [
        t.slice(14, 16),
        r.kind === 'reply' ? `reply:${r.parent.time.slice(14, 16)}` : r.kind,
      ]),
    ).toEqual([
      ['01', 'episode'],
      ['02', 'reply:01'],
      ['03', 'episode'],
      ['04', 'reply:03'],
    ]);
  });
  it('an OK whose ALARM has not arrived waits; one after INSUFFICIENT_DATA stands alone', () => {
    expect(planOf([c('OK', 2, 'ALARM')]).get(c('OK', 2).time)?.kind).toBe('waiting');
    expect(planOf([c('OK', 2, 'INSUFFICIENT_DATA')]).get(c('OK', 2).time)?.kind).toBe('standalone');
    const superseded = planOf([c('ALARM', 1), c('ALARM', 3)]).get(c('ALARM', 1).time);
    expect(superseded).toMatchObject({ kind: 'episode', end: { kind: 'superseded' } });
  });
});

describe('the alarm ledger (moto DynamoDB, loopback Slack)', () => {
  it('an episode in order: ALARM 1 post, OK 1 reply + 1 update, no history read; repeats make no call', async () => {
    const rt = runtime();
    const first = await rt.handle(change('a', 'ALARM', 1), context);
    expect(first.outcomes[0]?.action).toBe('posted');
    expect(calls()).toEqual({
      'chat.postMessage': 1,
      'chat.update': 0,
      'chat.delete': 0,
      'conversations.history': 0,
      'conversations.replies': 0,
    });
    const ok = await rt.handle(change('a', 'OK', 5), context);
    expect(ok.outcomes[0]?.action).toBe('replied');
    expect(calls()).toEqual({
      'chat.postMessage': 2,
      'chat.update': 1,
      'chat.delete': 0,
      'conversations.history': 0,
      'conversations.replies': 0,
    });
    const before = slack.calls.length;
    const again = await rt.handle(change('a', 'ALARM', 1), context);
    await rt.handle(change('a', 'OK', 5, 'republished'), context);
    expect(again.outcomes[0]?.action).toBe('duplicate');
    expect(slack.calls.length).toBe(before);
    expect(slack.view(CHANNEL)).toEqual([resolved('a')]);
    const post = slack.messages[0];
    expect(JSON.stringify(post?.attachments)).toContain(
      'Fired for 4 min · 1 ALARM episode in the 24 h before',
    );
  });

  it('OK before its ALARM: nothing posted until the ALARM, which comes out resolved with the reply', async () => {
    const rt = runtime();
    const early = await rt.handle(change('b', 'OK', 5), context);
    expect(early.outcomes[0]?.action).toBe('skipped');
    await rt.handle(change('b', 'ALARM', 1), context);
    expect(slack.view(CHANNEL)).toEqual([resolved('b')]);
    // The first OK of an alarm the ledger never saw looks (once) for a post from before the ledger.
    expect(slack.callsOf('conversations.history')).toHaveLength(1);
  });

  it('flapping out of order (ALARM#1, OK#2, ALARM#2, OK#1): two resolved posts, each with its own OK', async () => {
    const rt = runtime();
    for (const [state, minute] of [
      ['ALARM', 1],
      ['OK', 9],
      ['ALARM', 6],
      ['OK', 3],
    ] as const)
      await rt.handle(change('c', state, minute), context);
    expect(slack.view(CHANNEL)).toEqual([resolved('c'), resolved('c')]);
    // Each OK's reply sits under the post of the ALARM right before it in time.
    const timeOf = (m: { metadata?: { event_payload: Record<string, unknown> } } | undefined) =>
      String(m?.metadata?.event_payload.time ?? '').slice(14, 16);
    const replies = slack.messages.filter((m) => m.thread_ts !== undefined && m.thread_ts !== m.ts);
    const pairs = replies.map((r) => [timeOf(slack.messages.find((m) => m.ts === r.thread_ts)), timeOf(r)]);
    expect(pairs.sort()).toEqual([
      ['01', '03'],
      ['06', '09'],
    ]);
  });

  it('concurrent deliveries (every change 3 times at once, random orders): one post per episode, none red, one reply each', async () => {
    for (let round = 0; round < 4; round += 1) {
      const rt = runtime();
      const name = `d${round}`;
      const deliveries = [1, 4, 7, 10].flatMap((minute, i) => {
        const state: State = i % 2 === 0 ? 'ALARM' : 'OK';
        return [0, 1, 2].map(() => change(name, state, minute));
      });
      deliveries.sort(() => Math.random() - 0.5);
      const results = await Promise.allSettled(deliveries.map((d) => rt.handle(d, context)));
      // A delivery that waited past its time for the lock fails: Lambda retries it.
      for (const [i, r] of results.entries())
        if (r.status === 'rejected') await rt.handle(deliveries[i]!, context);
      expect(slack.view(CHANNEL).filter((m) => m.text.includes(name))).toEqual([
        resolved(name),
        resolved(name),
      ]);
    }
    expect(slack.callsOf('chat.delete')).toHaveLength(0);
  });

  it('an OK 30 hours after its ALARM (past THREAD_LOOKBACK_HOURS) still resolves it', async () => {
    const rt = runtime();
    const at = (hours: number) => new Date(Date.UTC(2026, 11, 5, 0, 0) + hours * 3600_000).toISOString();
    const of = (state: 'ALARM' | 'OK', hours: number) =>
      alarmEvent({
        name: 'long',
        state,
        oldState: state === 'ALARM' ? 'OK' : 'ALARM',
        time: at(hours),
        messageId: `long-${state}`,
      });
    await rt.handle(of('ALARM', 0), context);
    await rt.handle(of('OK', 30), context);
    expect(slack.view(CHANNEL)).toEqual([resolved('long')]);
  });

  it('a post whose answer was lost is found in history by its metadata, not sent again', async () => {
    const rt = runtime();
    slack.fail('chat.postMessage', { kind: 'drop-after-store' });
    await rt.handle(change('e', 'ALARM', 1), context);
    await rt.handle(change('e', 'OK', 2), context);
    expect(slack.view(CHANNEL)).toEqual([resolved('e')]);
    expect(slack.callsOf('conversations.history')).toHaveLength(1);
  });
});
