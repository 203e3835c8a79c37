import { FakeSlack } from '../support/slack-server';

/**
 * The stand-in against what Slack's documentation says of the methods the notifier uses
 * (docs.slack.dev conversations.history: "the most recent messages in the time range are
 * returned first", oldest/latest exclusive unless `inclusive`, `limit` under 1000, cursor in
 * `response_metadata.next_cursor`; metadata only with `include_all_metadata`; errors as
 * `ok:false` with a code).
 */
describe('Slack Web API stand-in', () => {
  let slack: FakeSlack;

  async function call(method: string, args: Record<string, string>, token = 'xoxb-test-token') {
    const response = await fetch(`${slack.url}${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(args).toString(),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const texts = (body: Record<string, unknown>) =>
    (body.messages as { text?: string }[]).map((message) => message.text);

  beforeEach(async () => {
    slack = await new FakeSlack().start();
    slack.seed({ channel: 'C1', text: 'one', metadata: { event_type: 'e', event_payload: { n: 1 } } });
    slack.seed({ channel: 'C1', text: 'two' });
    slack.seed({ channel: 'C1', text: 'three' });
    slack.seed({ channel: 'C2', text: 'elsewhere' });
  });
  afterEach(() => slack.stop());

  it('returns the channel newest first, metadata only when asked for', async () => {
    const plain = await call('conversations.history', { channel: 'C1' });
    expect(texts(plain.body)).toEqual(['three', 'two', 'one']);
    expect(JSON.stringify(plain.body)).not.toContain('event_payload');
    const withMetadata = await call('conversations.history', { channel: 'C1', include_all_metadata: 'true' });
    expect((withMetadata.body.messages as { metadata?: unknown }[])[2]?.metadata).toEqual({
      event_type: 'e',
      event_payload: { n: 1 },
    });
  });

  it('excludes oldest and latest themselves unless inclusive', async () => {
    const [one, , three] = slack.messages;
    const range = { channel: 'C1', oldest: one?.ts ?? '', latest: three?.ts ?? '' };
    expect(texts((await call('conversations.history', range)).body)).toEqual(['two']);
    expect(texts((await call('conversations.history', { ...range, inclusive: 'true' })).body)).toEqual([
      'three',
      'two',
      'one',
    ]);
  });

  it('pages with has_more and response_metadata.next_cursor, and refuses a made-up cursor', async () => {
    const first = await call('conversations.history', { channel: 'C1', limit: '2' });
    expect(first.body).toMatchObject({ ok: true, has_more: true });
    const cursor = (first.body.response_metadata as { next_cursor: string }).next_cursor;
    const second = await call('conversations.history', { channel: 'C1', limit: '2', cursor });
    expect(texts(second.body)).toEqual(['one']);
    expect(second.body.has_more).toBe(false);
    expect((await call('conversations.history', { channel: 'C1', cursor: 'bm9wZQ==' })).body).toEqual({
      ok: false,
      error: 'invalid_cursor',
    });
  });

  it('answers errors as HTTP 200 with ok:false, rate limits as 429 with Retry-After', async () => {
    expect((await call('conversations.history', { channel: '#alarms' })).body).toEqual({
      ok: false,
      error: 'channel_not_found',
    });
    expect((await call('chat.postMessage', { channel: 'C1', text: 'x' }, 'xoxb-wrong')).body.error).toBe(
      'invalid_auth',
    );
    slack.fail('chat.postMessage', { kind: 'ratelimited', retryAfter: 3 });
    const limited = await fetch(`${slack.url}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: 'Bearer xoxb-test-token' },
      body: new URLSearchParams({ channel: 'C1', text: 'x' }),
    });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
  });

  it('keeps replies out of history and in conversations.replies, parent first', async () => {
    const parent = slack.messages[0]?.ts ?? '';
    await call('chat.postMessage', { channel: 'C1', text: 'reply', thread_ts: parent });
    expect(texts((await call('conversations.history', { channel: 'C1' })).body)).toEqual([
      'three',
      'two',
      'one',
    ]);
    const thread = await call('conversations.replies', { channel: 'C1', ts: parent });
    expect(texts(thread.body)).toEqual(['one', 'reply']);
    expect(thread.body.messages).toEqual([
      expect.objectContaining({ reply_count: 1, thread_ts: parent }),
      expect.objectContaining({ thread_ts: parent }),
    ]);
    expect((await call('conversations.replies', { channel: 'C1', ts: '1.000000' })).body.error).toBe(
      'thread_not_found',
    );
  });

  it('updates and deletes, message_not_found for what is not there', async () => {
    const ts = slack.messages[1]?.ts ?? '';
    await call('chat.update', { channel: 'C1', ts, text: 'two, edited' });
    expect(slack.messages[1]?.text).toBe('two, edited');
    await call('chat.delete', { channel: 'C1', ts });
    expect(texts((await call('conversations.history', { channel: 'C1' })).body)).toEqual(['three', 'one']);
    expect((await call('chat.delete', { channel: 'C1', ts })).body.error).toBe('message_not_found');
  });
});
