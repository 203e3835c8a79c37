/**
 * Decodes base64, or returns undefined when the text is not base64. Buffer.from skips the
 * characters it does not know, so a result shorter than the text's length promises means
 * corrupt data: one check of lengths instead of a regular expression over the whole text.
 */
export function decodeBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return bytes.length === (text.length / 4) * 3 - padding ? bytes : undefined;
}
