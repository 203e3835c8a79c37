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
    const lines = entries.map((entry) =>
      JSON.stringify({ ...entry, dead_lettered_at: this.now().toISOString() }),
    );
    const hash = createHash('sha256');
    for (const entry of entries)
      hash.update(entry.document?._id ?? JSON.stringify(entry.event) ?? '').update('\n');
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
