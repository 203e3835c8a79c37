import type { AlarmNotification } from './alarms/types';
import type { Logger } from '../runtime/logger';
import {
  type AlarmPost,
  alarmPostOf,
  answers,
  isTopLevel,
  type NotificationKeys,
  tsMillis,
} from './slack/alarm-keys';
import type { Attachment, Block, SlackMessage } from './slack/blocks';
import { SlackPermanentError, type SlackChannel } from './slack/client';
import { type HistoryMessage, markResolved } from './slack/thread';
import type { NotifierConfig } from './config';

export type Outcome =
  | { action: 'posted'; channel: string; ts: string }
  | { action: 'replied'; channel: string; ts: string; thread_ts: string }
  | { action: 'merged'; channel: string; ts: string }
  | { action: 'duplicate'; channel: string; ts: string }
  | { action: 'printed'; channel: string }
  | { action: 'skipped'; reason: string };

/** Messages per conversations.history page (Slack recommends at most 200). */
const PAGE_SIZE = 200;
/**
 * A post is made after the state change it reports; this much is allowed for Slack's clock
 * running behind CloudWatch's when history is read from a state change on.
 */
export const CLOCK_MARGIN_MS = 60_000;

export interface EpisodeContext {
  slack: SlackChannel;
  channel: string;
  config: NotifierConfig;
  log: Logger;
}

type Visit = (message: HistoryMessage) => boolean;

/**
 * Reads top-level history from `oldest` on, newest first, following the cursor up to the page
 * cap; `visit` returns true to stop at once, `enough` (checked after each page) to stop there.
 * `complete` is false when the cap ended the read early. Undefined when Slack refuses history
 * for good (missing scope, a channel #name): the caller posts without looking, as before; a
 * transient failure is thrown and fails the invocation.
 */
async function scanHistory(
  ctx: EpisodeContext,
  oldest: Date,
  visit: Visit,
  enough: () => boolean = () => false,
): Promise<{ complete: boolean } | undefined> {
  let cursor: string | undefined;
  try {
    for (let page = 0; page < ctx.config.historyPagesMax; page += 1) {
      const result = await ctx.slack.historyPage(ctx.channel, { oldest, cursor, limit: PAGE_SIZE });
      for (const message of result.messages) if (visit(message)) return { complete: true };
      if (result.nextCursor === undefined || enough()) return { complete: true };
      cursor = result.nextCursor;
    }
  } catch (error) {
    if (!(error instanceof SlackPermanentError)) throw error;
    ctx.log.warn('could not read channel history; posting without looking for an earlier post', {
      error,
      channel: ctx.channel,
    });
    return undefined;
  }
  ctx.log.warn('history page cap reached before the start of the episode', {
    channel: ctx.channel,
    pages: ctx.config.historyPagesMax,
  });
  return { complete: false };
}

/** What one read of history found for a notification. */
interface Scan {
  read: { complete: boolean } | undefined;
  /** Top-level posts carrying the notification's keys (more than one: twins). */
  done: string[];
  /** The alarm's posts seen (for an ALARM: those after its state change). */
  posts: AlarmPost[];
}

async function scan(
  ctx: EpisodeContext,
  keys: NotificationKeys,
  oldest: Date,
  options: {
    alarmArn?: string;
    keep?: (post: AlarmPost) => boolean;
    stop?: (message: HistoryMessage) => boolean;
  } = {},
): Promise<Scan> {
  const result: Scan = { read: undefined, done: [], posts: [] };
  result.read = await scanHistory(
    ctx,
    oldest,
    (message) => {
      if (isTopLevel(message) && answers(message, keys) && message.ts !== undefined)
        result.done.push(message.ts);
      const post = options.alarmArn === undefined ? undefined : alarmPostOf(message, options.alarmArn);
      if (post !== undefined && (options.keep?.(post) ?? true)) result.posts.push(post);
      return options.stop?.(message) ?? false;
    },
    // Twins are posted within moments of each other: the page that has one has the others.
    () => result.done.length > 0,
  );
  return result;
}

const byTs = (a: string, b: string) => tsMillis(a) - tsMillis(b);

/**
 * The notification was handled already: its earliest post stands. Later ones are twins (two
 * deliveries handled at the same moment) and are deleted.
 */
