import type { S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { LogDocument } from '../documents/types';

const gzip = promisify(gzipCallback);

/** A document (or raw log event) that the destination refused for good, with the reason. */
export interface DeadLetter {
  reason: string;
  document?: LogDocument;
  /** Set instead of `document` when the event was too malformed to become one. */
  event?: unknown;
  logGroup?: string;
  logStream?: string;
}

/** What identifies a raw event in the object key's hash: its id, else its JSON. */
export function eventKey(event: unknown): string {
  const id = (event as { id?: unknown } | null)?.id;
  if (typeof id === 'string') return id;
  try {
    return JSON.stringify(event) ?? '';
  } catch {
    return String((event as { message?: unknown } | null)?.message ?? '');
  }
}

/**
 * One NDJSON line. An entry whose event cannot be written as JSON (nested too deep for the
 * recursion of JSON.stringify) keeps its message text and says so: one such event must not
 * fail the dead letters of the whole invocation.
 */
export function deadLetterLine(entry: DeadLetter, at: string): string {
  try {
    return JSON.stringify({ ...entry, dead_lettered_at: at });
  } catch (error) {
    const event = entry.event as { id?: unknown; timestamp?: unknown; message?: unknown } | undefined;
    const plain = (value: unknown) =>
      typeof value === 'string' || typeof value === 'number' ? value : undefined;
    return JSON.stringify({
      reason: `${entry.reason}; the entry could not be written as JSON (${(error as Error).message}): its id, time and text are kept`,
      event: { id: plain(event?.id), timestamp: plain(event?.timestamp), message: plain(event?.message) },
      logGroup: entry.logGroup,
      logStream: entry.logStream,
      dead_lettered_at: at,
    });
  }
}

export interface DeadLetterSink {
  /** Stores the entries durably and returns where they went. */
  put(entries: readonly DeadLetter[]): Promise<string>;
}

/**
 * Dead letters as one gzipped NDJSON object per invocation in S3. The key is a hash of the
 * entries, so the retry of an invocation that fails the same way overwrites its own object
 * instead of adding a copy. The S3 client is created only when something is dead-lettered.
 */
export class S3DeadLetterSink implements DeadLetterSink {
  private client: S3Client | undefined;

  constructor(
    private readonly bucket: string,
    private readonly prefix: string,
    private readonly clientFactory: () => Promise<S3Client> = async () => {
      const { S3Client } = await import('@aws-sdk/client-s3');
      return new S3Client({});
    },
    private readonly now: () => Date = () => new Date(),
  ) {}

  async put(entries: readonly DeadLetter[]): Promise<string> {
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    this.client ??= await this.clientFactory();
    const at = this.now().toISOString();
    const lines = entries.map((entry) => deadLetterLine(entry, at));
    const hash = createHash('sha256');
    for (const entry of entries) hash.update(entry.document?._id ?? eventKey(entry.event)).update('\n');
    const key = `${this.prefix}dt=${this.now().toISOString().slice(0, 10)}/${hash.digest('hex').slice(0, 32)}.ndjson.gz`;
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: await gzip(lines.join('\n') + '\n'),
        ContentType: 'application/x-ndjson',
        ContentEncoding: 'gzip',
      }),
    );
    return `s3://${this.bucket}/${key}`;
  }
}
