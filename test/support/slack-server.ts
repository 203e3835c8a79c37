import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One Web API call as the stand-in received it (form fields, JSON fields decoded). */
export interface RecordedCall {
  method: string;
  token: string | undefined;
  args: Record<string, unknown>;
}

export interface StoredMessage {
  ts: string;
  channel: string;
  text?: string;
  blocks?: unknown[];
  attachments?: unknown[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  /** On a reply: its parent's ts. On a parent with replies: its own ts (as Slack sets it). */
  thread_ts?: string;
  reply_count?: number;
  latest_reply?: string;
  edited?: { ts: string };
}

/** What the next call of a method does instead of (or besides) answering at once. */
export type Fault =
  /** 429 with Retry-After; nothing is done. */
  | { kind: 'ratelimited'; retryAfter: number }
  /** `ok:false` with this error code; nothing is done. */
  | { kind: 'error'; error: string }
  /** This HTTP status; nothing is done. */
  | { kind: 'http'; status: number }
  /** The call is done (a post is stored), then the connection is dropped without an answer. */
  | { kind: 'drop-after-store' }
  /** The call is done at once, the answer comes `ms` later (if the client still waits). */
  | { kind: 'slow'; ms: number };

const JSON_FIELDS = ['blocks', 'attachments', 'metadata'];
const CHANNEL_ID = /^[CGD][A-Z0-9]+$/;

/**
 * A loopback stand-in for the Slack Web API (WebClient `slackApiUrl`) that answers as Slack
 * does for the methods the notifier uses:
 * - chat.postMessage stores the message with its `metadata`; `thread_ts` makes it a reply (the
 *   parent gets `thread_ts`, `reply_count`, `latest_reply`). A channel may be a `#name` here.
 * - chat.update replaces text, blocks, attachments (and metadata when given); `message_not_found`.
 * - chat.delete removes a message (a parent with replies stays as a tombstone).
 * - conversations.history: top-level messages only, newest first, `oldest`/`latest`
 *   (exclusive unless `inclusive`), `limit` (default 100, at most 999), `has_more` and
 *   `response_metadata.next_cursor`, `invalid_cursor`; metadata only with
 *   `include_all_metadata=true`; a channel must be an ID (`channel_not_found` otherwise).
 * - conversations.replies: the parent, then its replies oldest first; `thread_not_found`.
 * Errors are HTTP 200 with `ok:false` and a code; rate limits are HTTP 429 with Retry-After.
 * Faults (`fail`) and a strict per-channel post rate (`limitPosts`) make it misbehave.
 */
export class FakeSlack {
  readonly calls: RecordedCall[] = [];
  readonly messages: StoredMessage[] = [];
  /** Requests whose client went away before the answer was sent. */
  abandoned = 0;
  private readonly faults = new Map<string, Fault[]>();
  private readonly sockets = new Set<Socket>();
  private readonly waits = new Set<() => void>();
  private server: Server | undefined;
  private clock: number;
  private minPostIntervalMs = 0;
  private timeScale = 1;
  private tiers = new Map<string, { perMinute: number; maxLimit?: number }>();
  private readonly tierCalls = new Map<string, number[]>();
  /** 429 answers given, by method. */
  readonly rateLimited = new Map<string, number>();
  private readonly lastPostAt = new Map<string, number>();
  url = '';

