import type { WebClient } from '@slack/web-api';
import { AppError } from '../errors';
import { logger } from '../logging/logger';
import type { SlackMessage } from './blocks';
import type { HistoryMessage } from './thread';

/**
 * Slack refused the request and would refuse it again (invalid_auth, channel_not_found,
 * not_in_channel, invalid_blocks…). Retrying cannot help: the invocation fails and the SNS
 * event goes to the on-failure queue, where `code` says what to fix.
 */
export class SlackPermanentError extends AppError {
  constructor(
    readonly method: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(`Slack ${method} failed: ${code}`, options);
  }
}

/** Slack was unreachable, failing, or rate limiting past the time this invocation has left. */
export class SlackTransientError extends AppError {
  constructor(
    readonly method: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Slack ${method} did not succeed in time: ${reason}`, options);
  }
}

const TRANSIENT_CODES = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

export interface SlackChannelOptions {
  token: string;
  /** Web API base URL; tests point it at a loopback server. */
  slackApiUrl?: string;
  /** Milliseconds this invocation may still spend on Slack (remaining time minus a reserve). */
  timeLeft: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** How many `Retry-After` waits one call may take. */
  maxRateLimitWaits?: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The three Web API calls the notifier makes, with bounded retries: network errors and 5xx
 * are retried by the client within the time left; 429 waits for Retry-After only when that
 * fits in the time left. Everything else becomes SlackPermanentError.
 */
export class SlackChannel {
  private constructor(
    private readonly client: WebClient,
    private readonly options: SlackChannelOptions,
  ) {}

  static async create(options: SlackChannelOptions): Promise<SlackChannel> {
    const { WebClient } = await import('@slack/web-api');
    const budget = Math.max(options.timeLeft(), 1000);
    const client = new WebClient(options.token, {
      ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
      // The default policy retries for ~30 minutes, far past any Lambda timeout.
      retryConfig: {
        retries: 2,
        factor: 2,
        minTimeout: 250,
        maxTimeout: 1000,
        maxRetryTime: budget,
        randomize: true,
      },
      timeout: Math.min(10_000, budget),
      rejectRateLimitedCalls: true,
      // The client's own console logger would print unstructured lines; keep its warnings, as JSON.
      logger: clientLogger,
    });
    return new SlackChannel(client, options);
  }

  async post(channel: string, message: SlackMessage, threadTs?: string): Promise<string> {
    const result = await this.call('chat.postMessage', () =>
      this.client.chat.postMessage({
        channel,
        ...message,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        unfurl_links: false,
        unfurl_media: false,
      } as Parameters<WebClient['chat']['postMessage']>[0]),
    );
    return typeof result.ts === 'string' ? result.ts : '';
  }

  async update(channel: string, ts: string, message: SlackMessage): Promise<void> {
    await this.call('chat.update', () =>
      this.client.chat.update({ channel, ts, ...message } as Parameters<WebClient['chat']['update']>[0]),
    );
  }

  /** Recent top-level messages, newest first, with their metadata. */
  async history(channel: string, oldest: Date, limit: number): Promise<HistoryMessage[]> {
    const result = await this.call('conversations.history', () =>
      this.client.conversations.history({
        channel,
        oldest: (oldest.getTime() / 1000).toFixed(6),
        limit,
        include_all_metadata: true,
      }),
    );
    return (result.messages ?? []) as HistoryMessage[];
  }

  private async call<T>(method: string, request: () => Promise<T>): Promise<T> {
    const sleep = this.options.sleep ?? defaultSleep;
    for (let waits = 0; ; waits += 1) {
      try {
        return await request();
      } catch (error) {
        const retryAfterMs = rateLimitDelay(error);
        if (retryAfterMs === undefined) throw classify(method, error);
        if (waits >= (this.options.maxRateLimitWaits ?? 2) || retryAfterMs >= this.options.timeLeft()) {
          throw new SlackTransientError(method, `rate limited (Retry-After ${retryAfterMs / 1000}s)`, {
            cause: error,
          });
        }
        await sleep(retryAfterMs);
      }
    }
  }
}

function rateLimitDelay(error: unknown): number | undefined {
  const e = error as { code?: string; retryAfter?: number; data?: { error?: string } };
  if (e?.code === 'slack_webapi_rate_limited_error' && typeof e.retryAfter === 'number')
    return e.retryAfter * 1000;
  return undefined;
}

function classify(method: string, error: unknown): Error {
  const e = error as { code?: string; data?: { error?: string }; statusCode?: number };
  if (e?.code === 'slack_webapi_platform_error') {
    const code = e.data?.error ?? 'unknown_error';
    return TRANSIENT_CODES.has(code)
      ? new SlackTransientError(method, code, { cause: error })
      : new SlackPermanentError(method, code, { cause: error });
  }
  if (e?.code === 'slack_webapi_http_error' && typeof e.statusCode === 'number' && e.statusCode < 500) {
    return new SlackPermanentError(method, `http_${e.statusCode}`, { cause: error });
  }
  return new SlackTransientError(method, e?.code ?? 'request failed', { cause: error });
}

const noop = () => undefined;
const clientLogger = {
  debug: noop,
  info: noop,
  warn: (...parts: unknown[]) => logger.warn('slack client warning', { detail: parts.map(String).join(' ') }),
  error: (...parts: unknown[]) => logger.warn('slack client error', { detail: parts.map(String).join(' ') }),
  setLevel: noop,
  getLevel: () => 'error' as never,
  setName: noop,
};
