import { ALARM_EVENT_TYPE } from './alarm-message';
import type { SlackMessage } from './blocks';
import type { HistoryMessage } from './thread';

/** Metadata event type of posts that are not alarms (plain text, other JSON on the topic). */
export const NOTIFICATION_EVENT_TYPE = 'sns_notification';

/**
 * What makes a notification the same notification again: the SNS MessageId (SNS and Lambda
 * redeliver the same message) and the alarm's state change (its ARN and StateChangeTime; the
 * same change published twice has two MessageIds). Every post carries both in its metadata.
 */
export interface NotificationKeys {
  messageId?: string;
  alarmArn?: string;
  /** StateChangeTime as ISO text, exactly as the metadata stores it. */
  time?: string;
}

/** The metadata payload of one of our posts, or undefined for anyone else's message. */
export function payloadOf(message: HistoryMessage): Record<string, unknown> | undefined {
  const type = message.metadata?.event_type;
  if (type !== ALARM_EVENT_TYPE && type !== NOTIFICATION_EVENT_TYPE) return undefined;
  return message.metadata?.event_payload;
}

export function isTopLevel(message: HistoryMessage): boolean {
  return message.thread_ts === undefined || message.thread_ts === message.ts;
}

/**
 * Whether this message was posted for the notification with these keys: as its own post or
 * reply (`message_id`, `time`), or as the OK merged into a resolved ALARM post
 * (`resolved_message_id`, `resolved_at`).
 */
export function answers(message: HistoryMessage, keys: NotificationKeys): boolean {
  const payload = payloadOf(message);
  if (payload === undefined) return false;
  if (
    keys.messageId &&
    (payload.message_id === keys.messageId || payload.resolved_message_id === keys.messageId)
  )
    return true;
  return (
    keys.alarmArn !== undefined &&
    keys.time !== undefined &&
    keys.time !== '' &&
    payload.alarm_arn === keys.alarmArn &&
    (payload.time === keys.time || payload.resolved_at === keys.time)
  );
}

/** The message with the notification's keys added to its metadata. */
export function withKeys(
  message: SlackMessage,
  keys: NotificationKeys,
  extra: Record<string, string> = {},
): SlackMessage {
  const metadata = message.metadata ?? { event_type: NOTIFICATION_EVENT_TYPE, event_payload: {} };
  return {
    ...message,
    metadata: {
      event_type: metadata.event_type,
      event_payload: { ...metadata.event_payload, message_id: keys.messageId ?? '', ...extra },
    },
  };
}

/** An alarm post's facts as its metadata records them. */
export interface AlarmPost {
  ts: string;
  message: HistoryMessage;
  state: string;
  oldState?: string;
  /** The state change this post was made for (the episode start for an ALARM). */
  time: number;
  messageId?: string;
  /** Set once an OK resolved it. */
  resolvedAt?: string;
}

/** The alarm post for `alarmArn` this top-level message is, if it is one. */
export function alarmPostOf(message: HistoryMessage, alarmArn: string): AlarmPost | undefined {
  if (!isTopLevel(message) || message.ts === undefined) return undefined;
  if (message.metadata?.event_type !== ALARM_EVENT_TYPE) return undefined;
  const payload = message.metadata.event_payload ?? {};
  if (payload.alarm_arn !== alarmArn) return undefined;
  const time = Date.parse(String(payload.time ?? ''));
  if (Number.isNaN(time)) return undefined;
  const text = (key: string) =>
    typeof payload[key] === 'string' && payload[key] !== '' ? (payload[key] as string) : undefined;
  return {
    ts: message.ts,
    message,
    state: String(payload.state ?? ''),
    oldState: text('old_state'),
    time,
    messageId: text('message_id'),
    resolvedAt: text('resolved_at'),
  };
}

/** Slack's ts ("1795250001.000100") as epoch milliseconds. */
export function tsMillis(ts: string | undefined): number {
  return ts === undefined ? Number.NaN : Number(ts) * 1000;
}
