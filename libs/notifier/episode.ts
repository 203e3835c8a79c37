import type { AlarmNotification } from '../alarms/types';
import type { Logger } from '../logging/logger';
import {
  type AlarmPost,
  alarmPostOf,
  answers,
  isTopLevel,
  type NotificationKeys,
  tsMillis,
} from '../slack/alarm-keys';
import type { Attachment, Block, SlackMessage } from '../slack/blocks';
import { SlackPermanentError, type SlackChannel } from '../slack/client';
import { type HistoryMessage, markResolved } from '../slack/thread';
import type { NotifierConfig } from './config';

export type Outcome =
  | { action: 'posted'; channel: string; ts: string }
  | { action: 'replied'; channel: string; ts: string; threadTs: string }
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
 * cap; `visit` returns true to stop. `complete` is false when the cap ended the read early.
 * Undefined when Slack refuses history for good (missing scope, a channel #name): the caller
 * posts without looking, as before; a transient failure is thrown and fails the invocation.
 */
async function scanHistory(
  ctx: EpisodeContext,
  oldest: Date,
  visit: Visit,
): Promise<{ complete: boolean } | undefined> {
  let cursor: string | undefined;
  try {
    for (let page = 0; page < ctx.config.historyPagesMax; page += 1) {
      const result = await ctx.slack.historyPage(ctx.channel, { oldest, cursor, limit: PAGE_SIZE });
      for (const message of result.messages) if (visit(message)) return { complete: true };
      if (result.nextCursor === undefined) return { complete: true };
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

/** The top-level post made for these keys since `oldest`, if any. */
async function findPosted(ctx: EpisodeContext, keys: NotificationKeys, oldest: Date) {
  let found: string | undefined;
  await scanHistory(ctx, oldest, (message) => {
    if (isTopLevel(message) && answers(message, keys)) found = message.ts;
    return found !== undefined;
  });
  return found;
}

/** The reply made for these keys in the thread of `parentTs`, if any. */
async function findReply(ctx: EpisodeContext, parentTs: string, keys: NotificationKeys) {
  const thread = await ctx.slack.replies(ctx.channel, parentTs);
  return thread.find((message) => message.ts !== parentTs && answers(message, keys))?.ts;
}

/**
 * A top-level post, once: history since `oldest` is searched for the keys first, and a post
 * whose answer was lost is searched for again before it is sent again.
 */
export async function postOnce(
  ctx: EpisodeContext,
  keys: NotificationKeys,
  oldest: Date,
  build: () => Promise<SlackMessage>,
): Promise<Outcome> {
  let duplicate: string | undefined;
  const read = await scanHistory(ctx, oldest, (message) => {
    if (isTopLevel(message) && answers(message, keys)) duplicate = message.ts;
    return duplicate !== undefined;
  });
  if (duplicate !== undefined) return { action: 'duplicate', channel: ctx.channel, ts: duplicate };
  return post(ctx, keys, oldest, await build(), read !== undefined);
}

async function post(
  ctx: EpisodeContext,
  keys: NotificationKeys,
  oldest: Date,
  message: SlackMessage,
  historyReadable: boolean,
): Promise<Outcome> {
  const ts = await ctx.slack.post(ctx.channel, message, {
    ...(historyReadable ? { findExisting: () => findPosted(ctx, keys, oldest) } : {}),
  });
  return { action: 'posted', channel: ctx.channel, ts };
}

/** The reply for `keys` under `parent`, posted unless the thread already has it. */
async function ensureReply(
  ctx: EpisodeContext,
  parent: AlarmPost,
  keys: NotificationKeys,
  reply: () => SlackMessage,
): Promise<string> {
  if ((parent.message.reply_count ?? 0) > 0) {
    const existing = await findReply(ctx, parent.ts, keys);
    if (existing !== undefined) return existing;
  }
  return ctx.slack.post(ctx.channel, reply(), {
    threadTs: parent.ts,
    findExisting: () => findReply(ctx, parent.ts, keys),
  });
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
  let duplicate: string | undefined;
  const later: AlarmPost[] = [];
  const read = await scanHistory(ctx, oldest, (message) => {
    if (isTopLevel(message) && answers(message, keys)) duplicate = message.ts;
    const found = alarmPostOf(message, alarm.arn);
    if (found !== undefined && found.time > start.getTime()) later.push(found);
    return duplicate !== undefined;
  });
  if (duplicate !== undefined) return { action: 'duplicate', channel: ctx.channel, ts: duplicate };
  const earlyOk = alarm.newState === 'ALARM' ? okThatEnds(later) : undefined;
  const message = await build();
  if (earlyOk !== undefined) return mergeIntoEarlyOk(ctx, alarm, earlyOk, message);
  return post(ctx, keys, oldest, message, read !== undefined);
}

/** The first posted change after this ALARM, if it is an OK that found no ALARM to resolve. */
function okThatEnds(later: AlarmPost[]): AlarmPost | undefined {
  const next = [...later].sort((a, b) => a.time - b.time)[0];
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
    return Array.isArray(blocks) ? [{ color: color ?? '#2EB67D', blocks }] : [];
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
 * posted on its own, and an ALARM that arrives later finds it (notifyOpening).
 */
export async function notifyOk(
  ctx: EpisodeContext,
  alarm: AlarmNotification & { arn: string },
  keys: NotificationKeys,
  at: Date,
  build: () => Promise<{ standalone: SlackMessage; reply: SlackMessage }>,
): Promise<Outcome> {
  const oldest = new Date(at.getTime() - ctx.config.threadLookbackHours * 3600_000);
  let duplicate: string | undefined;
  let episode: AlarmPost | undefined;
  const read = await scanHistory(ctx, oldest, (message) => {
    if (isTopLevel(message) && answers(message, keys)) duplicate = message.ts;
    const found = alarmPostOf(message, alarm.arn);
    if (
      found !== undefined &&
      found.time < at.getTime() &&
      (episode === undefined || found.time > episode.time)
    )
      episode = found;
    // Every post is newer than its state change: past the start of the best episode found,
    // nothing can start a later one, and this OK's own post would be newer still.
    return (
      duplicate !== undefined ||
      (episode !== undefined && tsMillis(message.ts) < episode.time - CLOCK_MARGIN_MS)
    );
  });
  if (duplicate !== undefined) return { action: 'duplicate', channel: ctx.channel, ts: duplicate };
  const messages = await build();
  const open: AlarmPost | undefined = episode;
  if (open === undefined || open.state !== 'ALARM' || open.resolvedAt !== undefined) {
    return post(ctx, keys, new Date(at.getTime() - CLOCK_MARGIN_MS), messages.standalone, read !== undefined);
  }
  const ts = await ensureReply(ctx, open, keys, () => messages.reply);
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
  return { action: 'replied', channel: ctx.channel, ts, threadTs: open.ts };
}
