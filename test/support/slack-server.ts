import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

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
  thread_ts?: string;
}

/** What the next call of a method answers instead of succeeding. */
export type Fault =
  | { kind: 'ratelimited'; retryAfter: number }
  | { kind: 'error'; error: string }
  | { kind: 'http'; status: number };

const JSON_FIELDS = ['blocks', 'attachments', 'metadata'];

/**
 * A loopback stand-in for the Slack Web API (WebClient `slackApiUrl`): chat.postMessage,
 * chat.update and conversations.history over a small in-memory channel store. It records every
 * call and can be told to answer `ratelimited` (429 + Retry-After), a platform error such as
 * `invalid_auth`, or an HTTP status.
 */
export class FakeSlack {
  readonly calls: RecordedCall[] = [];
  readonly messages: StoredMessage[] = [];
  private readonly faults = new Map<string, Fault[]>();
  private server: Server | undefined;
  private clock = 1_795_250_000; // 2026-11-21 08:33 UTC, a little before the fixtures
  url = '';

  constructor(private readonly validToken = 'xoxb-test-token') {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The next `times` calls of `method` answer with `fault`. */
  fail(method: string, fault: Fault, times = 1): void {
    const queue = this.faults.get(method) ?? [];
    for (let i = 0; i < times; i += 1) queue.push(fault);
    this.faults.set(method, queue);
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Puts a message in the channel as if an earlier invocation had posted it. */
  seed(message: Omit<StoredMessage, 'ts'>): StoredMessage {
    const stored = { ...message, ts: this.nextTs() };
    this.messages.push(stored);
    return stored;
  }

  private nextTs(): string {
    this.clock += 1;
    return `${this.clock}.000100`;
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
    send(res, 200, this.answer(method, args));
  }

  private answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    const channel = String(args.channel ?? '');
    if (method === 'chat.postMessage') {
      const stored: StoredMessage = { ...(args as Omit<StoredMessage, 'ts'>), channel, ts: this.nextTs() };
      this.messages.push(stored);
      return { ok: true, channel, ts: stored.ts };
    }
    if (method === 'chat.update') {
      const target = this.messages.find((m) => m.channel === channel && m.ts === args.ts);
      if (target === undefined) return { ok: false, error: 'message_not_found' };
      Object.assign(target, {
        text: args.text,
        blocks: args.blocks,
        attachments: args.attachments,
        metadata: args.metadata,
      });
      return { ok: true, channel, ts: target.ts };
    }
    if (method === 'conversations.history') {
      const oldest = Number(args.oldest ?? 0);
      const withMetadata = args.include_all_metadata === 'true';
      const messages = this.messages
        .filter((m) => m.channel === channel && m.thread_ts === undefined && Number(m.ts) >= oldest)
        .reverse()
        .slice(0, Number(args.limit ?? 100))
        .map(({ metadata, ...rest }) => (withMetadata && metadata ? { ...rest, metadata } : rest));
      return { ok: true, messages, has_more: false };
    }
    return { ok: false, error: 'unknown_method' };
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
