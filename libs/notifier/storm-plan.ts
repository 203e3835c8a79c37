import { createHash } from 'node:crypto';
import { NOTIFICATION_EVENT_TYPE } from './slack/alarm-keys';
import { STATE_STYLE } from './slack/alarm-message';
import { type Block, LIMITS, mrkdwn, plain, type SlackMessage } from './slack/blocks';
import { escapeText } from './slack/escape';
import { finishMessage } from './slack/finish';

/**
 * The storm summary, decided without AWS or Slack (docs/notifier.md "Alarm storms"). Past
 * ALARM_STORM_THRESHOLD alarms in one channel in one minute (by StateChangeTime, so every
 * delivery of an alarm counts in the same minute), further ALARMs are lines of one summary
 * message for that minute instead of posts of their own; each line shows what the alarm's
 * episode shows (`shownOf` in ledger-plan.ts), so an OK turns its line green.
 */

/** One alarm listed in a storm summary, as the ledger keeps it. */
export interface StormMember {
  /** Short hash of the alarm ARN and its ALARM's StateChangeTime (one line per episode). */
  id: string;
  /** Order of arrival in the minute (1 = first): decides who is past the threshold. */
  rank: number;
  name: string;
  /** The ALARM's StateChangeTime, ISO. */
  time: string;
  /** `shownOf` of the episode: open, ended:<state>:<time>, superseded:<time>. */
  shown: string;
}

/** The minute a state change counts in, as ISO text (`2026-12-06T05:50:00.000Z`). */
export function stormMinute(time: string): string {
  const ms = Date.parse(time);
  return new Date(ms - (ms % 60_000)).toISOString();
}

/** The ledger partition of one channel's minute (an alarm ARN never starts with `storm#`). */
export const stormKey = (channel: string, minute: string) => `storm#${channel}#${minute}`;

export const memberIdOf = (alarmArn: string, time: string) =>
  createHash('sha256').update(`${alarmArn}\n${time}`).digest('hex').slice(0, 20);

/** Whether the alarm that arrived `rank`-th in its minute goes into the summary (0: storms off). */
export const pastThreshold = (rank: number, threshold: number) => threshold > 0 && rank > threshold;

/** The line of one member: its state as its own post would show it. */
function lineOf(member: StormMember): string {
  const name = `*${escapeText(member.name, 200)}*`;
  const at = (iso: string) => iso.slice(11, 19);
  if (member.shown === 'open')
    return `${STATE_STYLE.ALARM?.emoji} ${name} · ALARM since ${at(member.time)} UTC`;
  if (member.shown.startsWith('superseded:'))
    return `:white_circle: ${name} · ALARM at ${at(member.time)} UTC, fired again at ${at(member.shown.slice('superseded:'.length))} UTC`;
  const [, state = 'OK', time = member.time] = /^ended:([A-Z_]+):(.+)$/.exec(member.shown) ?? [];
  const emoji = STATE_STYLE[state]?.emoji ?? ':grey_question:';
  return `${emoji} ${name} · ALARM at ${at(member.time)} UTC, ${state} at ${at(time)} UTC`;
}

export const isOpen = (member: StormMember) => member.shown === 'open';

/** Lines grouped into sections within Slack's section limit (long lists are cut by finishMessage). */
function sections(lines: string[]): Block[] {
  const blocks: Block[] = [];
  let text = '';
  for (const line of lines) {
    if (text !== '' && text.length + 1 + line.length > LIMITS.sectionText) {
      blocks.push({ type: 'section', text: mrkdwn(text) });
      text = '';
    }
    text = text === '' ? line : `${text}\n${line}`;
  }
  if (text !== '') blocks.push({ type: 'section', text: mrkdwn(text) });
  return blocks;
}

/**
 * The summary message for a channel's minute: red while any listed alarm fires, green once all
 * have ended; its metadata lets a lost post be found again in history (`summaryKeys`).
 */
export function summaryMessage(
  about: { key: string; minute: string; threshold: number; stage: string },
  members: StormMember[],
): SlackMessage {
  // The first `threshold` alarms of the minute are posted on their own: only the rest are lines.
  const sorted = members
    .filter((m) => pastThreshold(m.rank, about.threshold))
    .sort((a, b) => a.rank - b.rank);
  const open = sorted.filter(isOpen).length;
  const when = `${about.minute.slice(0, 10)} ${about.minute.slice(11, 16)} UTC`;
  const count = `${sorted.length} more alarm${sorted.length === 1 ? '' : 's'}`;
  const text =
    open > 0
      ? `ALARM STORM: ${count} at ${when}, ${open} firing`
      : `RESOLVED: alarm storm at ${when}, ${count}, all ended`;
  const style = open > 0 ? STATE_STYLE.ALARM : STATE_STYLE.OK;
  return finishMessage({
    text,
    blocks: [],
    attachments: [
      {
        color: style?.color ?? '#E01E5A',
        fallback: text,
        blocks: [
          {
            type: 'header',
            text: plain(`${open > 0 ? '🚨' : '✅'} [${about.stage}] Alarm storm at ${when}`),
          },
          {
            type: 'context',
            elements: [
              mrkdwn(
                `More than ${about.threshold} alarms in this minute: these are listed here instead of posted one by one. Each OK marks its line and replies in this thread. ${open} of ${sorted.length} firing.`,
              ),
            ],
          },
          ...sections(sorted.map(lineOf)),
        ],
      },
    ],
    metadata: {
      event_type: NOTIFICATION_EVENT_TYPE,
      event_payload: { ...summaryKeysPayload(about.key, about.minute), kind: 'storm_summary' },
    },
  });
}

/** The keys a summary is found by in history (alarm-keys.ts `answers`). */
export const summaryKeys = (key: string, minute: string) => ({
  messageId: `storm:${key}`,
  alarmArn: key,
  time: minute,
});

const summaryKeysPayload = (key: string, minute: string) => ({
  message_id: `storm:${key}`,
  alarm_arn: key,
  time: minute,
});

/** A short digest of what a summary shows: an update is sent only when it changes. */
export const digestOf = (message: SlackMessage) =>
  createHash('sha256').update(JSON.stringify(message)).digest('hex').slice(0, 24);
