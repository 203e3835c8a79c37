import {
  type ComparedQuery,
  describeComparison,
  describeCondition,
  describeMetric,
} from '../alarms/condition';
import { alarmConsoleUrl, logEventsUrl, logsInsightsUrl } from '../alarms/console-links';
import type { LogLinesFound } from '../alarms/log-lines';
import type { AlarmNotification } from '../alarms/types';
import { type Attachment, type Block, LIMITS, mrkdwn, plain, type SlackMessage } from './blocks';
import { escapeAndTruncate, escapeText, mrkdwnLink, neutralizeFences, truncatePlain } from './escape';
import { formatTimes } from './format-time';

/** Colour bar and emoji per state; anything unexpected is grey, never a crash. */
export const STATE_STYLE: Record<string, { color: string; emoji: string }> = {
  ALARM: { color: '#E01E5A', emoji: ':rotating_light:' },
  OK: { color: '#2EB67D', emoji: ':white_check_mark:' },
  INSUFFICIENT_DATA: { color: '#ECB22E', emoji: ':grey_question:' },
};
const UNKNOWN_STYLE = { color: '#616061', emoji: ':grey_question:' };

export function styleFor(state: string): { color: string; emoji: string } {
  return STATE_STYLE[state] ?? UNKNOWN_STYLE;
}

/** Metadata event type that marks our alarm posts in channel history. */
export const ALARM_EVENT_TYPE = 'alarm_state';

/** What the look-up of log lines produced, if it ran. */
export type LogLinesOutcome = { found: LogLinesFound[] } | { error: string } | undefined;

export interface AlarmMessageOptions {
  stage: string;
  timeZone: string;
  /** A Slack mention (`<!here>`, `<!subteam^S123>`, `<@U123>`), used on ALARM only. */
  mention?: string;
  logs?: LogLinesOutcome;
  /** Longest log line shown, in characters; longer lines end with "…". */
  maxLineChars: number;
  /** A short reply for a thread: no header, no log lines. */
  compact?: boolean;
}

const stateName = (state: string) => state.replace(/_/g, ' ');

/** Longest title (name and its console link) before the link moves out of the title. */
const MAX_TITLE = 1500;

/**
 * The alarm name, bold, linked to the console; with the link (a non-ASCII name's URL is up to
 * nine characters per character) in a block of its own when both would not fit in a title.
 */
function titleParts(alarm: AlarmNotification): { title: string; link?: Block } {
  const name = escapeText(alarm.name, 600);
  if (alarm.region === undefined) return { title: `*${name}*` };
  const url = alarmConsoleUrl({ partition: alarm.partition, region: alarm.region }, alarm.name)
    .replace(/\|/g, '%7C')
    .replace(/>/g, '%3E');
  if (url.length + name.length + 5 <= MAX_TITLE) return { title: `*<${url}|${name}>*` };
  if (url.length > LIMITS.contextText - 40) return { title: `*${name}*` };
  return {
    title: `*${name}*`,
    link: { type: 'context', elements: [mrkdwn(`<${url}|Open the alarm in the console>`)] },
  };
}

function field(label: string, value: string): ReturnType<typeof mrkdwn> {
  return mrkdwn(`*${label}*\n${escapeText(value, LIMITS.fieldText - label.length - 10)}`);
}

function detailFields(alarm: AlarmNotification, options: AlarmMessageOptions) {
  const fields = [];
  const transition = alarm.oldState
    ? `${stateName(alarm.oldState)} → ${stateName(alarm.newState)}`
    : alarm.newState;
  fields.push(field('State', transition));
  const condition = describeCondition(alarm);
  if (condition) fields.push(field(alarm.kind === 'composite' ? 'Rule' : 'Condition', condition));
  if (alarm.stateChangeTime) {
    const times = formatTimes(alarm.stateChangeTime, options.timeZone);
    fields.push(field('Time (UTC)', times.utc));
    // NOTIFIER_TIME_ZONE UTC (the default): one time, not the same one twice.
    if (options.timeZone !== 'UTC') fields.push(field(`Time (${options.timeZone})`, times.local));
  }
  const metric = alarm.trigger?.metrics[0];
  // Metric math spells out every metric it reads in its own section (comparedSection).
  if (metric && !options.compact && alarm.trigger?.queries === undefined) {
    const others = (alarm.trigger?.metrics.length ?? 1) - 1;
    fields.push(field('Metric', describeMetric(metric) + (others > 0 ? ` (+${others} more)` : '')));
  }
  if (!options.compact) {
    fields.push(field('Account', alarm.accountId ?? 'unknown'));
    fields.push(field('Region', alarm.region ?? 'unknown'));
    fields.push(field('Stage', options.stage));
  }
  return fields.slice(0, LIMITS.fields);
}

