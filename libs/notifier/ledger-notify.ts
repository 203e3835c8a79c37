import { randomUUID } from 'node:crypto';
import { parseSnsMessage } from './alarms/parse';
import type { AlarmNotification } from './alarms/types';
import { AppError } from '../runtime/errors';
import { answers, type NotificationKeys, withKeys } from './slack/alarm-keys';
import { buildAlarmMessage } from './slack/alarm-message';
import { type Attachment, mrkdwn, type SlackMessage } from './slack/blocks';
import { SlackPermanentError, SlackTransientError } from './slack/client';
import { type HistoryMessage, markResolved } from './slack/thread';
import { type EpisodeContext, notifyOk, type Outcome } from './episode';
import { byTime, episodesInDay, type LedgerChange, planOf, type Role, shownOf } from './ledger-plan';
import { type AlarmLedger, LedgerLockLostError } from './ledger-table';
import { findPost } from './find-post';
import { listInSummary, markInSummary } from './storm-summary';
import type { StormLedger } from './storm-table';

/**
 * One alarm notification through the ledger (docs/notifier.md "The alarm ledger"): the state
 * change is recorded, the alarm's lock taken, and the channel brought to what the recorded
 * changes say it should show (ledger-plan.ts): this change's post, every reply under the
 * episode it belongs to, every post marked resolved once its end is known. What was done is
 * written back as it is done, so a repeat finds nothing left to do and makes no Slack call;
 * channel history is read only for a post whose answer was lost.
 */

/** Another invocation held the alarm for all the time this one had: Lambda retries it. */
export class LedgerBusyError extends AppError {}

export interface LedgerDeps {
  ledger: AlarmLedger;
  timeLeft: () => number;
  sleep: (ms: number) => Promise<void>;
  now: () => Date;
  /** Storm summaries (ALARM_STORM_THRESHOLD); undefined: every ALARM is posted on its own. */
  storm?: StormLedger;
}

export interface LedgerNotification {
  alarm: AlarmNotification & { arn: string; stateChangeTime: Date };
  messageId?: string;
  /** The SNS Message as received (stored so another invocation can build this change's reply). */
  notification: string;
  subject?: string;
  /** The full message for this change's own post (with its log lines). */
  full: () => Promise<SlackMessage>;
}

/** Longest the ledger keeps a notification text; a larger one is not kept (its reply is rebuilt shorter). */
const MAX_STORED_NOTIFICATION = 64_000;
/** Pause between tries for a lock another invocation holds. */
const LOCK_POLL_MS = 250;
/** Time kept back when waiting for a lock, so this invocation can still do its own work. */
const LOCK_RESERVE_MS = 3000;

export async function notifyWithLedger(
  ctx: EpisodeContext,
  deps: LedgerDeps,
  input: LedgerNotification,
): Promise<Outcome> {
  const { alarm } = input;
  const time = alarm.stateChangeTime.toISOString();
  const notification = input.notification.length <= MAX_STORED_NOTIFICATION ? input.notification : undefined;
  const recorded = await deps.ledger.record(alarm.arn, {
    time,
    state: alarm.newState,
    ...(alarm.oldState ? { oldState: alarm.oldState } : {}),
    ...(input.messageId ? { messageId: input.messageId } : {}),
    ...(notification ? { notification } : {}),
    ...(input.subject ? { subject: input.subject } : {}),
  });
  const token = randomUUID();
  const firstSeen = await takeLock(deps, alarm, token);
  try {
    return await reconcile(ctx, deps, input, token, { time, firstSeen, repeat: recorded === 'repeat' });
  } finally {
    await deps.ledger.release(alarm.arn, token);
  }
}

async function takeLock(
  deps: LedgerDeps,
  alarm: LedgerNotification['alarm'],
  token: string,
): Promise<boolean> {
  for (let tries = 0; ; tries += 1) {
    const until = deps.now().getTime() + Math.max(deps.timeLeft(), 1000);
    const lock = await deps.ledger.lock(alarm.arn, token, until, {
      name: alarm.name,
      account: alarm.accountId,
    });
    if (lock.acquired) return lock.firstSeen;
    if (deps.timeLeft() < LOCK_RESERVE_MS + LOCK_POLL_MS)
      throw new LedgerBusyError(`another invocation holds ${alarm.name} in the alarm ledger`);
    // Backing off: a holder waiting on Slack's rate limits may keep it for seconds.
    await deps.sleep(Math.min(LOCK_POLL_MS * 2 ** tries, 2000) * (0.5 + Math.random()));
  }
}

