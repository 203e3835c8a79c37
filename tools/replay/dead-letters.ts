import { gunzipSync } from 'node:zlib';
import type { LogDocument } from '../../libs/forwarding/documents/types';

/**
 * Reading the dead-letter objects that libs/forwarding/destinations/dead-letter.ts writes:
 * `<prefix>dt=YYYY-MM-DD/<hash>.ndjson.gz`, one JSON line per entry, `{reason, document}` for a
 * document the destination refused, `{reason, event, logGroup, logStream}` for a raw event that
 * never became a document (malformed, or a step threw for it; the splitter's invalid records too),
 * each with `dead_lettered_at`.
 */

/** Every dead-letter prefix of a stage's bucket: the forwarder's, the splitter's, the replay's own. */
export const DEAD_LETTER_ROOT = 'dead-letter/';
/** Where a replay writes what the destination refuses again (with the new reason). */
export const REPLAY_PREFIX = `${DEAD_LETTER_ROOT}replay/`;

export type LineKind = 'document' | 'event' | 'unreadable';

export interface DeadLetterLine {
  /** The line as stored: what is kept is written back byte for byte. */
  text: string;
  kind: LineKind;
  reason: string;
  /** When it was dead-lettered (ISO), if the line says. */
  at?: string;
  document?: LogDocument;
}

function isDocument(value: unknown): value is LogDocument {
  const doc = value as Partial<LogDocument> | null;
  return (
    typeof doc === 'object' &&
    doc !== null &&
    typeof doc._id === 'string' &&
    doc._id !== '' &&
    typeof doc._index === 'string' &&
    doc._index !== '' &&
    typeof doc._source === 'object' &&
    doc._source !== null
  );
}

export function parseLine(text: string): DeadLetterLine {
  let entry: { reason?: unknown; document?: unknown; dead_lettered_at?: unknown };
  try {
    entry = JSON.parse(text) as typeof entry;
  } catch {
    return { text, kind: 'unreadable', reason: 'the line is not JSON' };
  }
  const reason = typeof entry?.reason === 'string' ? entry.reason : 'no reason given';
  const at = typeof entry?.dead_lettered_at === 'string' ? entry.dead_lettered_at : undefined;
  if (isDocument(entry?.document)) return { text, kind: 'document', reason, at, document: entry.document };
  return { text, kind: entry && typeof entry === 'object' ? 'event' : 'unreadable', reason, at };
}

/** The lines of one object (gzip, as the sink writes it; plain NDJSON is read too). */
export function parseObject(body: Buffer): DeadLetterLine[] {
  const text = (body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body) : body).toString('utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map(parseLine);
}

/** The day of an object from its key's `dt=YYYY-MM-DD` partition. */
export function dayOfKey(key: string): string | undefined {
  return /(?:^|\/)dt=(\d{4}-\d{2}-\d{2})\//.exec(key)?.[1];
}

/**
 * A reason with what differs from one document to the next taken out (ids, values, positions,
 * sizes), so the counts group documents refused for the same cause.
 */
export function reasonClass(reason: string): string {
  return reason
    .replace(/\[\d+:\d+\]\s*/g, '')
    .replace(/\bid '[^']*'/g, "id '…'")
    .replace(/Preview of field's value: '.*?'(?=$|[.;,)])/g, "Preview of field's value: '…'")
    .replace(/\b(of|at byte) \d+( bytes)?/g, (_, word: string, unit?: string) => `${word} N${unit ?? ''}`)
    .slice(0, 200);
}
