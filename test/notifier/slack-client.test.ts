import { SlackChannel, SlackPermanentError, SlackTransientError } from '../../libs/slack/client';
import { FakeSlack } from '../support/slack-server';

const message = {
  text: 'fallback',
  blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'hi' } }],
};

describe('SlackChannel against a loopback Web API', () => {
  let slack: FakeSlack;
  const sleeps: number[] = [];
  const channelWith = (timeLeft = 20_000, token = 'xoxb-test-token') =>
    SlackChannel.create({
      token,
      slackApiUrl: slack.url,
      timeLeft: () => timeLeft,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });

  beforeEach(async () => {
    sleeps.length = 0;
    slack = await new FakeSlack().start();
  });
  afterEach(() => slack.stop());

  it('posts with the bot token, no unfurling, and returns the ts', async () => {
    const channel = await channelWith();
    const ts = await channel.post('C1', message);
    expect(ts).toMatch(/^\d+\.\d+$/);
    const [call] = slack.callsOf('chat.postMessage');
    expect(call?.token).toBe('xoxb-test-token');
    expect(call?.args).toMatchObject({
      channel: 'C1',
      text: 'fallback',
      unfurl_links: 'false',
      blocks: message.blocks,
    });
  });

  it('posts a thread reply with thread_ts', async () => {
    const channel = await channelWith();
    await channel.post('C1', message, '123.456');
    expect(slack.callsOf('chat.postMessage')[0]?.args.thread_ts).toBe('123.456');
  });

  it('waits for Retry-After when it fits in the time left, then succeeds', async () => {
    slack.fail('chat.postMessage', { kind: 'ratelimited', retryAfter: 2 });
    const channel = await channelWith(20_000);
    await channel.post('C1', message);
    expect(sleeps).toEqual([2000]);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(2);
    expect(slack.messages).toHaveLength(1);
  });

  it('gives up with SlackTransientError when Retry-After exceeds the time left', async () => {
    slack.fail('chat.postMessage', { kind: 'ratelimited', retryAfter: 30 });
    const channel = await channelWith(5_000);
    const error = await channel.post('C1', message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlackTransientError);
    expect((error as Error).message).toContain('rate limited');
    expect(sleeps).toEqual([]);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
  });

  it('bounds the number of rate-limit waits', async () => {
    slack.fail('chat.postMessage', { kind: 'ratelimited', retryAfter: 1 }, 5);
    const channel = await channelWith(60_000);
    await expect(channel.post('C1', message)).rejects.toBeInstanceOf(SlackTransientError);
    expect(sleeps).toEqual([1000, 1000]);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(3);
  });

  it.each(['invalid_auth', 'channel_not_found', 'not_in_channel', 'invalid_blocks'])(
    'fails at once with SlackPermanentError on %s',
    async (code) => {
      slack.fail('chat.postMessage', { kind: 'error', error: code });
      const channel = await channelWith();
      const error = await channel.post('C1', message).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SlackPermanentError);
      expect(error).toMatchObject({ name: 'SlackPermanentError', code, method: 'chat.postMessage' });
      expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
    },
  );

  it('answers invalid_auth for a wrong token as a permanent error', async () => {
    const channel = await channelWith(20_000, 'xoxb-wrong');
    await expect(channel.post('C1', message)).rejects.toMatchObject({ code: 'invalid_auth' });
  });

  it('treats internal_error as transient', async () => {
    slack.fail('chat.postMessage', { kind: 'error', error: 'internal_error' });
    const channel = await channelWith();
    await expect(channel.post('C1', message)).rejects.toBeInstanceOf(SlackTransientError);
  });

  it('retries HTTP failures a bounded number of times, then reports the status', async () => {
    slack.fail('chat.postMessage', { kind: 'http', status: 404 }, 10);
    const channel = await channelWith();
    await expect(channel.post('C1', message)).rejects.toMatchObject({
      name: 'SlackPermanentError',
      code: 'http_404',
    });
    expect(slack.callsOf('chat.postMessage')).toHaveLength(3); // 1 + retries: 2
  });

  it('recovers from a passing 503 through the client retry', async () => {
    slack.fail('chat.postMessage', { kind: 'http', status: 503 });
    const channel = await channelWith();
    await expect(channel.post('C1', message)).resolves.toMatch(/\d/);
    expect(slack.messages).toHaveLength(1);
  });

  it('reads history newest first with metadata, and updates a message', async () => {
    const first = slack.seed({
      channel: 'C1',
      text: 'a',
      metadata: { event_type: 'alarm_state', event_payload: { state: 'ALARM' } },
    });
    slack.seed({ channel: 'C1', text: 'b' });
    const channel = await channelWith();
    const history = await channel.history('C1', new Date(0), 50);
    expect(history.map((m) => m.text)).toEqual(['b', 'a']);
    expect(history[1]?.metadata?.event_type).toBe('alarm_state');
    expect(slack.callsOf('conversations.history')[0]?.args).toMatchObject({
      include_all_metadata: 'true',
      limit: '50',
    });
    await channel.update('C1', first.ts, { text: 'resolved', blocks: [] });
    expect(slack.messages[0]?.text).toBe('resolved');
  });
});