interface Reconciling {
  ctx: EpisodeContext;
  deps: LedgerDeps;
  input: LedgerNotification;
  token: string;
  changes: LedgerChange[];
  roles: Map<string, Role>;
}

async function reconcile(
  ctx: EpisodeContext,
  deps: LedgerDeps,
  input: LedgerNotification,
  token: string,
  about: { time: string; firstSeen: boolean; repeat: boolean },
): Promise<Outcome> {
  const lookback = ctx.config.threadLookbackHours * 3600_000;
  const since = new Date(input.alarm.stateChangeTime.getTime() - lookback).toISOString();
  const changes = (await deps.ledger.changes(input.alarm.arn, since)).sort(byTime);
  const state: Reconciling = { ctx, deps, input, token, changes, roles: planOf(changes) };
  const own = changes.find((c) => c.time === about.time);
  if (own === undefined) throw new AppError(`the ledger lost the change it just recorded (${about.time})`);
  const role = state.roles.get(own.time) as Role;
  let outcome: Outcome | undefined;
  if ((role.kind === 'episode' || role.kind === 'standalone') && own.postTs === undefined) {
    outcome = await postOwn(state, own, role);
  }
  if (role.kind === 'waiting' && about.firstSeen && own.replyTs === undefined) {
    // A stage that ran without the ledger: the ALARM this OK ends may be in the channel only.
    outcome = await closeUnrecordedEpisode(state, own);
  }
  for (const change of changes) {
    const episodeRole = state.roles.get(change.time);
    if (episodeRole?.kind === 'episode' && change.postTs !== undefined) {
      const replied = await settleEpisode(state, change, episodeRole);
      if (replied !== undefined && replied.time === own.time)
        outcome = {
          action: 'replied',
          channel: change.postChannel ?? ctx.channel,
          ts: replied.replyTs ?? '',
          thread_ts: change.postTs,
        };
    }
  }
  if (outcome !== undefined) return outcome;
  if (own.postTs !== undefined)
    return { action: 'duplicate', channel: own.postChannel ?? ctx.channel, ts: own.postTs };
  if (own.replyTs !== undefined) return { action: 'duplicate', channel: ctx.channel, ts: own.replyTs };
  return {
    action: 'skipped',
    reason: `${own.state} at ${own.time} recorded; its ALARM has not arrived yet (it will be threaded under it)`,
  };
}

/** This change's own top-level post: made once; a post whose answer was lost is found first. */
async function postOwn(state: Reconciling, own: LedgerChange, role: Role): Promise<Outcome> {
  const { ctx, deps, input, token } = state;
  const keys = keysOf(input.alarm.arn, own);
  if (own.postStartedAt !== undefined) {
    // An earlier attempt sent it and did not live to write the answer down.
    const found = await findPost(ctx, keys, own.time);
    if (found !== undefined) {
      const message = await buildOwn(input, keys);
      Object.assign(own, { postTs: found, postChannel: ctx.channel, postMessage: JSON.stringify(message) });
      own.shown = 'unknown';
      await deps.ledger.write(input.alarm.arn, token, own.time, {
        postTs: found,
        postChannel: ctx.channel,
        postMessage: own.postMessage,
        shown: own.shown,
      });
      return { action: 'duplicate', channel: ctx.channel, ts: found };
    }
  }
  const shown = shownOf(role);
  if (role.kind === 'episode') {
    // Past the storm threshold: a line of the minute's summary instead of a post of its own.
    const listed = await listInSummary(ctx, deps, stormAlarm(state), own.time, shown);
    if (listed !== undefined) {
      Object.assign(own, { postTs: listed.ts, postChannel: ctx.channel, summary: listed.key, shown });
      await deps.ledger.write(input.alarm.arn, token, own.time, {
        postTs: listed.ts,
        postChannel: ctx.channel,
        summary: listed.key,
        shown,
      });
      return { action: 'merged', channel: ctx.channel, ts: listed.ts };
    }
  }
  own.postStartedAt = deps.now().getTime();
  await deps.ledger.write(input.alarm.arn, token, own.time, { postStartedAt: own.postStartedAt });
  const message = await buildOwn(input, keys);
  const sent =
    role.kind === 'episode' && role.end !== undefined ? episodeForm(state, own, message, role) : message;
  const ts = await unlessUnsent(
    ctx.slack.post(ctx.channel, sent, { findExisting: () => findPost(ctx, keys, own.time) }),
    () => deps.ledger.write(input.alarm.arn, token, own.time, { postStartedAt: null }),
  );
  Object.assign(own, { postTs: ts, postChannel: ctx.channel, postMessage: JSON.stringify(message), shown });
  try {
    await deps.ledger.write(input.alarm.arn, token, own.time, {
      postTs: ts,
      postChannel: ctx.channel,
      postMessage: own.postMessage,
      shown,
    });
  } catch (error) {
    // Another invocation holds the alarm now and may post it too: this post yields.
    if (error instanceof LedgerLockLostError) await ctx.slack.delete(ctx.channel, ts);
    throw error;
  }
  return { action: 'posted', channel: ctx.channel, ts };
}

