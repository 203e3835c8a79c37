import { SlackChannel, SlackPermanentError, SlackTransientError } from '../../libs/notifier/slack/client';
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
      jitter: () => 0.5,
      maxRateLimitWaits: 2,
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
    await channel.post('C1', message, { threadTs: '123.456' });
    expect(slack.callsOf('chat.postMessage')[0]?.args.thread_ts).toBe('123.456');
  });

  it('waits for Retry-After when it fits in the time left, then succeeds', async () => {
    slack.fail('chat.postMessage', { kind: 'ratelimited', retryAfter: 2 });
    const channel = await channelWith(20_000);
    await channel.post('C1', message);
    expect(sleeps).toEqual([3000]); // Retry-After and half as much again (jitter 0.5)
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
    expect(sleeps).toEqual([1500, 1500]);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(3);
  });

  it('posts plain text (with the metadata) when Slack refuses the blocks, rather than fail', async () => {
    slack.fail('chat.postMessage', { kind: 'error', error: 'invalid_blocks' });
    const channel = await channelWith();
    await channel.post('C1', message);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(2);
    expect(slack.callsOf('chat.postMessage')[1]?.args.blocks).toBeUndefined();
    expect(slack.messages).toHaveLength(1);
  });

  it.each(['invalid_auth', 'channel_not_found', 'not_in_channel'])(
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

  it('fails at once on an HTTP 4xx, which Slack answers only to a request it refused', async () => {
    slack.fail('chat.postMessage', { kind: 'http', status: 404 }, 10);
    const channel = await channelWith();
    await expect(channel.post('C1', message)).rejects.toMatchObject({
      name: 'SlackPermanentError',
      code: 'http_404',
    });
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
  });

  it('does not send a post again after a 503 unless it can look for it first', async () => {
    slack.fail('chat.postMessage', { kind: 'http', status: 503 });
    const channel = await channelWith();
    await expect(channel.post('C1', message)).rejects.toMatchObject({ name: 'SlackTransientError' });
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
  });

  it('after a lost answer, returns the post it finds instead of posting again', async () => {
    slack.fail('chat.postMessage', { kind: 'drop-after-store' });
    const channel = await channelWith();
    const lookups: number[] = [];
    const ts = await channel.post('C1', message, {
      findExisting: async () => {
        lookups.push(slack.messages.length);
        return slack.messages[0]?.ts;
      },
    });
    expect(ts).toBe(slack.messages[0]?.ts);
    expect(lookups).toEqual([1]);
    expect(slack.messages).toHaveLength(1);
    expect(slack.callsOf('chat.postMessage')).toHaveLength(1);
  });

  it('after a lost answer that stored nothing, posts again once the look-up finds nothing', async () => {
    slack.fail('chat.postMessage', { kind: 'http', status: 503 });
    const channel = await channelWith();
    await channel.post('C1', message, { findExisting: async () => undefined });
    expect(slack.callsOf('chat.postMessage')).toHaveLength(2);
    expect(slack.messages).toHaveLength(1);
  });

  it('bounds each attempt by the time left, not by a limit fixed when the client was made', async () => {
    let left = 400;
    slack.fail('conversations.history', { kind: 'slow', ms: 5_000 });
    const channel = await SlackChannel.create({
      token: 'xoxb-test-token',
      slackApiUrl: slack.url,
      timeLeft: () => left,
      sleep: async () => {
        left = 0; // the invocation's time is up by the time a retry could start
      },
    });
    const error = await channel
      .historyPage('C1', { oldest: new Date(0), limit: 10 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SlackTransientError);
    expect((error as Error).message).toContain('no time left');
    expect(slack.callsOf('conversations.history')).toHaveLength(1);
  });

  it('reads history newest first with metadata, page by page, and updates a message', async () => {
    const first = slack.seed({
      channel: 'C1',
      text: 'a',
      metadata: { event_type: 'alarm_state', event_payload: { state: 'ALARM' } },
    });
    slack.seed({ channel: 'C1', text: 'b' });
    slack.seed({ channel: 'C1', text: 'c' });
    const channel = await channelWith();
    const page1 = await channel.historyPage('C1', { oldest: new Date(0), limit: 2 });
    expect(page1.messages.map((m) => m.text)).toEqual(['c', 'b']);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const page2 = await channel.historyPage('C1', {
      oldest: new Date(0),
      limit: 2,
      cursor: page1.nextCursor,
    });
    expect(page2.messages.map((m) => m.text)).toEqual(['a']);
    expect(page2.messages[0]?.metadata?.event_type).toBe('alarm_state');
    expect(page2.nextCursor).toBeUndefined();
    expect(slack.callsOf('conversations.history')[0]?.args).toMatchObject({
      include_all_metadata: 'true',
      limit: '2',
    });
    await channel.update('C1', first.ts, { text: 'resolved', blocks: [] });
    expect(slack.messages[0]?.text).toBe('resolved');
  });

  it('reads a thread, parent first', async () => {
    const channel = await channelWith();
    const parent = await channel.post('C1', message);
    await channel.post('C1', { ...message, text: 'reply' }, { threadTs: parent });
    const thread = await channel.replies('C1', parent);
    expect(thread.map((m) => m.text)).toEqual(['fallback', 'reply']);
    expect(thread[0]?.reply_count).toBe(1);
  });
});
