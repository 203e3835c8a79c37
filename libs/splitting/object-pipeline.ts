import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import type { DocumentOptions } from '../documents/build';
import type { Delivery, DeliveryReport } from '../destinations';
import type { Logger } from '../logging/logger';
import type { SplitterConfig } from './config';
import { SplitFaultError, TimeBudgetError } from './errors';
import type { ObjectRef } from './s3-event';
import { splitStream, type EventSink, type SplitStats } from './split-stream';

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

export interface PipelineDeps {
  s3: S3Client;
  config: SplitterConfig;
  documents: DocumentOptions;
  openDelivery(context: Pick<Context, 'getRemainingTimeInMillis'>, log: Logger): Delivery;
  archiver?: Archiver;
}

export type ObjectOutcome =
  | { status: 'skipped'; reason: string }
  | { status: 'split'; stats: SplitStats; delivery: DeliveryReport; archived: string[] };

// CloudWatch Logs writes this to check it may write to the bucket.
const WRITE_TEST = 'aws-logs-write-test';

const baseName = (key: string) => key.slice(key.lastIndexOf('/') + 1);

function isMissing(error: unknown): boolean {
  const named = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return named.name === 'NoSuchKey' || named.name === 'NotFound' || named.$metadata?.httpStatusCode === 404;
}

/**
 * Splits one S3 object into the destination (and the archive). Skips what is not log data; an
 * object that no longer exists is logged and skipped (retrying cannot bring it back). A fault
 * still delivers what came before it, then throws SplitFaultError so the event is retried.
 */
export async function splitS3Object(
  deps: PipelineDeps,
  ref: ObjectRef,
  context: Pick<Context, 'getRemainingTimeInMillis'>,
  log: Logger,
): Promise<ObjectOutcome> {
  const { bucket, key } = ref;
  if (baseName(key) === WRITE_TEST) return { status: 'skipped', reason: 'CloudWatch Logs write test object' };
  if (ref.size === 0) return { status: 'skipped', reason: 'empty object' };
  if (deps.archiver?.owns(bucket, key)) return { status: 'skipped', reason: 'archive output (no recursion)' };

  let object: GetObjectCommandOutput;
  try {
    object = await deps.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    // Deleted since the event (or a lifecycle rule got there first): a retry cannot help.
    if (isMissing(error)) return { status: 'skipped', reason: 'object no longer exists' };
    log.error('object could not be read', { bucket, key, error });
    throw error;
  }
  const body = object.Body as AsyncIterable<Uint8Array> | undefined;
  if (body === undefined || object.ContentLength === 0) return { status: 'skipped', reason: 'empty object' };

  const delivery = deps.openDelivery(context, log);
  const archive = deps.archiver?.open(ref);
  const { timeReserveMs } = deps.config;
  let stats: SplitStats | undefined;
  let fault: unknown;
  try {
    stats = await splitStream(body, {
      source: { uri: `s3://${bucket}/${key}`, bucket, key, writtenAt: object.LastModified ?? new Date(0) },
      documents: deps.documents,
      maxRecordBytes: deps.config.maxRecordBytes,
      sink: delivery,
      archive,
      shouldStop: () => timeReserveMs > 0 && context.getRemainingTimeInMillis() < timeReserveMs,
    });
  } catch (error) {
    fault = error;
  }

  // Whatever happened, what was pushed is delivered (or dead-lettered) before returning.
  let report: DeliveryReport | undefined;
  let deliveryError: unknown;
  try {
    report = await delivery.close();
  } catch (error) {
    deliveryError = error;
  }
  let archived: string[] = [];
  if (archive !== undefined) {
    if (fault === undefined && deliveryError === undefined) {
      try {
        archived = await archive.finish();
      } catch (error) {
        // The documents are delivered; the retry rewrites the same archive keys (and gets 409s).
        log.error('archive upload failed', { bucket, key, error });
        throw error;
      }
    } else await archive.abort();
  }

  if (fault !== undefined) {
    const fields = { bucket, key, ...delivery.report, error: fault };
    if (fault instanceof SplitFaultError) {
      const outOfTime = fault.cause instanceof TimeBudgetError;
      log.error(outOfTime ? 'stopped before the end: time ran out' : 'object split fault', {
        ...fields,
        offset: fault.offset,
        object_offset: fault.objectOffset,
      });
    } else log.error('object could not be read to the end', fields);
    throw fault;
  }
  if (deliveryError !== undefined) {
    log.error('delivery failed', { bucket, key, ...delivery.report, error: deliveryError });
    throw deliveryError;
  }
  return { status: 'split', stats: stats!, delivery: report!, archived };
}
