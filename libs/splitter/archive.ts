import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { createGzip, type Gzip } from 'node:zlib';
import type { CloudWatchLogEvent } from '../forwarding/decoding/subscription';
import type { LogStreamContext } from '../forwarding/documents/build';
import type { ArchiveConfig } from './config';
import type { ObjectRef } from './s3-event';
import type { EventSink } from './split-stream';

/** The archive output of one source object: events go in, objects come out at finish(). */
export interface ArchiveSession extends EventSink {
  /** Uploads what was written; returns the keys. */
  finish(): Promise<string[]>;
  /** Drops everything (the source faulted: the retry rewrites the same keys). */
  abort(): Promise<void>;
}

export interface Archiver {
  open(source: ObjectRef): ArchiveSession;
  /** True when the key is archive output (splitting it would be recursion). */
  owns(bucket: string, key: string): boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const FLUSH_CHARS = 64 * 1024;
/** Open gzip streams at once (each holds ~300 KiB of zlib state); more partitions rotate. */
const MAX_OPEN = 32;
const PARALLEL_UPLOADS = 4;

/** `<prefix>/log_group=<encoded>/dt=YYYY-MM-DD/<source name>.ndjson.gz`: the same source gives the same keys. */
export function archiveKey(prefix: string, logGroup: string, day: string, sourceKey: string): string {
  const name = sourceKey.slice(sourceKey.lastIndexOf('/') + 1).replace(/\.gz$/, '');
  return `${prefix}/log_group=${encodeURIComponent(logGroup)}/dt=${day}/${name}.ndjson.gz`;
}

/** One archive line: the event with its stream, as CloudWatch names the fields. */
export function archiveLine(context: LogStreamContext, event: CloudWatchLogEvent): string {
  return (
    JSON.stringify({
      owner: context.owner,
      logGroup: context.logGroup,
      logStream: context.logStream,
      id: event.id,
      timestamp: event.timestamp,
      message: event.message,
      ...(event.extractedFields === undefined ? {} : { extractedFields: event.extractedFields }),
    }) + '\n'
  );
}

interface Partition {
  key: string;
  path: string;
  pending: string;
  gzip?: Gzip;
  done?: Promise<void>;
  lastUsed: number;
}

/**
 * Writes one source object's events as NDJSON.gz per log group and day. Lines are gzipped into
 * files in the function's temporary storage and uploaded at the end: a Firehose object can
 * mix many log groups and days, and one multipart upload per partition would hold 5 MiB or
 * more of memory each. When more than MAX_OPEN partitions are open, the least recently used
 * is closed and later reopened in append mode: a new gzip member, still one valid gzip file.
 */
class SpoolSession implements ArchiveSession {
  private readonly partitions = new Map<string, Partition>();
  private readonly open = new Set<Partition>();
  private dir: Promise<string>;
  private clock = 0;
  private dayCache = { day: NaN, text: '' };

  constructor(
    private readonly s3: S3Client,
    private readonly config: ArchiveConfig,
    private readonly source: ObjectRef,
  ) {
    this.dir = mkdtemp(join(tmpdir(), 'splitter-archive-'));
    this.dir.catch(() => undefined); // reported where it is awaited, never as an unhandled rejection
  }

  write(context: LogStreamContext, event: CloudWatchLogEvent): Promise<void> | undefined {
    const day = this.dayOf(event.timestamp);
    const id = `${context.logGroup}\n${day}`;
    let partition = this.partitions.get(id);
    if (partition === undefined) {
      partition = {
        key: archiveKey(this.config.prefix, context.logGroup, day, this.source.key),
        path: '',
        pending: '',
        lastUsed: 0,
      };
      partition.path = String(this.partitions.size);
      this.partitions.set(id, partition);
    }
    partition.lastUsed = ++this.clock;
    partition.pending += archiveLine(context, event);
    return partition.pending.length >= FLUSH_CHARS ? this.flush(partition) : undefined;
  }

  async finish(): Promise<string[]> {
    const dir = await this.dir;
    try {
      for (const partition of this.partitions.values()) {
        if (partition.pending !== '') await this.flush(partition);
        await this.close(partition);
      }
      const queue = [...this.partitions.values()];
      const upload = async () => {
        for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
          await new Upload({
            client: this.s3,
            params: {
              Bucket: this.config.bucket,
              Key: next.key,
              Body: createReadStream(join(dir, next.path)),
              ContentType: 'application/gzip',
            },
          }).done();
        }
      };
      await Promise.all(Array.from({ length: PARALLEL_UPLOADS }, upload));
      return [...this.partitions.values()].map((p) => p.key);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async abort(): Promise<void> {
    for (const partition of this.open) partition.gzip?.destroy();
    await rm(await this.dir, { recursive: true, force: true });
  }

  private dayOf(timestamp: number): string {
    const day = Math.floor(timestamp / DAY_MS);
    if (day !== this.dayCache.day)
      this.dayCache = { day, text: new Date(day * DAY_MS).toISOString().slice(0, 10) };
    return this.dayCache.text;
  }

  private async flush(partition: Partition): Promise<void> {
    const gzip = await this.ensureOpen(partition);
    const text = partition.pending;
    partition.pending = '';
    if (!gzip.write(text)) await new Promise<void>((resolve) => gzip.once('drain', resolve));
  }

  private async ensureOpen(partition: Partition): Promise<Gzip> {
    if (partition.gzip !== undefined) return partition.gzip;
    if (this.open.size >= MAX_OPEN) {
      const oldest = [...this.open].reduce((a, b) => (a.lastUsed <= b.lastUsed ? a : b));
      await this.close(oldest);
    }
    const path = join(await this.dir, partition.path);
    const gzip = createGzip({ level: 6 });
    const file: WriteStream = createWriteStream(path, { flags: 'a' });
    gzip.pipe(file);
    partition.gzip = gzip;
    partition.done = finished(file);
    this.open.add(partition);
    return gzip;
  }

  private async close(partition: Partition): Promise<void> {
    if (partition.gzip === undefined) return;
    partition.gzip.end();
    await partition.done;
    partition.gzip = undefined;
    this.open.delete(partition);
  }
}

/** The archive output configured for a stage (ARCHIVE_BUCKET, ARCHIVE_PREFIX). */
export class S3Archiver implements Archiver {
  constructor(
    private readonly s3: S3Client,
    private readonly config: ArchiveConfig,
  ) {}

  open(source: ObjectRef): ArchiveSession {
    return new SpoolSession(this.s3, this.config, source);
  }

  owns(bucket: string, key: string): boolean {
    return bucket === this.config.bucket && key.startsWith(`${this.config.prefix}/`);
  }
}