/** Text for a code span: mrkdwn-escaped, no backtick to end it early, bounded. */
function code(value: string, max: number): string {
  return `\`${escapeAndTruncate(value.replace(/`/g, "'"), max)}\``;
}

const MAX_COMPARED_LINES = 12;

function comparedLine({ query, role, comparison, against, deviations }: ComparedQuery): string {
  const label = query.label ? ` *${escapeText(query.label, 200)}*` : '';
  const what = query.expression
    ? code(query.expression, 600)
    : query.metric
      ? escapeAndTruncate(describeMetric(query.metric), 400)
      : '?';
  let line = `• ${code(query.id, 100)}${label} = ${what}`;
  if (role === 'compared' && comparison)
    line += `, alarms when ${escapeAndTruncate(comparison, 200)}${against ? ` ${code(against, 100)}` : ''}`;
  if (role === 'band')
    line +=
      deviations === undefined
        ? ': the expected band'
        : `: the expected band, ${deviations} standard deviations`;
  return line;
}

/** What a metric-math or anomaly alarm compares: the expression and its label, the band, every input by id. */
function comparedSection(alarm: AlarmNotification): Block | undefined {
  const compared = describeComparison(alarm);
  if (compared === undefined) return undefined;
  // Whole lines only, within the section's limit (a line cut in half would break its code span).
  let text = '*What is compared*';
  let shown = 0;
  for (const line of compared.slice(0, MAX_COMPARED_LINES).map(comparedLine)) {
    if (text.length + 1 + line.length > LIMITS.sectionText - 40) break;
    text += `\n${line}`;
    shown++;
  }
  if (shown < compared.length) text += `\n… and ${compared.length - shown} more`;
  return { type: 'section', text: mrkdwn(text) };
}

/** Packs lines into ``` code blocks, each section under the 3000-character limit. */
function codeSections(lines: string[], maxLineChars: number, maxSections: number): Block[] {
  const budget = LIMITS.sectionText - 8; // the two fences and their newlines
  const sections: string[] = [];
  let current = '';
  for (const line of lines) {
    const shown = escapeAndTruncate(
      neutralizeFences(line.replace(/\s+$/, '')),
      Math.min(maxLineChars, budget),
    );
    if (current !== '' && current.length + 1 + shown.length > budget) {
      sections.push(current);
      current = '';
    }
    current = current === '' ? shown : `${current}\n${shown}`;
  }
  if (current !== '') sections.push(current);
  return sections
    .slice(0, maxSections)
    .map((body) => ({ type: 'section', text: mrkdwn('```\n' + body + '\n```') }));
}

function logBlocks(alarm: AlarmNotification, logs: LogLinesOutcome, options: AlarmMessageOptions): Block[] {
  if (logs === undefined) return [];
  if ('error' in logs) {
    return [
      {
        type: 'context',
        elements: [mrkdwn(`:warning: Log lines unavailable: ${escapeAndTruncate(logs.error, 500)}`)],
      },
    ];
  }
  const blocks: Block[] = [];
  for (const found of logs.found) {
    const target = { partition: alarm.partition, region: alarm.region ?? '' };
    const group = escapeAndTruncate(found.logGroup, 512);
    const pattern = escapeAndTruncate(found.filterPattern, 1024);
    const count =
      found.lines.length === 0
        ? 'no matching lines'
        : `${found.lines.length}${found.more ? '+' : ''} line(s)`;
    blocks.push({ type: 'section', text: mrkdwn(`*Log lines* · \`${group}\` · \`${pattern}\` · ${count}`) });
    // Each remaining section may hold many lines; keep room for the closing context blocks.
    blocks.push(...codeSections(found.lines.map(lineText), options.maxLineChars, 6));
    if (alarm.region !== undefined) {
      const insights = logsInsightsUrl(target, found.logGroup, found.insights.query, found.window);
      const events = logEventsUrl(target, found.logGroup, found.filterPattern, found.window);
      const note = found.insights.exact ? '' : ' (pattern not translated; filter by hand)';
      blocks.push({
        type: 'context',
        elements: [
          mrkdwn(
            `${mrkdwnLink(insights, 'Open in Logs Insights')}${note} · ${mrkdwnLink(events, 'Log events with this pattern')}`,
          ),
        ],
      });
    }
  }
  return blocks;
}