/**
 * The post's ts; when it failed without reaching Slack (429s only), the mark that it was started
 * is taken back, so the retry posts at once instead of looking for it in history.
 */
async function unlessUnsent(posting: Promise<string>, takeBack: () => Promise<void>): Promise<string> {
  try {
    return await posting;
  } catch (error) {
    if (error instanceof SlackTransientError && error.unsent) await takeBack();
    throw error;
  }
}

async function buildOwn(input: LedgerNotification, keys: NotificationKeys): Promise<SlackMessage> {
  return withKeys(await input.full(), keys);
}

const keysOf = (arn: string, change: LedgerChange): NotificationKeys => ({
  messageId: change.messageId,
  alarmArn: arn,
  time: change.time,
});

const stormAlarm = (state: Reconciling) => ({
  arn: state.input.alarm.arn,
  name: state.input.alarm.name,
  token: state.token,
});

/** The reply of `change` in the thread of `parentTs`, if a lost answer left one there. */
async function findReply(
  ctx: EpisodeContext,
  channel: string,
  parentTs: string,
  keys: NotificationKeys,
): Promise<string | undefined> {
  const thread = await ctx.slack.replies(channel, parentTs);
  return thread.find((m) => m.ts !== parentTs && m.ts !== undefined && answers(m, keys))?.ts;
}

/**
 * An episode's replies and resolution: the change that ends it goes into its thread (moved there
 * from another thread if it was put under the wrong post before an earlier change arrived), then
 * the post shows what the plan says. Returns the change whose reply this call posted.
 */
async function settleEpisode(
  state: Reconciling,
  episode: LedgerChange,
  role: Extract<Role, { kind: 'episode' }>,
): Promise<LedgerChange | undefined> {
  const { ctx, deps, input, token } = state;
  const channel = episode.postChannel ?? ctx.channel;
  const parentTs = episode.postTs as string;
  let replied: LedgerChange | undefined;
  // Replies that sit under this post but belong elsewhere now are removed first.
  for (const other of state.changes) {
    if (other.replyParent !== parentTs || other.replyTs === undefined) continue;
    const otherRole = state.roles.get(other.time);
    // Kept when it belongs in this thread (a storm summary is the thread of several episodes).
    if (otherRole?.kind === 'reply' && otherRole.parent.postTs === parentTs) continue;
    await ctx.slack.delete(channel, other.replyTs);
    other.replyTs = undefined;
    other.replyParent = undefined;
    await deps.ledger.write(input.alarm.arn, token, other.time, { replyTs: null, replyParent: null });
  }
  const end = role.end?.kind === 'change' ? role.end.change : undefined;
  if (end !== undefined && (end.replyTs === undefined || end.replyParent !== parentTs)) {
    const reply = replyMessage(state, end);
    if (reply !== undefined) {
      const keys = keysOf(input.alarm.arn, end);
      let ts = end.replyStartedAt !== undefined ? await findReply(ctx, channel, parentTs, keys) : undefined;
      if (ts === undefined) {
        end.replyStartedAt = deps.now().getTime();
        await deps.ledger.write(input.alarm.arn, token, end.time, { replyStartedAt: end.replyStartedAt });
        ts = await unlessUnsent(
          ctx.slack.post(channel, reply, {
            threadTs: parentTs,
            findExisting: () => findReply(ctx, channel, parentTs, keys),
          }),
          () => deps.ledger.write(input.alarm.arn, token, end.time, { replyStartedAt: null }),
        );
        try {
          await deps.ledger.write(input.alarm.arn, token, end.time, { replyTs: ts, replyParent: parentTs });
        } catch (error) {
          if (error instanceof LedgerLockLostError) await ctx.slack.delete(channel, ts);
          throw error;
        }
      } else {
        await deps.ledger.write(input.alarm.arn, token, end.time, { replyTs: ts, replyParent: parentTs });
      }
      end.replyTs = ts;
      end.replyParent = parentTs;
      replied = end;
    }
  }
  const wanted = shownOf(role);
  if (episode.shown !== wanted && episode.summary !== undefined) {
    await markInSummary(ctx, deps, stormAlarm(state), episode.summary, episode.time, wanted);
    episode.shown = wanted;
    await deps.ledger.write(input.alarm.arn, token, episode.time, { shown: wanted });
  } else if (episode.shown !== wanted && episode.postMessage !== undefined) {
    const original = JSON.parse(episode.postMessage) as SlackMessage;
    try {
      await ctx.slack.update(channel, parentTs, episodeForm(state, episode, original, role));
    } catch (error) {
      if (!(error instanceof SlackPermanentError)) throw error;
      ctx.log.warn('could not mark the ALARM post resolved', { error, channel, ts: parentTs });
    }
    episode.shown = wanted;
    await deps.ledger.write(input.alarm.arn, token, episode.time, { shown: wanted });
  }
  return replied;
}

