import { randomUUID } from 'node:crypto';
import { SlackPermanentError, SlackTransientError } from './slack/client';
import type { EpisodeContext } from './episode';
import { findPost } from './find-post';
import {
  digestOf,
  memberIdOf,
  pastThreshold,
  stormKey,
  stormMinute,
  summaryKeys,
  summaryMessage,
} from './storm-plan';
import { type AlarmLedger, LedgerLockLostError } from './ledger-table';
import type { StormLedger } from './storm-table';
import { AppError } from '../runtime/errors';

/**
 * The storm summary in Slack (docs/notifier.md "Alarm storms"): an ALARM past the channel's
 * threshold for its minute is listed in the minute's summary instead of posted, and its line
 * follows its episode. Only the holder of the minute's lock (the same lock an alarm's head
 * has) posts or updates the summary, reading the members afresh each time, so concurrent
 * updates never undo each other; an update is sent only when what the summary shows changed.
 */

/** What the summary needs of the ledger flow (ledger-notify.ts passes its own deps). */
export interface StormDeps {
  ledger: AlarmLedger;
  storm?: StormLedger;
  timeLeft: () => number;
  sleep: (ms: number) => Promise<void>;
  now: () => Date;
}

/** Another invocation held the minute's summary for all the time this one had: Lambda retries it. */
export class StormSummaryBusyError extends AppError {}

/** Pause between tries for the minute's lock. */
const LOCK_POLL_MS = 200;
const LOCK_RESERVE_MS = 3000;

/** The alarm whose episode is being placed, and the lock its invocation holds. */
export interface StormAlarm {
  arn: string;
  name: string;
  /** The alarm's lock token: a member's line is written only while it holds. */
  token: string;
}

/**
 * Lists the episode starting at `time` in its minute's summary when it is past the threshold:
 * the summary's ts and ledger key, or undefined when the alarm is to be posted on its own.
 */
export async function listInSummary(
  ctx: EpisodeContext,
  deps: StormDeps,
  alarm: StormAlarm,
  time: string,
  shown: string,
): Promise<{ key: string; ts: string } | undefined> {
  const threshold = ctx.config.stormThreshold;
  if (deps.storm === undefined || threshold === 0) return undefined;
  const minute = stormMinute(time);
  const key = stormKey(ctx.channel, minute);
  const id = memberIdOf(alarm.arn, time);
  const rank = await deps.storm.join(key, { id, name: alarm.name, time, shown });
  if (!pastThreshold(rank, threshold)) return undefined;
  // A repeat may know more than the first delivery did (its OK arrived since).
  await deps.storm.setShown(key, id, alarm.arn, alarm.token, shown);
  return { key, ts: await refreshSummary(ctx, deps, key, minute) };
}

/** The episode's line shows `shown` now (its OK arrived): the summary is brought up to date. */
export async function markInSummary(
  ctx: EpisodeContext,
  deps: StormDeps,
  alarm: StormAlarm,
  key: string,
  time: string,
  shown: string,
): Promise<void> {
  if (deps.storm === undefined) return;
  await deps.storm.setShown(key, memberIdOf(alarm.arn, time), alarm.arn, alarm.token, shown);
  await refreshSummary(ctx, deps, key, stormMinute(time));
}

/** Posts the summary once, or updates it to what its members show now; returns its ts. */
async function refreshSummary(ctx: EpisodeContext, deps: StormDeps, key: string, minute: string) {
  const storm = deps.storm!;
  const token = randomUUID();
  await takeMinuteLock(deps, key, token);
  try {
    const item = await storm.read(key);
    const message = summaryMessage(
      { key, minute, threshold: ctx.config.stormThreshold, stage: ctx.config.stage },
      item.members,
    );
    const digest = digestOf(message);
    const keys = summaryKeys(key, minute);
    let ts = item.summaryTs;
    if (ts === undefined && item.summaryStartedAt !== undefined) {
      // An earlier attempt posted it and did not live to write the answer down.
      ts = await findPost(ctx, keys, minute);
      if (ts !== undefined) await storm.writeSummary(key, token, { summaryTs: ts });
    }
    if (ts === undefined) {
      await storm.writeSummary(key, token, { summaryStartedAt: deps.now().getTime() });
      let posted: string;
      try {
        posted = await ctx.slack.post(ctx.channel, message, {
          findExisting: () => findPost(ctx, keys, minute),
        });
      } catch (error) {
        if (error instanceof SlackTransientError && error.unsent)
          await storm.writeSummary(key, token, { summaryStartedAt: null });
        throw error;
      }
      try {
        await storm.writeSummary(key, token, { summaryTs: posted, summaryDigest: digest });
      } catch (error) {
        // Another invocation holds the minute now and may post it too: this post yields.
        if (error instanceof LedgerLockLostError) await ctx.slack.delete(ctx.channel, posted);
        throw error;
      }
      return posted;
    }
    if (item.summaryDigest !== digest) {
      try {
        await ctx.slack.update(ctx.channel, ts, message);
      } catch (error) {
        if (!(error instanceof SlackPermanentError)) throw error;
        ctx.log.warn('could not update the storm summary', { error, channel: ctx.channel, ts });
      }
      await storm.writeSummary(key, token, { summaryDigest: digest });
    }
    return ts;
  } finally {
    await deps.ledger.release(key, token);
  }
}

async function takeMinuteLock(deps: StormDeps, key: string, token: string): Promise<void> {
  for (let tries = 0; ; tries += 1) {
    const until = deps.now().getTime() + Math.max(deps.timeLeft(), 1000);
    const lock = await deps.ledger.lock(key, token, until, { name: 'alarm storm summary' });
    if (lock.acquired) return;
    if (deps.timeLeft() < LOCK_RESERVE_MS + LOCK_POLL_MS)
      throw new StormSummaryBusyError(`another invocation holds the storm summary ${key}`);
    await deps.sleep(Math.min(LOCK_POLL_MS * 2 ** tries, 1000) * (0.5 + Math.random()));
  }
}
