/**
 * Slack mrkdwn escaping: only `&`, `<` and `>` are control characters. Escaping them turns
 * `<!channel>` or `<https://evil|click>` in a log line into harmless text; `<=` in an alarm
 * reason stays readable.
 */
export function escapeMrkdwn(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const ELLIPSIS = '…';

/**
 * Escapes and cuts to at most `max` UTF-16 units (what Slack's limits count, conservatively),
 * never inside an entity (`&amp;`) or a surrogate pair, ending with "…" when cut.
 */
export function escapeAndTruncate(value: string, max: number): string {
  const escaped = escapeMrkdwn(value);
  if (escaped.length <= max) return escaped;
  let out = '';
  for (const ch of value) {
    const piece = escapeMrkdwn(ch);
    if (out.length + piece.length > max - ELLIPSIS.length) break;
    out += piece;
  }
  return out + ELLIPSIS;
}

/** Plain text (header blocks, fallbacks): no escaping, just a safe cut. */
export function truncatePlain(value: string, max: number): string {
  if (value.length <= max) return value;
  let out = '';
  for (const ch of value) {
    if (out.length + ch.length > max - ELLIPSIS.length) break;
    out += ch;
  }
  return out + ELLIPSIS;
}

/** Three backticks inside a code block would close it early; break them with a zero-width space. */
export function neutralizeFences(value: string): string {
  return value.replace(/```/g, '`\u200b``');
}

/** A link in mrkdwn; the label is escaped, and `|` would end the URL part so it is encoded. */
export function mrkdwnLink(url: string, label: string): string {
  return `<${url.replace(/\|/g, '%7C').replace(/>/g, '%3E')}|${escapeMrkdwn(label)}>`;
}

/**
 * `*bold*`, `_italic_`, `~strike~` and `` `code` `` in a name, description or reason stay text:
 * Slack reads a marker only at a word's edge, and a zero-width space beside it there keeps it
 * from being one. Markers inside a word (`my_alarm_name`) are left as they are.
 */
export function neutralizeFormatting(value: string): string {
  return value.replace(/[*_~`]/g, (marker, at: number, whole: string) => {
    const before = whole[at - 1] ?? ' ';
    const after = whole[at + 1] ?? ' ';
    const word = /[\p{L}\p{N}]/u;
    return word.test(before) && word.test(after) ? marker : `\u200b${marker}\u200b`;
  });
}

/** Text from an alarm for mrkdwn: formatting neutralised, escaped, bounded. */
export function escapeText(value: string, max: number): string {
  return escapeAndTruncate(neutralizeFormatting(value), max);
}