/** The compact reply of a recorded change, built from the notification the ledger kept. */
function replyMessage(state: Reconciling, change: LedgerChange): SlackMessage | undefined {
  const { ctx, input } = state;
  const config = ctx.config;
  const parsed =
    change.notification !== undefined ? parseSnsMessage(change.notification, change.subject) : undefined;
  const alarm: AlarmNotification =
    parsed?.type === 'alarm'
      ? parsed.alarm
      : {
          ...input.alarm,
          newState: change.state,
          oldState: change.oldState,
          reason: '',
          stateChangeTime: new Date(change.time),
          triggeringChildren: [],
        };
  const message = buildAlarmMessage(alarm, {
    stage: config.stage,
    timeZone: config.timeZone,
    mention: config.mention,
    maxLineChars: config.maxLineChars,
    compact: true,
  });
  return withKeys(message, keysOf(input.alarm.arn, change), { kind: 'reply' });
}

/** The episode's post as the plan wants it: as sent, or resolved with how long it fired. */
function episodeForm(
  state: Reconciling,
  episode: LedgerChange,
  original: SlackMessage,
  role: Role,
): SlackMessage {
  if (role.kind !== 'episode' || role.end === undefined) return original;
  const { ctx, input } = state;
  const end = role.end.kind === 'change' ? role.end.change : undefined;
  const history: HistoryMessage = { ...original, metadata: original.metadata };
  const resolved = markResolved(
    history,
    {
      name: input.alarm.name,
      stateChangeTime: end ? new Date(end.time) : undefined,
      newState: end?.state ?? 'OK',
    },
    ctx.config.timeZone,
    end ? { resolved_message_id: end.messageId ?? '' } : {},
  );
  const endTime = end?.time ?? (role.end.kind === 'superseded' ? role.end.next.time : episode.time);
  const firedMs = Date.parse(endTime) - Date.parse(episode.time);
  const flaps = episodesInDay(state.changes, endTime);
  const summary = `${end ? 'Fired for' : 'Fired for at most'} ${duration(firedMs)} · ${flaps} ALARM episode${flaps === 1 ? '' : 's'} in the 24 h before`;
  const attachments = (resolved.attachments ?? []).map((a: Attachment, i) =>
    i === 0 ? { ...a, blocks: [...a.blocks, { type: 'context' as const, elements: [mrkdwn(summary)] }] } : a,
  );
  return { ...resolved, attachments };
}

/** "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h${min % 60 ? ` ${min % 60} min` : ''}`;
  return `${Math.floor(h / 24)} d${h % 24 ? ` ${h % 24} h` : ''}`;
}

/**
 * The upgrade path: the first OK the ledger sees for an alarm, with no ALARM recorded before it,
 * may end an ALARM posted before the stage had the ledger. It is looked for in channel history
 * once (as without the ledger); a throttled or refused read leaves the OK waiting for its ALARM.
 */
async function closeUnrecordedEpisode(state: Reconciling, own: LedgerChange): Promise<Outcome | undefined> {
  const { ctx, deps, input, token } = state;
  const reply = replyMessage(state, own);
  if (reply === undefined) return undefined;
  try {
    const outcome = await notifyOk(
      ctx,
      input.alarm,
      keysOf(input.alarm.arn, own),
      input.alarm.stateChangeTime,
      false,
      async () => ({
        standalone: reply,
        reply,
      }),
    );
    if (outcome.action === 'replied') {
      own.replyTs = outcome.ts;
      own.replyParent = `legacy:${outcome.thread_ts}`;
      await deps.ledger.write(input.alarm.arn, token, own.time, {
        replyTs: own.replyTs,
        replyParent: own.replyParent,
      });
      return outcome;
    }
  } catch (error) {
    if (error instanceof LedgerLockLostError) throw error;
    ctx.log.warn('no ALARM post from before the ledger found for this OK', {
      error,
      alarm: input.alarm.name,
    });
  }
  return undefined;
}
