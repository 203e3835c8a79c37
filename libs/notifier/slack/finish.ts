import { alarmConsoleUrl } from '../alarms/console-links';
import { parseArn } from '../alarms/arn';
import { type Block, LIMITS, mrkdwn, type SlackMessage, type TextObject } from './blocks';
import { mrkdwnLink, truncatePlain } from './escape';

/**
 * The one place every message passes through before Slack sees it (SlackChannel.post and
 * .update): whatever built it, it leaves within Slack's documented Block Kit limits (header 150,
 * section 3,000, field 2,000, 10 fields, 10 context elements, 50 blocks) and a total of block
 * text Slack takes (TOTAL_BLOCK_TEXT). A text that had to be cut ends with "…", and the message
 * then ends with a link to the whole alarm in the console (from the alarm ARN in its metadata).
 * Further rules for every outgoing message (masking) belong here too.
 */

/**
 * Slack documents no total for blocks, but refuses more with `msg_blocks_too_long`: observed at
 * about 13,200 characters of block text (slackapi/bolt-js#2509). Kept well below that.
 */
export const TOTAL_BLOCK_TEXT = LIMITS.totalBlockText;

const CUT_NOTE_CHARS = 400;

/** Cuts mrkdwn without leaving a code block open or an entity, link or mention broken. */
export function cutMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = truncatePlain(text, max - 4);
  // An entity (&amp;) or a <link|label> cut in half is dropped whole.
  cut = cut.replace(/&[a-z]{0,4}…$/, '…').replace(/<[^>]*…$/, '…');
  const fences = cut.split('```').length - 1;
  if (fences % 2 === 1) cut += '\n```';
  return cut;
}

function boundText(text: TextObject, max: number): [TextObject, boolean] {
  if (text.text.length <= max && text.text.length > 0) return [text, false];
  const bounded =
    text.text.length === 0
      ? ' '
      : text.type === 'plain_text'
        ? truncatePlain(text.text, max)
        : cutMrkdwn(text.text, max);
  return [{ ...text, text: bounded }, text.text.length > max];
}

function boundBlock(block: Block): [Block, boolean] {
  if (block.type === 'header') {
    const [text, cut] = boundText({ ...block.text, type: 'plain_text' }, LIMITS.headerText);
    return [{ ...block, text }, cut];
  }
  if (block.type === 'section') {
    let cut = false;
    const out: Block = { ...block };
    if (block.text !== undefined) {
      const [text, c] = boundText(block.text, LIMITS.sectionText);
      out.text = text;
      cut ||= c;
    }
    if (block.fields !== undefined) {
      cut ||= block.fields.length > LIMITS.fields;
      out.fields = block.fields.slice(0, LIMITS.fields).map((field) => {
        const [text, c] = boundText(field, LIMITS.fieldText);
        cut ||= c;
        return text;
      });
    }
    return [out, cut];
  }
  if (block.type === 'context') {
    let cut = block.elements.length > LIMITS.contextElements;
    const elements = block.elements.slice(0, LIMITS.contextElements).map((element) => {
      const [text, c] = boundText(element, LIMITS.contextText);
      cut ||= c;
      return text;
    });
    return [{ ...block, elements }, cut];
  }
  return [block, false];
}

export function blockTextLength(block: Block): number {
  if (block.type === 'header') return block.text.text.length;
  if (block.type === 'section')
    return (block.text?.text.length ?? 0) + (block.fields ?? []).reduce((n, f) => n + f.text.length, 0);
  if (block.type === 'context') return block.elements.reduce((n, e) => n + e.text.length, 0);
  return 0;
}

/** The console link of the alarm a message is about, from its metadata. */
function alarmLink(message: SlackMessage): string | undefined {
  const arn = parseArn(String(message.metadata?.event_payload.alarm_arn ?? ''));
  if (arn === undefined || !arn.resource.startsWith('alarm:')) return undefined;
  const url = alarmConsoleUrl({ partition: arn.partition, region: arn.region }, arn.resource.slice(6));
  return url.length < CUT_NOTE_CHARS - 60 ? url : undefined;
}

/**
 * Shrinks the list to `budget` characters of text and at most `maxBlocks` blocks, from the end
 * (log lines come last, the title and state first): a long last block is cut, a short one dropped.
 */
function fitBudget(blocks: Block[], budget: number, maxBlocks: number): [Block[], boolean] {
  const out = blocks.slice(0, Math.max(0, maxBlocks));
  let cut = out.length < blocks.length;
  let total = out.reduce((n, b) => n + blockTextLength(b), 0);
  while (total > budget && out.length > 0) {
    const last = out[out.length - 1] as Block;
    const excess = total - budget;
    const length = blockTextLength(last);
    if (
      length - excess >= 200 &&
      last.type === 'section' &&
      last.text !== undefined &&
      last.fields === undefined
    ) {
      out[out.length - 1] = {
        ...last,
        text: { ...last.text, text: cutMrkdwn(last.text.text, length - excess) },
      };
    } else {
      out.pop();
    }
    cut = true;
    total = out.reduce((n, b) => n + blockTextLength(b), 0);
  }
  return [out, cut];
}

/** The message within every limit above; unchanged when it already was. */
export function finishMessage(message: SlackMessage): SlackMessage {
  let cut = false;
  const bound = (blocks: Block[]) =>
    blocks.map((block) => {
      const [bounded, c] = boundBlock(block);
      cut ||= c;
      return bounded;
    });
  let top = bound(message.blocks);
  let attachments = (message.attachments ?? []).map((a) => ({ ...a, blocks: bound(a.blocks) }));
  // Room for the note that says the message was cut.
  const budget = TOTAL_BLOCK_TEXT - CUT_NOTE_CHARS;
  const [fittedTop, topCut] = fitBudget(top, budget, LIMITS.blocks - 1);
  top = fittedTop;
  let left = budget - top.reduce((n, b) => n + blockTextLength(b), 0);
  let blocksLeft = LIMITS.blocks - 1 - top.length;
  cut ||= topCut;
  attachments = attachments.map((a) => {
    const [blocks, c] = fitBudget(a.blocks, left, blocksLeft);
    cut ||= c;
    left -= blocks.reduce((n, b) => n + blockTextLength(b), 0);
    blocksLeft -= blocks.length;
    return { ...a, blocks };
  });
  const text = message.text.length === 0 ? ' ' : truncatePlain(message.text, LIMITS.fallbackText);
  if (!cut) return { ...message, text, blocks: top, ...(message.attachments ? { attachments } : {}) };
  const link = alarmLink(message);
  const note: Block = {
    type: 'context',
    elements: [
      mrkdwn(
        `✂️ Cut to fit Slack's limits${link ? `: ${mrkdwnLink(link, 'the whole alarm in the console')}` : ''}`,
      ),
    ],
  };
  if (attachments.length > 0) {
    const last = attachments[attachments.length - 1] as (typeof attachments)[number];
    attachments[attachments.length - 1] = { ...last, blocks: [...last.blocks, note] };
  } else {
    top = [...top, note];
  }
  return { ...message, text, blocks: top, ...(attachments.length > 0 ? { attachments } : {}) };
}

/** The message as plain text only (what is posted when Slack refuses its blocks). */
export function plainTextOnly(message: SlackMessage): SlackMessage {
  const link = alarmLink(message);
  const text = truncatePlain(message.text, LIMITS.fallbackText - (link ? link.length + 4 : 0));
  return {
    text: link ? `${text}\n<${link}>` : text,
    blocks: [],
    ...(message.metadata ? { metadata: message.metadata } : {}),
  };
}