async function alreadyDone(ctx: EpisodeContext, done: string[]): Promise<Outcome> {
  const [first, ...twins] = [...done].sort(byTs);
  for (const twin of twins) await ctx.slack.delete(ctx.channel, twin);
  if (twins.length > 0)
    ctx.log.warn('deleted twin posts', { channel: ctx.channel, kept: first, deleted: twins });
  return { action: 'duplicate', channel: ctx.channel, ts: first ?? '' };
}

/**
 * After a post: did another invocation handling the same notification (or the other end of
 * the same episode) post at the same moment, before it? Then the later post yields: it is
 * deleted and the earlier one stands.
 */
async function yieldToEarlier(ctx: EpisodeContext, ts: string, done: string[]): Promise<Outcome | undefined> {
  const earlier = done.filter((other) => tsMillis(other) < tsMillis(ts)).sort(byTs);
  if (earlier.length === 0) return undefined;
  await ctx.slack.delete(ctx.channel, ts);
  ctx.log.warn('a twin was posted first; deleted this post', {
    channel: ctx.channel,
    kept: earlier[0],
    deleted: ts,
  });
  return { action: 'duplicate', channel: ctx.channel, ts: earlier[0] ?? '' };
}

/** The top-level post made for these keys since `oldest`, if any. */
async function findPosted(ctx: EpisodeContext, keys: NotificationKeys, oldest: Date) {
  return (await scan(ctx, keys, oldest)).done.sort(byTs)[0];
}

/** The reply made for these keys in the thread of `parentTs`, if any (the earliest). */
async function findReply(ctx: EpisodeContext, parentTs: string, keys: NotificationKeys) {
  return (await repliesFor(ctx, parentTs, keys))[0];
}

async function repliesFor(ctx: EpisodeContext, parentTs: string, keys: NotificationKeys): Promise<string[]> {
  const thread = await ctx.slack.replies(ctx.channel, parentTs);
  return thread
    .filter((message) => message.ts !== parentTs && message.ts !== undefined && answers(message, keys))
    .map((message) => message.ts as string)
    .sort(byTs);
}

/**
 * A top-level post, once: history since `oldest` is searched for the keys first, a post whose
 * answer was lost is searched for before it is sent again, and a twin posted at the same moment
 * by another invocation is settled after (the later one is deleted).
 */
export async function postOnce(
  ctx: EpisodeContext,
  keys: NotificationKeys,
  oldest: Date,
  build: () => Promise<SlackMessage>,
): Promise<Outcome> {
  const before = await scan(ctx, keys, oldest);
  if (before.done.length > 0) return alreadyDone(ctx, before.done);
  const ts = await post(ctx, keys, oldest, await build(), before.read !== undefined);
  if (before.read === undefined) return posted(ctx, ts);
  return (await yieldToEarlier(ctx, ts, (await scan(ctx, keys, oldest)).done)) ?? posted(ctx, ts);
}

const posted = (ctx: EpisodeContext, ts: string): Outcome => ({ action: 'posted', channel: ctx.channel, ts });

async function post(
  ctx: EpisodeContext,
  keys: NotificationKeys,
  oldest: Date,
  message: SlackMessage,
  historyReadable: boolean,
): Promise<string> {
  return ctx.slack.post(ctx.channel, message, {
    ...(historyReadable ? { findExisting: () => findPosted(ctx, keys, oldest) } : {}),
  });
}

/** The reply for `keys` under `parent`, posted unless the thread already has it; twins settled. */
async function ensureReply(
  ctx: EpisodeContext,
  parent: AlarmPost,
  keys: NotificationKeys,
  reply: () => SlackMessage,
): Promise<string> {
  if ((parent.message.reply_count ?? 0) > 0) {
    const existing = await repliesFor(ctx, parent.ts, keys);
    const [first, ...twins] = existing;
    for (const twin of twins) await ctx.slack.delete(ctx.channel, twin);
    if (first !== undefined) return first;
  }
  const ts = await ctx.slack.post(ctx.channel, reply(), {
    threadTs: parent.ts,
    findExisting: () => findReply(ctx, parent.ts, keys),
  });
  const first = (await repliesFor(ctx, parent.ts, keys))[0];
  if (first !== undefined && tsMillis(first) < tsMillis(ts)) {
    await ctx.slack.delete(ctx.channel, ts);
    return first;
  }
  return ts;
}

