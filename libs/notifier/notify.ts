import type { LogLinesFound } from './alarms/log-lines';
import { parseSnsMessage } from './alarms/parse';
import type { AlarmNotification } from './alarms/types';
import { describeError } from '../runtime/errors';
import type { Logger } from '../runtime/logger';
import { buildAlarmMessage, type LogLinesOutcome } from './slack/alarm-message';
import type { SlackMessage } from './slack/blocks';
import { type SlackChannel, SlackPermanentError } from './slack/client';
import { buildOtherMessage } from './slack/other-message';
import { withKeys } from './slack/alarm-keys';
import { channelFor, type NotifierConfig } from './config';
import { CLOCK_MARGIN_MS, notifyOk, notifyOpening, type Outcome, postOnce } from './episode';
import { type LedgerDeps, notifyWithLedger } from './ledger-notify';

/** The fields of an SNS record the notifier reads. */
export interface SnsNotification {
  Message?: unknown;
  Subject?: string | null;
  TopicArn?: string;
  MessageId?: string;
  Timestamp?: string;
}

export type { Outcome } from './episode';

export interface NotifyDeps {
  config: NotifierConfig;
  /**
   * Opens the Slack channel (token read, client made) when a post is due, so skipped
   * notifications need neither. Undefined means no Slack: print the payload instead.
   */
  slack?: () => Promise<SlackChannel>;
  /** Looks up the log lines behind a metric-filter alarm; undefined turns the look-up off. */
  lookUpLogLines?: (alarm: AlarmNotification) => Promise<LogLinesFound[]>;
  /** The alarm ledger (ALARM_LEDGER_TABLE); undefined: channel history decides (episode.ts). */
  ledger?: LedgerDeps;
  print: (line: string) => void;
  now: () => Date;
  log: Logger;
}

/**
 * INSUFFICIENT_DATA, and the OK that ends it, are noise unless the stage asks for them. Not an
 * ALARM that ends in INSUFFICIENT_DATA (the metric stopped reporting): its post is closed, or it
 * would stay red in the channel for ever.
 */
function isInsufficientDataNoise(alarm: AlarmNotification): boolean {
  if (alarm.newState === 'INSUFFICIENT_DATA') return alarm.oldState !== 'ALARM';
  return alarm.newState === 'OK' && alarm.oldState === 'INSUFFICIENT_DATA';
}

/** A change that ends an ALARM episode: an OK, or an ALARM that ran out of data. */
const endsEpisode = (alarm: AlarmNotification): boolean =>
  alarm.newState === 'OK' || (alarm.newState === 'INSUFFICIENT_DATA' && alarm.oldState === 'ALARM');

async function logLinesFor(alarm: AlarmNotification, deps: NotifyDeps): Promise<LogLinesOutcome> {
  if (alarm.newState !== 'ALARM' || deps.lookUpLogLines === undefined || deps.config.maxLogLines === 0)
    return undefined;
  try {
    return { found: await deps.lookUpLogLines(alarm) };
  } catch (error) {
    // The alarm still gets posted; the message says why the lines are missing.
    deps.log.warn('log line look-up failed', { error, alarm: alarm.name });
    const { name, message, cause } = describeError(error);
    return { error: cause ?? `${name}: ${message}` };
  }
}

function options(config: NotifierConfig) {
  return {
    stage: config.stage,
    timeZone: config.timeZone,
    mention: config.mention,
    maxLineChars: config.maxLineChars,
  };
}

