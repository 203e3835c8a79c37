import type { AlarmNotification } from '../alarms/types';
import { ALARM_EVENT_TYPE, STATE_STYLE } from './alarm-message';
import { type Attachment, type Block, LIMITS, mrkdwn, type SlackMessage } from './blocks';
import { escapeAndTruncate, truncatePlain } from './escape';
import { formatTimes } from './format-time';

/** The parts of a `conversations.history` message this module reads. */
export interface HistoryMessage {
  ts?: string;
  text?: string;
  blocks?: unknown[];
  attachments?: unknown[];
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
  /** Set on replies (the parent's ts) and on parents that have replies (their own ts). */
  thread_ts?: string;
  reply_count?: number;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isMentionOnly(block: Block): boolean {
  return block.type === 'section' && /^<(![a-z^A-Z0-9]+|@[A-Z0-9]+)>$/.test(block.text?.text ?? '');
}

/** Keeps only what chat.update accepts back from history (drops ids Slack added). */
function attachmentBlocks(attachments: unknown[] | undefined): Block[] {
  return (attachments ?? []).flatMap((a) =>
    isObject(a) && Array.isArray(a.blocks) ? (a.blocks as Block[]) : [],
  );
}

/**
 * The original ALARM post, marked resolved: header says RESOLVED, the bar turns green, a note
 * gives the time of the OK. Its details (reason, log lines) stay as they were. An ALARM that
 * ended in INSUFFICIENT_DATA (the metric stopped reporting) is closed the same way, saying so.
 */
export function markResolved(
  original: HistoryMessage,
  ok: Pick<AlarmNotification, 'name' | 'stateChangeTime'> & { newState?: string },
  timeZone: string,
  /** More metadata to keep with the resolution (the OK's idempotency keys). */
  resolution: Record<string, string> = {},
): SlackMessage {
  const noData = ok.newState === 'INSUFFICIENT_DATA';
  const style = STATE_STYLE[noData ? 'INSUFFICIENT_DATA' : 'OK'];
  const label = noData ? 'ENDED, NO DATA' : 'RESOLVED';
  const title = `${style?.emoji ?? ''} ${label}: ${ok.name}`;
  // The @here of the ALARM has done its job; the resolved post should not shout it again.
  const kept = ((original.blocks ?? []) as Block[]).filter((block) => !isMentionOnly(block));
  const blocks = kept.map((block) =>
    isObject(block) && block.type === 'header'
      ? {
          type: 'header' as const,
          text: { type: 'plain_text' as const, text: truncatePlain(title, LIMITS.headerText), emoji: true },
        }
      : block,
  );
  const when = ok.stateChangeTime ? formatTimes(ok.stateChangeTime, timeZone) : undefined;
  const ended = noData ? 'No data since' : 'Back to OK at';
  const note = when
    ? `${ended} ${when.utc} · ${when.local} — details in the thread`
    : `${noData ? 'No data' : 'Back to OK'} — details in the thread`;
  const attachment: Attachment = {
    color: style?.color ?? '#2EB67D',
    blocks: [...attachmentBlocks(original.attachments), { type: 'context', elements: [mrkdwn(note)] }],
  };
  const payload = {
    ...(original.metadata?.event_payload ?? {}),
    state: noData ? 'INSUFFICIENT_DATA' : 'OK',
    resolved_at: ok.stateChangeTime?.toISOString() ?? '',
    ...resolution,
  };
  return {
    text: escapeAndTruncate(`${label}: ${ok.name}`, LIMITS.fallbackText),
    blocks,
    attachments: [attachment],
    metadata: { event_type: ALARM_EVENT_TYPE, event_payload: payload as Record<string, string> },
  };
}