/**
 * ALARM (and INSUFFICIENT_DATA when posted): one top-level post per state change. History is
 * read from the state change on (the episode start). An OK of this episode that came first
 * was posted on its own; it becomes the episode's post instead of a second one.
 */
export async function notifyOpening(
  ctx: EpisodeContext,
  alarm: AlarmNotification & { arn: string },
  keys: NotificationKeys,
  start: Date,
  build: () => Promise<SlackMessage>,
): Promise<Outcome> {
  const oldest = new Date(start.getTime() - CLOCK_MARGIN_MS);
  const look = () =>
    scan(ctx, keys, oldest, { alarmArn: alarm.arn, keep: (post) => post.time > start.getTime() });
  const before = await look();
  if (before.done.length > 0) return alreadyDone(ctx, before.done);
  const message = await build();
  const endsIt = (posts: AlarmPost[]) => (alarm.newState === 'ALARM' ? okThatEnds(posts) : undefined);
  const earlyOk = endsIt(before.posts);
  if (earlyOk !== undefined) return mergeIntoEarlyOk(ctx, alarm, earlyOk, message);
  const ts = await post(ctx, keys, oldest, message, before.read !== undefined);
  if (before.read === undefined) return posted(ctx, ts);
  // The same notification, or the OK that ends this episode, may have been posted by another
  // invocation at the same moment: the later post yields.
  const after = await look();
  const twin = await yieldToEarlier(ctx, ts, after.done);
  if (twin !== undefined) return twin;
  const okMeanwhile = endsIt(after.posts);
  if (okMeanwhile !== undefined && tsMillis(okMeanwhile.ts) < tsMillis(ts)) {
    await ctx.slack.delete(ctx.channel, ts);
    return mergeIntoEarlyOk(ctx, alarm, okMeanwhile, message);
  }
  return posted(ctx, ts);
}
/** The first posted change after this ALARM, if it is an OK that found no ALARM to resolve. */
function okThatEnds(later: AlarmPost[]): AlarmPost | undefined {
  const next = [...later].sort((a, b) => a.time - b.time || tsMillis(a.ts) - tsMillis(b.ts))[0];
  if (next === undefined || next.state !== 'OK' || next.resolvedAt !== undefined) return undefined;
  return (next.oldState ?? 'ALARM') === 'ALARM' ? next : undefined;
}

/**
 * The OK came first and was posted on its own. Its post becomes the episode's: the OK goes
 * into its thread as it was, then the post is updated to the ALARM, marked resolved at the OK's
 * time. The channel ends as it would have with the two in order. Reply first: a retry finds
 * the reply and only updates.
 */
async function mergeIntoEarlyOk(
  ctx: EpisodeContext,
  alarm: AlarmNotification,
  earlyOk: AlarmPost,
  alarmMessage: SlackMessage,
): Promise<Outcome> {
  const okPayload = earlyOk.message.metadata?.event_payload ?? {};
  const okKeys = { messageId: earlyOk.messageId, alarmArn: alarm.arn, time: String(okPayload.time) };
  await ensureReply(ctx, earlyOk, okKeys, () => asReply(earlyOk.message));
  const resolved = markResolved(
    { ts: earlyOk.ts, ...alarmMessage },
    { name: alarm.name, stateChangeTime: new Date(earlyOk.time) },
    ctx.config.timeZone,
    { resolved_message_id: earlyOk.messageId ?? '' },
  );
  await ctx.slack.update(ctx.channel, earlyOk.ts, resolved);
  return { action: 'merged', channel: ctx.channel, ts: earlyOk.ts };
}

/** A post read back from history, as a thread reply (without the ids Slack added). */
function asReply(message: HistoryMessage): SlackMessage {
  const attachments = (message.attachments ?? []).flatMap((a) => {
    const { color, blocks } = a as Partial<Attachment>;
    // History may give the colour without its '#'.
    const hex = typeof color === 'string' && /^[0-9a-f]{6}$/i.test(color) ? `#${color}` : color;
    return Array.isArray(blocks) ? [{ color: hex ?? '#2EB67D', blocks }] : [];
  });
  const payload = message.metadata?.event_payload ?? {};
  return {
    text: message.text ?? '',
    blocks: (message.blocks ?? []) as Block[],
    attachments,
    metadata: {
      event_type: message.metadata?.event_type ?? '',
      event_payload: { ...(payload as Record<string, string>), kind: 'reply' },
    },
  };
}

