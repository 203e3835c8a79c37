import type { LogLinesFound } from '../alarms/log-lines';
import { parseSnsMessage } from '../alarms/parse';
import type { AlarmNotification } from '../alarms/types';
import { describeError } from '../errors';
import type { Logger } from '../logging/logger';
import { buildAlarmMessage, type LogLinesOutcome } from '../slack/alarm-message';
import type { SlackMessage } from '../slack/blocks';
import type { SlackChannel } from '../slack/client';
import { buildOtherMessage } from '../slack/other-message';
import { findOpenAlarmPost, markResolved } from '../slack/thread';
import { channelFor, type NotifierConfig } from './config';

/** The fields of an SNS record the notifier reads. */
export interface SnsNotification {
  Message?: unknown;
  Subject?: string | null;
  TopicArn?: string;
  MessageId?: string;
  Timestamp?: string;
}

export type Outcome =
  | { action: 'posted'; channel: string; ts: string }
  | { action: 'replied'; channel: string; ts: string; threadTs: string }
  | { action: 'printed'; channel: string }
  | { action: 'skipped'; reason: string };

export interface NotifyDeps {
  config: NotifierConfig;
  /**
   * Opens the Slack channel (token read, client made) when a post is due, so skipped
   * notifications need neither. Undefined means no Slack: print the payload instead.
   */
  slack?: () => Promise<SlackChannel>;
  /** Looks up the log lines behind a metric-filter alarm; undefined turns the look-up off. */
  lookUpLogLines?: (alarm: AlarmNotification) => Promise<LogLinesFound[]>;
  print: (line: string) => void;
  now: () => Date;
  log: Logger;
}

/** INSUFFICIENT_DATA, and the OK that ends it, are noise unless the stage asks for them. */
function isInsufficientDataNoise(alarm: AlarmNotification): boolean {
  if (alarm.newState === 'INSUFFICIENT_DATA') return true;
  return alarm.newState === 'OK' && alarm.oldState === 'INSUFFICIENT_DATA';
}

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

async function send(deps: NotifyDeps, channel: string, message: SlackMessage): Promise<Outcome> {
  if (deps.slack === undefined) {
    deps.print(JSON.stringify({ channel, ...message }));
    return { action: 'printed', channel };
  }
  const ts = await (await deps.slack()).post(channel, message);
  return { action: 'posted', channel, ts };
}

/** An OK that follows an ALARM: reply in the ALARM's thread and mark the original resolved. */
async function replyToOpenAlarm(
  alarm: AlarmNotification,
  channel: string,
  deps: NotifyDeps,
): Promise<Outcome | undefined> {
  if (deps.slack === undefined || alarm.arn === undefined) return undefined;
  const slack = await deps.slack();
  const { config, log } = deps;
  let original;
  try {
    const since = new Date(deps.now().getTime() - config.threadLookbackHours * 3600_000);
    original = findOpenAlarmPost(await slack.history(channel, since, 200), alarm.arn);
  } catch (error) {
    // Without history (missing scope, outage) the OK is still worth a standalone post.
    log.warn('could not read channel history; posting OK on its own', { error, channel });
    return undefined;
  }
  if (original?.ts === undefined) return undefined;
  const reply = buildAlarmMessage(alarm, { ...options(config), compact: true });
  const ts = await slack.post(channel, reply, original.ts);
  try {
    await slack.update(channel, original.ts, markResolved(original, alarm, config.timeZone));
  } catch (error) {
    // The reply is out; failing now would make a retry post it twice.
    log.warn('could not mark the ALARM post resolved', { error, channel, ts: original.ts });
  }
  return { action: 'replied', channel, ts, threadTs: original.ts };
}

function options(config: NotifierConfig) {
  return {
    stage: config.stage,
    timeZone: config.timeZone,
    mention: config.mention,
    maxLineChars: config.maxLineChars,
  };
}

/** One SNS notification -> one Slack post (or reply, or print, or a deliberate skip). */
export async function notify(sns: SnsNotification, deps: NotifyDeps): Promise<Outcome> {
  const { config } = deps;
  const parsed = parseSnsMessage(sns.Message, sns.Subject ?? undefined);
  if (parsed.type === 'other') {
    const timestamp = sns.Timestamp ? new Date(sns.Timestamp) : undefined;
    const message = buildOtherMessage(
      {
        ...parsed,
        topicArn: sns.TopicArn,
        timestamp: timestamp && !Number.isNaN(timestamp.getTime()) ? timestamp : undefined,
      },
      config,
    );
    return send(deps, config.channel, message);
  }
  const alarm = parsed.alarm;
  if (isInsufficientDataNoise(alarm) && !config.postInsufficientData) {
    return {
      action: 'skipped',
      reason: `${alarm.oldState ?? '?'} -> ${alarm.newState} is not posted (POST_INSUFFICIENT_DATA=false)`,
    };
  }
  const channel = channelFor(config, alarm.name);
  if (alarm.newState === 'OK') {
    const replied = await replyToOpenAlarm(alarm, channel, deps);
    if (replied !== undefined) return replied;
  }
  const logs = await logLinesFor(alarm, deps);
  return send(deps, channel, buildAlarmMessage(alarm, { ...options(config), logs }));
}
