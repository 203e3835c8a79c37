import type { Env } from '../runtime/env';
import { installOutputMasks, type OutputMasks } from '../forwarding/destinations/output-mask';
import { loadRulesFile } from '../forwarding/rules-file';
import type { SlackMessage } from './slack/blocks';
import type { SlackChannel } from './slack/client';

/**
 * The notifier's part of "every output is masked": the stage's rules file (RULES_FILE, the
 * forwarder's) is read at cold start, and every Slack message is masked where it leaves (post,
 * update, or the print without Slack): the log lines it shows, the alarm's text, everything
 * but the metadata (the keys a post is found again by must stay as they were).
 */
export function loadNotifierMasks(env: Env): OutputMasks | undefined {
  return installOutputMasks(loadRulesFile(env).messages);
}

function maskMessage(masks: OutputMasks, message: SlackMessage): SlackMessage {
  const { metadata, ...shown } = message;
  const masked = masks.value(shown);
  return masked === shown ? message : { ...masked, ...(metadata === undefined ? {} : { metadata }) };
}

/** The channel, its posts and updates masked (the same channel without masks). */
export function maskedChannel(channel: SlackChannel, masks: OutputMasks | undefined): SlackChannel {
  if (masks === undefined) return channel;
  const masked = Object.create(channel) as SlackChannel;
  masked.post = (target, message, options) => channel.post(target, maskMessage(masks, message), options);
  masked.update = (target, ts, message) => channel.update(target, ts, maskMessage(masks, message));
  return masked;
}

/** The print of a message (no Slack token), masked. */
export function maskedPrint(print: (line: string) => void, masks: OutputMasks | undefined) {
  return masks === undefined ? print : (line: string) => print(masks.value(line));
}