/**
 * OK: a reply in the thread of the ALARM it ends, which is marked resolved. That ALARM is the
 * alarm's post with the latest state change before the OK's, read back through history page
 * by page (`THREAD_LOOKBACK_HOURS`, `HISTORY_PAGES_MAX`). With no open ALARM there, the OK is
 * posted on its own, and an ALARM that arrives later finds it (notifyOpening). An ALARM that ends
 * in INSUFFICIENT_DATA closes its post the same way ("ended, no data"); with no open ALARM it is
 * posted alone only when the stage posts INSUFFICIENT_DATA (`alone`).
 */
export async function notifyOk(
  ctx: EpisodeContext,
  alarm: AlarmNotification & { arn: string },
  keys: NotificationKeys,
  at: Date,
  /** Post it on its own when no open ALARM post is found (else skip it). */
  alone: boolean,
  build: () => Promise<{ standalone: SlackMessage; reply: SlackMessage }>,
): Promise<Outcome> {
  const oldest = new Date(at.getTime() - ctx.config.threadLookbackHours * 3600_000);
  const look = async () => {
    let episode: AlarmPost | undefined;
    const found = await scan(ctx, keys, oldest, {
      alarmArn: alarm.arn,
      keep: (post) => {
        // Newest first: of twins (the same change posted twice at once), the earliest is kept.
        if (post.time < at.getTime() && (episode === undefined || post.time >= episode.time)) episode = post;
        return false;
      },
      // Every post is newer than its state change: past the start of the best episode found,
      // nothing can start a later one, and this OK's own post would be newer still.
      stop: (message) => episode !== undefined && tsMillis(message.ts) < episode.time - CLOCK_MARGIN_MS,
    });
    const open = episode as AlarmPost | undefined;
    return { ...found, open: open?.state === 'ALARM' && open.resolvedAt === undefined ? open : undefined };
  };
  const before = await look();
  if (before.done.length > 0) return alreadyDone(ctx, before.done);
  const messages = await build();
  if (before.open !== undefined) return resolve(ctx, alarm, keys, before.open, messages.reply);
  if (!alone) {
    return {
      action: 'skipped',
      reason: `no open ALARM post of ${alarm.name} to close, and ${alarm.newState} alone is not posted`,
    };
  }
  const standaloneFrom = new Date(at.getTime() - CLOCK_MARGIN_MS);
  const ts = await post(ctx, keys, standaloneFrom, messages.standalone, before.read !== undefined);
  if (before.read === undefined) return posted(ctx, ts);
  // A twin, or the ALARM this OK ends, posted by another invocation at the same moment: the
  // later post yields (an ALARM posted after this OK merges into it, notifyOpening).
  const after = await look();
  const twin = await yieldToEarlier(ctx, ts, after.done);
  if (twin !== undefined) return twin;
  if (after.open !== undefined && tsMillis(after.open.ts) < tsMillis(ts)) {
    await ctx.slack.delete(ctx.channel, ts);
    return resolve(ctx, alarm, keys, after.open, messages.reply);
  }
  return posted(ctx, ts);
}

/** The OK as a reply under the ALARM it ends, then the ALARM marked resolved. */
async function resolve(
  ctx: EpisodeContext,
  alarm: AlarmNotification,
  keys: NotificationKeys,
  open: AlarmPost,
  reply: SlackMessage,
): Promise<Outcome> {
  const ts = await ensureReply(ctx, open, keys, () => reply);
  try {
    await ctx.slack.update(
      ctx.channel,
      open.ts,
      markResolved(open.message, alarm, ctx.config.timeZone, { resolved_message_id: keys.messageId ?? '' }),
    );
  } catch (error) {
    // A transient failure fails the invocation: its retry finds the reply and only updates.
    if (!(error instanceof SlackPermanentError)) throw error;
    ctx.log.warn('could not mark the ALARM post resolved', { error, channel: ctx.channel, ts: open.ts });
  }
  return { action: 'replied', channel: ctx.channel, ts, thread_ts: open.ts };
}