function validDate(text: string | undefined): Date | undefined {
  const date = text ? new Date(text) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

/**
 * One SNS notification -> one Slack post, reply or update (or a print, or a deliberate skip),
 * however often it is delivered: every post carries the notification's keys in its metadata
 * and is looked for in the channel before it is made (episode.ts).
 */
export async function notify(sns: SnsNotification, deps: NotifyDeps): Promise<Outcome> {
  try {
    return await notifyOnce(sns, deps);
  } catch (error) {
    // Another invocation handling the other end of this episode at the same moment deleted the
    // post this one was working on (the later of two posts yields): look again, once.
    if (!(error instanceof SlackPermanentError && GONE_CODES.has(error.code))) throw error;
    deps.log.warn('the post being worked on was deleted meanwhile; looking again', { error });
    return notifyOnce(sns, deps);
  }
}

const GONE_CODES = new Set(['thread_not_found', 'message_not_found']);

async function notifyOnce(sns: SnsNotification, deps: NotifyDeps): Promise<Outcome> {
  const { config } = deps;
  const parsed = parseSnsMessage(sns.Message, sns.Subject ?? undefined);
  const published = validDate(sns.Timestamp);
  if (parsed.type === 'other') {
    const message = buildOtherMessage({ ...parsed, topicArn: sns.TopicArn, timestamp: published }, config);
    if (deps.slack === undefined) return print(deps, config.channel, message);
    const ctx = { slack: await deps.slack(), channel: config.channel, config, log: deps.log };
    const keys = { messageId: sns.MessageId };
    if (!keys.messageId) return postWithoutKeys(ctx.slack, config.channel, message);
    const since = new Date((published ?? deps.now()).getTime() - CLOCK_MARGIN_MS);
    return postOnce(ctx, keys, since, async () => withKeys(message, keys));
  }
  const alarm = parsed.alarm;
  if (isInsufficientDataNoise(alarm) && !config.postInsufficientData) {
    return {
      action: 'skipped',
      reason: `${alarm.oldState ?? '?'} -> ${alarm.newState} is not posted (POST_INSUFFICIENT_DATA=false)`,
    };
  }
  const channel = channelFor(config, alarm.name);
  const full = async () =>
    buildAlarmMessage(alarm, { ...options(config), logs: await logLinesFor(alarm, deps) });
  if (deps.slack === undefined) return print(deps, channel, await full());
  const ctx = { slack: await deps.slack(), channel, config, log: deps.log };
  const keys = { messageId: sns.MessageId, alarmArn: alarm.arn, time: alarm.stateChangeTime?.toISOString() };
  const at = alarm.stateChangeTime ?? published ?? deps.now();
  const arn = alarm.arn;
  if (arn === undefined) {
    if (!keys.messageId) return postWithoutKeys(ctx.slack, channel, await full());
    return postOnce(ctx, keys, new Date(at.getTime() - CLOCK_MARGIN_MS), async () =>
      withKeys(await full(), keys),
    );
  }
  const withArn = { ...alarm, arn };
  const stateChangeTime = alarm.stateChangeTime;
  if (deps.ledger !== undefined && stateChangeTime !== undefined) {
    return notifyWithLedger(ctx, deps.ledger, {
      alarm: { ...withArn, stateChangeTime },
      messageId: sns.MessageId,
      notification: typeof sns.Message === 'string' ? sns.Message : JSON.stringify(sns.Message ?? null),
      subject: sns.Subject ?? undefined,
      full,
    });
  }
  if (endsEpisode(alarm)) {
    // An OK with no ALARM post to close is posted on its own (its ALARM may come later and merge
    // into it); an INSUFFICIENT_DATA only when the stage posts those.
    const alone = alarm.newState === 'OK' || config.postInsufficientData;
    return notifyOk(ctx, withArn, keys, at, alone, async () => ({
      standalone: withKeys(await full(), keys),
      reply: withKeys(buildAlarmMessage(alarm, { ...options(config), compact: true }), keys, {
        kind: 'reply',
      }),
    }));
  }
  return notifyOpening(ctx, withArn, keys, at, async () => withKeys(await full(), keys));
}

function print(deps: NotifyDeps, channel: string, message: SlackMessage): Outcome {
  deps.print(JSON.stringify({ channel, ...message }));
  return { action: 'printed', channel };
}

/** Nothing to recognise it by (not from SNS): posted once, never sent again after a lost answer. */
async function postWithoutKeys(
  slack: SlackChannel,
  channel: string,
  message: SlackMessage,
): Promise<Outcome> {
  return { action: 'posted', channel, ts: await slack.post(channel, message) };
}
