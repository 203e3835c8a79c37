/** The small subset of Block Kit this project sends (and the renderer draws). */
export interface TextObject {
  type: 'mrkdwn' | 'plain_text';
  text: string;
  emoji?: boolean;
}

export type Block =
  | { type: 'header'; text: TextObject }
  | { type: 'section'; text?: TextObject; fields?: TextObject[] }
  | { type: 'context'; elements: TextObject[] }
  | { type: 'divider' };

export interface Attachment {
  color: string;
  blocks: Block[];
  fallback?: string;
}

/** Message metadata: how a later OK finds this ALARM again in channel history. */
export interface MessageMetadata {
  event_type: string;
  event_payload: Record<string, string | number | boolean>;
}

/** Arguments for chat.postMessage (channel and thread are added by the sender). */
export interface SlackMessage {
  text: string;
  blocks: Block[];
  attachments?: Attachment[];
  metadata?: MessageMetadata;
}

/** Limits from Slack's Block Kit reference; exceeding them makes chat.postMessage fail. */
export const LIMITS = {
  blocks: 50,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  contextText: 3000,
  fallbackText: 3000,
  /** All block text of a message: Slack answers msg_blocks_too_long from about 13,200 (libs/notifier/slack/finish.ts). */
  totalBlockText: 12_000,
} as const;

function blockText(block: Block): number {
  if (block.type === 'header') return block.text.text.length;
  if (block.type === 'section')
    return (block.text?.text.length ?? 0) + (block.fields ?? []).reduce((n, f) => n + f.text.length, 0);
  if (block.type === 'context') return block.elements.reduce((n, e) => n + e.text.length, 0);
  return 0;
}

export const mrkdwn = (text: string): TextObject => ({ type: 'mrkdwn', text });
export const plain = (text: string): TextObject => ({ type: 'plain_text', text, emoji: true });

function blockViolations(block: Block, where: string): string[] {
  const problems: string[] = [];
  const tooLong = (text: TextObject | undefined, max: number, what: string) => {
    if (text !== undefined && text.text.length > max)
      problems.push(`${where} ${what}: ${text.text.length} > ${max}`);
    if (text !== undefined && text.text.length === 0) problems.push(`${where} ${what}: empty text`);
  };
  if (block.type === 'header') {
    tooLong(block.text, LIMITS.headerText, 'header');
    if (block.text.type !== 'plain_text') problems.push(`${where} header: must be plain_text`);
  } else if (block.type === 'section') {
    tooLong(block.text, LIMITS.sectionText, 'section text');
    const fields = block.fields ?? [];
    if (fields.length > LIMITS.fields) problems.push(`${where} fields: ${fields.length} > ${LIMITS.fields}`);
    fields.forEach((field, i) => tooLong(field, LIMITS.fieldText, `field ${i}`));
    if (block.text === undefined && fields.length === 0) problems.push(`${where} section: no text or fields`);
  } else if (block.type === 'context') {
    if (block.elements.length > LIMITS.contextElements) problems.push(`${where} context: too many elements`);
    block.elements.forEach((element, i) => tooLong(element, LIMITS.contextText, `context ${i}`));
  }
  return problems;
}

/** Every Block Kit limit the message breaks; empty when Slack will accept it. */
export function limitViolations(message: SlackMessage): string[] {
  const attachmentBlocks = (message.attachments ?? []).flatMap((a) => a.blocks);
  const problems: string[] = [];
  const total = message.blocks.length + attachmentBlocks.length;
  if (total > LIMITS.blocks) problems.push(`blocks: ${total} > ${LIMITS.blocks}`);
  if (message.text.length === 0 || message.text.length > LIMITS.fallbackText) {
    problems.push(`text fallback length ${message.text.length}`);
  }
  const text = [...message.blocks, ...attachmentBlocks].reduce((n, block) => n + blockText(block), 0);
  if (text > LIMITS.totalBlockText) problems.push(`block text: ${text} > ${LIMITS.totalBlockText}`);
  message.blocks.forEach((block, i) => problems.push(...blockViolations(block, `blocks[${i}]`)));
  attachmentBlocks.forEach((block, i) => problems.push(...blockViolations(block, `attachment blocks[${i}]`)));
  return problems;
}
