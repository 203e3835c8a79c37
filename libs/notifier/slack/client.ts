import type { WebClient } from '@slack/web-api';
import { AppError } from '../../runtime/errors';
import { type Logger, logger } from '../../runtime/logger';
import type { SlackMessage } from './blocks';
import { finishMessage, plainTextOnly } from './finish';
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

/** Slack was unreachable, failing, slow or rate limiting past the time this invocation has left. */
export class SlackTransientError extends AppError {
  /**
   * True when no attempt can have reached Slack (every one was refused with 429, or none was
   * sent): a post that failed so was certainly not made, and need not be looked for.
   */
  unsent = false;

  constructor(
    readonly method: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Slack ${method} did not succeed in time: ${reason}`, options);
  }
}

const unsent = (error: SlackTransientError): SlackTransientError => {
  error.unsent = true;
  return error;
};

/** Slack's answers to blocks it will not take (the same blocks never succeed). */
const BLOCKS_REFUSED = new Set([
  'invalid_blocks',
  'invalid_blocks_format',
  'msg_blocks_too_long',
  'invalid_attachments',
]);

/** An empty `blocks` (a plain-text message) is left out: Slack wants none rather than []. */
function withoutEmptyBlocks(
  message: SlackMessage,
): Omit<SlackMessage, 'blocks'> & { blocks?: SlackMessage['blocks'] } {
  if (message.blocks.length > 0) return message;
  const { blocks: _blocks, ...rest } = message;
  return rest;
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
  /** How many `Retry-After` waits one call may take (each must also fit in the time left). */
  maxRateLimitWaits?: number;
  /** 0..1; spreads the waits of invocations rate limited together (default Math.random). */
  jitter?: () => number;
  /** Longest wait for one answer; less when the invocation has less time left. */
  attemptTimeoutMs?: number;
  /** Tries per call after a failure that may or may not have reached Slack (timeout, 5xx). */
  maxAttempts?: number;
  log?: Logger;
}

/** One page of `conversations.history`, newest first. */
export interface HistoryPage {
  messages: HistoryMessage[];
  nextCursor?: string;
}

/** Looks for the message a post whose answer was lost may have created; its ts if found. */
export type FindExisting = () => Promise<string | undefined>;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Below this, a call is not started: it could not finish, and the failure must still be reported. */
const MIN_ATTEMPT_MS = 200;

/**
 * The Web API calls the notifier makes. The client's own retries are off: it would send
 * `chat.postMessage` again after a lost answer and post twice. Instead every attempt is bounded
 * by the time left (an abort signal per request, not a timeout fixed when the client was made),
 * 429 waits for Retry-After only when that fits, and a post whose answer was lost (timeout,
 * dropped connection, 5xx, internal_error) is looked up with `findExisting` before it is sent
 * again. Reads and chat.update are safe to repeat and are simply retried.
 */
export class SlackChannel {
  private constructor(
    private readonly client: WebClient,
    private readonly options: SlackChannelOptions,
    /** Share of the time left one attempt may take (the invocation's calls are sequential). */
    private readonly attemptShare: { current: number },
  ) {}

  static async create(options: SlackChannelOptions): Promise<SlackChannel> {
    const { WebClient } = await import('@slack/web-api');
    const share = { current: 1 };
    // Whole milliseconds: AbortSignal.timeout throws a RangeError on 8130.5 (an odd time left, halved).
    const attemptTimeout = () =>
      Math.max(
        1,
        Math.floor(Math.min(options.attemptTimeoutMs ?? 10_000, options.timeLeft() * share.current)),
      );
    const client = new WebClient(options.token, {
      ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
      retryConfig: { retries: 0 },
      // Each request gets the time this invocation has left at the moment it starts.
      fetch: (url, init) => {
        const deadline = AbortSignal.timeout(attemptTimeout());
        const signal = init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
        return globalThis.fetch(url, { ...init, signal });
      },
      rejectRateLimitedCalls: true,
      // The client's own console logger would print unstructured lines; keep its warnings, as JSON.
      logger: clientLogger,
    });
    return new SlackChannel(client, options, share);
  }

  async post(
    channel: string,
    message: SlackMessage,
    options: { threadTs?: string; findExisting?: FindExisting } = {},
  ): Promise<string> {
    const finished = finishMessage(message);
    try {
      return await this.postFinished(channel, finished, options);
    } catch (error) {
      if (!(error instanceof SlackPermanentError && BLOCKS_REFUSED.has(error.code))) throw error;
      // Better the alarm as plain text than in the failure queue.
      (this.options.log ?? logger).warn('slack refused the blocks; posting plain text', { error, channel });
      return this.postFinished(channel, plainTextOnly(finished), options);
    }
  }

  private async postFinished(
    channel: string,
    message: SlackMessage,
    options: { threadTs?: string; findExisting?: FindExisting },
  ): Promise<string> {
    const { threadTs, findExisting } = options;
    const result = await this.call(
      'chat.postMessage',
      () =>
        this.client.chat.postMessage({
          channel,
          ...withoutEmptyBlocks(message),
          ...(threadTs ? { thread_ts: threadTs } : {}),
          unfurl_links: false,
          unfurl_media: false,
        } as Parameters<WebClient['chat']['postMessage']>[0]),
      findExisting
        ? async () => {
            const ts = await findExisting();
            return ts === undefined ? undefined : { ok: true, ts };
          }
        : 'not-safe-to-repeat',
    );
    return typeof result.ts === 'string' ? result.ts : '';
  }

  /** chat.update sets the same content again when repeated, so it is retried as is. */
  async update(channel: string, ts: string, message: SlackMessage): Promise<void> {
    const send = (m: SlackMessage) =>
      this.call('chat.update', () =>
        this.client.chat.update({ channel, ts, ...withoutEmptyBlocks(m) } as Parameters<
          WebClient['chat']['update']
        >[0]),
      );
    const finished = finishMessage(message);
    try {
      await send(finished);
    } catch (error) {
      if (!(error instanceof SlackPermanentError && BLOCKS_REFUSED.has(error.code))) throw error;
      (this.options.log ?? logger).warn('slack refused the blocks; updating to plain text', {
        error,
        channel,
      });
      await send(plainTextOnly(finished));
    }
  }

  /** Deletes one of the bot's posts (a twin); a message already gone counts as deleted. */
  async delete(channel: string, ts: string): Promise<void> {
    try {
      await this.call('chat.delete', () => this.client.chat.delete({ channel, ts }));
    } catch (error) {
      if (!(error instanceof SlackPermanentError && error.code === 'message_not_found')) throw error;
    }
  }

  /** One page of top-level messages from `oldest` on, newest first, with their metadata. */
  async historyPage(
    channel: string,
    args: { oldest: Date; cursor?: string; limit: number },
  ): Promise<HistoryPage> {
    const result = await this.call('conversations.history', () =>
      this.client.conversations.history({
        channel,
        oldest: toSlackTs(args.oldest),
        limit: args.limit,
        include_all_metadata: true,
        ...(args.cursor ? { cursor: args.cursor } : {}),
      }),
    );
    const next = result.response_metadata?.next_cursor;
    return {
      messages: (result.messages ?? []) as HistoryMessage[],
      ...(result.has_more && next ? { nextCursor: next } : {}),
    };
  }

  /** A thread: its parent first, then the replies oldest first (one page; alarm threads are short). */
  async replies(channel: string, ts: string): Promise<HistoryMessage[]> {
    const result = await this.call('conversations.replies', () =>
      this.client.conversations.replies({ channel, ts, limit: 200, include_all_metadata: true }),
    );
    return (result.messages ?? []) as HistoryMessage[];
  }

  /**
   * One Web API call within the time left. `recover` decides what happens after an answer was
   * lost: undefined means the call is safe to repeat; a function looks for what the lost call may
   * have done (its result ends the call); 'not-safe-to-repeat' fails at once.
   */
  private async call<T>(
    method: string,
    request: () => Promise<T>,
    recover?: (() => Promise<T | undefined>) | 'not-safe-to-repeat',
  ): Promise<T> {
    const sleep = this.options.sleep ?? defaultSleep;
    const maxAttempts = this.options.maxAttempts ?? 3;
    let rateLimitWaits = 0;
    let lostAnswers = 0;
    let lastError: unknown;
    for (;;) {
      if (this.options.timeLeft() < MIN_ATTEMPT_MS) {
        const error = new SlackTransientError(method, 'no time left in this invocation', {
          cause: lastError,
        });
        throw lostAnswers === 0 ? unsent(error) : error;
      }
      // A post that can be looked up keeps half the time for the look-up: a slow answer then
      // ends as the post found, not as a failed invocation whose retry has to find it.
      this.attemptShare.current = typeof recover === 'function' ? 0.5 : 1;
      try {
        return await request();
      } catch (error) {
        lastError = error;
        const retryAfterMs = rateLimitDelay(error);
        if (retryAfterMs !== undefined) {
          // A 429 was refused before anything was done: waiting and sending again is safe. The
          // wait is Retry-After plus up to as much again at random, so that invocations limited
          // together (a burst of alarms, one post per second per channel) do not all come back at once.
          const waitMs = Math.round(retryAfterMs * (1 + (this.options.jitter ?? Math.random)()));
          if (
            rateLimitWaits >= (this.options.maxRateLimitWaits ?? 8) ||
            waitMs + MIN_ATTEMPT_MS >= this.options.timeLeft()
          ) {
            const limited = new SlackTransientError(
              method,
              `rate limited (Retry-After ${retryAfterMs / 1000}s)`,
              { cause: error },
            );
            throw lostAnswers === 0 ? unsent(limited) : limited;
          }
          rateLimitWaits += 1;
          await sleep(waitMs);
          continue;
        }
        const classified = classify(method, error);
        if (classified instanceof SlackPermanentError) throw classified;
        lostAnswers += 1;
        if (recover === 'not-safe-to-repeat' || lostAnswers >= maxAttempts) throw classified;
        if (recover !== undefined) {
          (this.options.log ?? logger).warn(
            'slack answer lost; looking for the message before sending again',
            {
              method,
              error: classified,
            },
          );
          const found = await recover();
          if (found !== undefined) return found;
        }
        await sleep(Math.min(250 * lostAnswers, Math.max(0, this.options.timeLeft() - MIN_ATTEMPT_MS)));
      }
    }
  }
}

/** Slack's `ts` form (seconds with 6 decimals) of a time. */
export function toSlackTs(time: Date): string {
  return (time.getTime() / 1000).toFixed(6);
}

function rateLimitDelay(error: unknown): number | undefined {
  const e = error as { code?: string; retryAfter?: number };
  if (e?.code === 'slack_webapi_rate_limited_error' && typeof e.retryAfter === 'number')
    return e.retryAfter * 1000;
  return undefined;
}

function classify(method: string, error: unknown): SlackPermanentError | SlackTransientError {
  const e = error as {
    code?: string;
    data?: { error?: string };
    statusCode?: number;
    original?: { name?: string; message?: string; cause?: { code?: string } };
  };
  if (e?.code === 'slack_webapi_platform_error') {
    const code = e.data?.error ?? 'unknown_error';
    return TRANSIENT_CODES.has(code)
      ? new SlackTransientError(method, code, { cause: error })
      : new SlackPermanentError(method, code, { cause: error });
  }
  if (e?.code === 'slack_webapi_http_error' && typeof e.statusCode === 'number') {
    return e.statusCode < 500
      ? new SlackPermanentError(method, `http_${e.statusCode}`, { cause: error })
      : new SlackTransientError(method, `http_${e.statusCode}`, { cause: error });
  }
  const original = e?.original;
  const reason =
    original?.name === 'TimeoutError'
      ? 'no answer within the time left'
      : (original?.cause?.code ?? original?.message ?? e?.code ?? 'request failed');
  return new SlackTransientError(method, reason, { cause: error });
}

const noop = () => undefined;
const clientLogger = {
  debug: noop,
  info: noop,
  // Failed requests are logged (with what was done about them) by SlackChannel itself.
  warn: (...parts: unknown[]) =>
    logger.debug('slack client warning', { detail: parts.map(String).join(' ') }),
  error: (...parts: unknown[]) => logger.warn('slack client error', { detail: parts.map(String).join(' ') }),
  setLevel: noop,
  getLevel: () => 'error' as never,
  setName: noop,
};
