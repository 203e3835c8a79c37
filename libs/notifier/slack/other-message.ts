import { LIMITS, mrkdwn, plain, type SlackMessage } from './blocks';
import { escapeAndTruncate, neutralizeFences, truncatePlain } from './escape';
import { formatTimes } from './format-time';

export interface OtherMessageInput {
  subject?: string;
  text: string;
  isJson: boolean;
  topicArn?: string;
  timestamp?: Date;
}

/**
 * Anything published to the alarm topic that is not an alarm (a plain-text test, another
 * service's JSON): shown as it came, escaped and cut, so nothing is lost and nothing breaks.
 */
export function buildOtherMessage(
  input: OtherMessageInput,
  options: { stage: string; timeZone: string },
): SlackMessage {
  const title = input.subject?.trim() || (input.isJson ? 'Notification (not an alarm)' : 'Notification');
  const body = escapeAndTruncate(neutralizeFences(input.text), LIMITS.sectionText - 8);
  const context = [`Stage ${options.stage}`];
  if (input.topicArn) context.push(`Topic ${input.topicArn.split(':').pop() ?? ''}`);
  if (input.timestamp) context.push(formatTimes(input.timestamp, options.timeZone).local);
  return {
    text: escapeAndTruncate(`${title}: ${input.text}`, LIMITS.fallbackText),
    blocks: [
      { type: 'header', text: plain(truncatePlain(`:information_source: ${title}`, LIMITS.headerText)) },
    ],
    attachments: [
      {
        color: '#616061',
        blocks: [
          { type: 'section', text: mrkdwn(body === '' ? '_(empty message)_' : '```\n' + body + '\n```') },
          { type: 'context', elements: [mrkdwn(escapeAndTruncate(context.join(' · '), LIMITS.contextText))] },
        ],
      },
    ],
  };
}
