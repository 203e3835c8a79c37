import type { DocumentSource } from './types';

/**
 * Serialising `_source` is the largest cost of the forwarder's hot path, and for a JSON log
 * line most of it is turning the parsed `json` object back into the text we parsed it from.
 * When a document still holds the `json` object it was built with, its original text is
 * written instead. Anything that changes a document's fields after it was built (rules) calls
 * forgetJsonText(), and the document is serialised in full.
 */
const jsonTexts = new WeakMap<DocumentSource, { value: unknown; text: string }>();

export function rememberJsonText(source: DocumentSource, value: Record<string, unknown>, text: string): void {
  // A pretty-printed message spans lines; NDJSON needs one document per line.
  if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) return;
  jsonTexts.set(source, { value, text });
}

export function forgetJsonText(source: DocumentSource): void {
  jsonTexts.delete(source);
}

export function serializeSource(source: DocumentSource): string {
  const remembered = jsonTexts.get(source);
  if (remembered === undefined || source.json !== remembered.value) return JSON.stringify(source);
  const json = source.json;
  // JSON.stringify leaves out undefined values; setting (not deleting) keeps the object's shape fast.
  source.json = undefined;
  try {
    const rest = JSON.stringify(source);
    return rest.length === 2
      ? `{"json":${remembered.text}}`
      : `${rest.slice(0, -1)},"json":${remembered.text}}`;
  } finally {
    source.json = json;
  }
}