  constructor(
    private readonly validToken = 'xoxb-test-token',
    /** Slack's clock when the first message is stored (seconds); each message adds one. */
    startAt = Date.parse('2026-11-21T10:22:00Z') / 1000,
  ) {
    this.clock = startAt;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/`;
    return this;
  }

  async stop(): Promise<void> {
    for (const finish of this.waits) finish();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The next `times` calls of `method` misbehave with `fault`. */
  fail(method: string, fault: Fault, times = 1): void {
    const queue = this.faults.get(method) ?? [];
    for (let i = 0; i < times; i += 1) queue.push(fault);
    this.faults.set(method, queue);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /**
   * Slack's rate limit tiers, per method and shared by every channel of the app (Slack's
   * rate-limit page): `conversations.history`, `conversations.replies`, `chat.update` and
   * `chat.delete` are Tier 3, 50 a minute; for a commercially distributed app outside the
   * Marketplace, `conversations.history` and `.replies` allow 1 a minute and 15 messages a call.
   * chat.postMessage keeps its own limit (limitPosts). `timeScale` compresses time: a minute
   * lasts 60 s / timeScale, while Retry-After is given in Slack's seconds, as the caller's
   * compressed sleep expects.
   */
  limitTiers(app: 'internal' | 'non-marketplace', timeScale = 1): void {
    this.timeScale = timeScale;
    const tier3 = { perMinute: 50 };
    this.tiers = new Map([
      ['chat.update', tier3],
      ['chat.delete', tier3],
      ['conversations.history', app === 'internal' ? tier3 : { perMinute: 1, maxLimit: 15 }],
      ['conversations.replies', app === 'internal' ? tier3 : { perMinute: 1, maxLimit: 15 }],
    ]);
  }

  /** Answers 429 to a method over its tier's calls a minute; the seconds until a slot frees. */
  private tierRetryAfter(method: string): number | undefined {
    const tier = this.tiers.get(method);
    if (tier === undefined) return undefined;
    const windowMs = 60_000 / this.timeScale;
    const now = Date.now();
    const recent = (this.tierCalls.get(method) ?? []).filter((at) => now - at < windowMs);
    this.tierCalls.set(method, recent);
    if (recent.length >= tier.perMinute) {
      const freeInMs = (recent[0] as number) + windowMs - now;
      return Math.max(1, Math.ceil((freeInMs * this.timeScale) / 1000));
    }
    recent.push(now);
    return undefined;
  }

  /** Slack's chat.postMessage limit, strictly: a second post to a channel within the interval gets 429. */
  limitPosts(perSecond: number): void {
    this.minPostIntervalMs = 1000 / perSecond;
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Puts a message in the channel as if someone (or an earlier invocation) had posted it. */
  seed(message: Omit<StoredMessage, 'ts'>): StoredMessage {
    return this.store({ ...message });
  }

  /** The channel as a person reads it: top-level messages oldest first, each with its thread. */
  view(channel: string): { text: string; color?: string; replies: string[] }[] {
    return this.messages
      .filter((m) => m.channel === channel && isTopLevel(m))
      .map((m) => ({
        text: m.text ?? '',
        color: (m.attachments?.[0] as { color?: string } | undefined)?.color,
        replies: this.messages.filter((r) => r.thread_ts === m.ts && r.ts !== m.ts).map((r) => r.text ?? ''),
      }));
  }

  private store(fields: Omit<StoredMessage, 'ts'>): StoredMessage {
    this.clock += 1;
    const stored: StoredMessage = { ...fields, ts: `${this.clock}.000100` };
    this.messages.push(stored);
    return stored;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const args: Record<string, unknown> = {};
    for (const [key, value] of form) args[key] = JSON_FIELDS.includes(key) ? JSON.parse(value) : value;
    const method = (req.url ?? '').replace(/^\/api\//, '');
    const token = req.headers.authorization?.replace(/^Bearer /, '');
    this.calls.push({ method, token, args });
    const fault = this.faults.get(method)?.shift();
    if (fault?.kind === 'ratelimited')
      return send(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(fault.retryAfter) });
    if (fault?.kind === 'http') return send(res, fault.status, { ok: false });
    if (fault?.kind === 'error') return send(res, 200, { ok: false, error: fault.error });
    if (token !== this.validToken) return send(res, 200, { ok: false, error: 'invalid_auth' });
    if (method === 'chat.postMessage' && this.postTooSoon(String(args.channel ?? ''))) {
      this.rateLimited.set(method, (this.rateLimited.get(method) ?? 0) + 1);
      return send(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': '1' });
    }
    const retryAfter = this.tierRetryAfter(method);
    if (retryAfter !== undefined) {
      this.rateLimited.set(method, (this.rateLimited.get(method) ?? 0) + 1);
      return send(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(retryAfter) });
    }
    const maxLimit = this.tiers.get(method)?.maxLimit;
    if (maxLimit !== undefined && Number(args.limit ?? 100) > maxLimit) args.limit = String(maxLimit);
    const refused =
      method === 'chat.postMessage' || method === 'chat.update' ? blockKitError(args) : undefined;
    if (refused !== undefined) return send(res, 200, { ok: false, error: refused });
    const answer = this.answer(method, args);
    if (fault?.kind === 'drop-after-store') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'slow') {
      await this.wait(fault.ms);
      if (res.destroyed || req.socket.destroyed) {
        this.abandoned += 1;
        return;
      }
    }
    send(res, 200, answer);
  }

  /** A delay that stop() cuts short, so no timer outlives the test. */
  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.waits.delete(finish);
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.waits.add(finish);
    });
  }

  private postTooSoon(channel: string): boolean {
    if (this.minPostIntervalMs === 0) return false;
    const now = Date.now();
    const last = this.lastPostAt.get(channel);
    if (last !== undefined && now - last < this.minPostIntervalMs) return true;
    this.lastPostAt.set(channel, now);
    return false;
  }

  private answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    const channel = String(args.channel ?? '');
    if (method === 'chat.postMessage') return this.postMessage(channel, args);
    if (method === 'chat.update') {
      const target = this.messages.find((m) => m.channel === channel && m.ts === args.ts);
      if (target === undefined) return { ok: false, error: 'message_not_found' };
      Object.assign(target, {
        text: args.text,
        blocks: args.blocks,
        attachments: args.attachments,
        ...(validMetadata(args.metadata) ? { metadata: args.metadata } : {}),
        edited: { ts: `${this.clock}.000200` },
      });
      return { ok: true, channel, ts: target.ts, text: target.text };
    }
    if (method === 'chat.delete') {
      const at = this.messages.findIndex((m) => m.channel === channel && m.ts === args.ts);
      if (at < 0) return { ok: false, error: 'message_not_found' };
      const target = this.messages[at] as StoredMessage;
      // A parent with replies stays as a tombstone, as in Slack; anything else disappears.
      if ((target.reply_count ?? 0) > 0) {
        Object.assign(target, { text: 'This message was deleted.', blocks: [], attachments: [] });
        delete target.metadata;
      } else {
        this.messages.splice(at, 1);
        const parent = this.messages.find((m) => m.channel === channel && m.ts === target.thread_ts);
        if (parent && parent !== target) parent.reply_count = (parent.reply_count ?? 1) - 1;
      }
      return { ok: true, channel, ts: target.ts };
    }
    if (method === 'conversations.history') return this.history(channel, args);
    if (method === 'conversations.replies') {
      if (!CHANNEL_ID.test(channel)) return { ok: false, error: 'channel_not_found' };
      const parent = this.messages.find((m) => m.channel === channel && m.ts === args.ts);
      if (parent === undefined) return { ok: false, error: 'thread_not_found' };
      const thread = [parent, ...this.messages.filter((m) => m.thread_ts === parent.ts && m !== parent)];
      return { ok: true, messages: thread.map((m) => shown(m, args)), has_more: false };
    }
    return { ok: false, error: 'unknown_method' };
  }

  private postMessage(channel: string, args: Record<string, unknown>): Record<string, unknown> {
    if (channel === '') return { ok: false, error: 'channel_not_found' };
    if (args.text === undefined && args.blocks === undefined && args.attachments === undefined)
      return { ok: false, error: 'no_text' };
    const threadTs = typeof args.thread_ts === 'string' ? args.thread_ts : undefined;
    const parent = threadTs && this.messages.find((m) => m.channel === channel && m.ts === threadTs);
    const stored = this.store({
      channel,
      text: args.text as string | undefined,
      blocks: args.blocks as unknown[] | undefined,
      attachments: args.attachments as unknown[] | undefined,
      ...(validMetadata(args.metadata) ? { metadata: args.metadata as StoredMessage['metadata'] } : {}),
      ...(parent ? { thread_ts: parent.ts } : {}),
    });
    if (parent) {
      parent.thread_ts = parent.ts;
      parent.reply_count = (parent.reply_count ?? 0) + 1;
      parent.latest_reply = stored.ts;
    }
    return { ok: true, channel, ts: stored.ts, message: shown(stored, {}) };
  }

  private history(channel: string, args: Record<string, unknown>): Record<string, unknown> {
    if (!CHANNEL_ID.test(channel)) return { ok: false, error: 'channel_not_found' };
    const inclusive = args.inclusive === 'true' || args.inclusive === '1';
    const oldest = args.oldest === undefined ? 0 : Number(args.oldest);
    let latest = args.latest === undefined ? Number.POSITIVE_INFINITY : Number(args.latest);
    if (args.cursor !== undefined) {
      // Slack's cursors are opaque base64; this one holds the ts the next page starts below.
      const decoded = Buffer.from(String(args.cursor), 'base64').toString('utf8');
      if (!decoded.startsWith('next_ts:')) return { ok: false, error: 'invalid_cursor' };
      latest = Number(decoded.slice('next_ts:'.length));
    }
    const inRange = (ts: number, fromCursor: boolean) =>
      (inclusive ? ts >= oldest : ts > oldest) && (fromCursor || !inclusive ? ts < latest : ts <= latest);
    const limit = Math.min(Math.max(Number(args.limit ?? 100) || 100, 1), 999);
    const matching = this.messages
      .filter(
        (m) => m.channel === channel && isTopLevel(m) && inRange(Number(m.ts), args.cursor !== undefined),
      )
      .sort((a, b) => Number(b.ts) - Number(a.ts));
    const page = matching.slice(0, limit);
    const hasMore = matching.length > limit;
    const last = page[page.length - 1];
    return {
      ok: true,
      messages: page.map((m) => shown(m, args)),
      has_more: hasMore,
      pin_count: 0,
      ...(hasMore && last
        ? { response_metadata: { next_cursor: Buffer.from(`next_ts:${last.ts}`).toString('base64') } }
        : {}),
    };
  }
}

/**
 * Slack's Block Kit limits as its reference documents them (a header's text 150 characters, a
 * section's 3,000, a field's 2,000, 10 fields, 10 context elements, 50 blocks per list) answer
 * `invalid_blocks`; more block text in all than Slack takes answers `msg_blocks_too_long`
 * (undocumented, observed from about 13,200 characters: slackapi/bolt-js#2509).
 */
export const OBSERVED_MAX_BLOCK_TEXT = 13_200;

type AnyBlock = {
  type?: string;
  text?: { type?: string; text?: string };
  fields?: { text?: string }[];
  elements?: { text?: string }[];
};

function blockKitError(args: Record<string, unknown>): string | undefined {
  const lists: AnyBlock[][] = [];
  if (Array.isArray(args.blocks)) lists.push(args.blocks as AnyBlock[]);
  if (Array.isArray(args.attachments))
    for (const a of args.attachments as { blocks?: AnyBlock[] }[])
      if (Array.isArray(a.blocks)) lists.push(a.blocks);
  let total = 0;
  for (const blocks of lists) {
    if (blocks.length > 50) return 'invalid_blocks';
    for (const block of blocks) {
      const text = block.text?.text ?? '';
      if (block.type === 'header' && (text.length > 150 || block.text?.type !== 'plain_text' || text === ''))
        return 'invalid_blocks';
      if (block.type === 'section') {
        if (text.length > 3000 || (block.fields ?? []).length > 10) return 'invalid_blocks';
        if ((block.fields ?? []).some((f) => (f.text ?? '').length > 2000)) return 'invalid_blocks';
        if (block.text === undefined && (block.fields ?? []).length === 0) return 'invalid_blocks';
      }
      if (
        block.type === 'context' &&
        ((block.elements ?? []).length > 10 ||
          (block.elements ?? []).some((e) => (e.text ?? '').length > 3000))
      )
        return 'invalid_blocks';
      total += text.length;
      for (const f of block.fields ?? []) total += (f.text ?? '').length;
      for (const e of block.elements ?? []) total += (e.text ?? '').length;
    }
  }
  return total > OBSERVED_MAX_BLOCK_TEXT ? 'msg_blocks_too_long' : undefined;
}

function isTopLevel(m: StoredMessage): boolean {
  return m.thread_ts === undefined || m.thread_ts === m.ts;
}

/** Slack stores metadata only with an event type and a payload object. */
function validMetadata(value: unknown): boolean {
  const m = value as { event_type?: unknown; event_payload?: unknown } | undefined;
  return typeof m?.event_type === 'string' && typeof m.event_payload === 'object' && m.event_payload !== null;
}

/** A stored message as the read methods return it: metadata only when asked for. */
function shown(m: StoredMessage, args: Record<string, unknown>): Record<string, unknown> {
  const { metadata, channel: _channel, ...rest } = m;
  const withMetadata = args.include_all_metadata === 'true' || args.include_all_metadata === '1';
  return { type: 'message', ...rest, ...(withMetadata && metadata ? { metadata } : {}) };
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