function lineText(line: { timestamp: number; message: string }): string {
  const at = new Date(line.timestamp).toISOString().slice(11, 19);
  return `${at} ${line.message}`;
}

/** The top-level notification text (push notifications, screen readers, old clients). */
function fallbackText(alarm: AlarmNotification, mention: string | undefined): string {
  const reason = alarm.reason ? ` — ${alarm.reason}` : '';
  const text = `${mention ? `${mention} ` : ''}${stateName(alarm.newState)}: ${alarm.name}${reason}`;
  // The mention stays a real mention; everything else is escaped.
  const prefix = mention ? `${mention} ` : '';
  return prefix + escapeAndTruncate(text.slice(prefix.length), LIMITS.fallbackText - prefix.length);
}

function alarmMetadata(arn: string, alarm: AlarmNotification) {
  const time = alarm.stateChangeTime?.toISOString() ?? '';
  return {
    event_type: ALARM_EVENT_TYPE,
    event_payload: { alarm_arn: arn, state: alarm.newState, old_state: alarm.oldState ?? '', time },
  };
}

/** Block Kit message for one alarm notification, within Slack's limits whatever the input. */
export function buildAlarmMessage(alarm: AlarmNotification, options: AlarmMessageOptions): SlackMessage {
  const style = styleFor(alarm.newState);
  const mention = alarm.newState === 'ALARM' ? options.mention : undefined;
  const headline = `${style.emoji} ${stateName(alarm.newState)}`;
  const blocks: Block[] = [];
  const details: Block[] = [];
  if (options.compact) {
    details.push({ type: 'section', text: mrkdwn(`${headline} · ${titleParts(alarm).title}`) });
  } else {
    blocks.push({
      type: 'header',
      text: plain(truncatePlain(`${headline}: ${alarm.name}`, LIMITS.headerText)),
    });
    if (mention) blocks.push({ type: 'section', text: mrkdwn(mention) });
    // Name, link and description share one section: the description gets what the title leaves.
    const { title, link } = titleParts(alarm);
    const room = LIMITS.sectionText - title.length - 1;
    const description = alarm.description ? `\n${escapeText(alarm.description, room)}` : '';
    details.push({ type: 'section', text: mrkdwn(`${title}${description}`) });
    if (link) details.push(link);
  }
  details.push({ type: 'section', fields: detailFields(alarm, options) });
  const compared = options.compact ? undefined : comparedSection(alarm);
  if (compared !== undefined) details.push(compared);
  if (alarm.reason) {
    details.push({
      type: 'section',
      text: mrkdwn(`*Reason*\n${escapeText(alarm.reason, LIMITS.sectionText - 20)}`),
    });
  }
  if (alarm.triggeringChildren.length > 0) {
    // Whole lines only, within the section's limit.
    let text = '*Triggered by*';
    let shown = 0;
    for (const child of alarm.triggeringChildren) {
      const line = `• ${escapeText(child.name, 200)}${child.state ? ` (${stateName(child.state)})` : ''}`;
      if (text.length + 1 + line.length > LIMITS.sectionText - 40) break;
      text += `\n${line}`;
      shown++;
    }
    if (shown < alarm.triggeringChildren.length)
      text += `\n… and ${alarm.triggeringChildren.length - shown} more`;
    details.push({ type: 'section', text: mrkdwn(text) });
  }
  if (!options.compact) details.push(...logBlocks(alarm, options.logs, options));
  // One block stays free for the "resolved" note a later OK adds with chat.update.
  const attachment: Attachment = {
    color: style.color,
    blocks: details.slice(0, LIMITS.blocks - 1 - blocks.length),
  };
  return {
    text: fallbackText(alarm, mention),
    blocks,
    attachments: [attachment],
    ...(alarm.arn ? { metadata: alarmMetadata(alarm.arn, alarm) } : {}),
  };
}
