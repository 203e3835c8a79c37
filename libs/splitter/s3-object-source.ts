import { GetObjectCommand, S3Client, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import type { Deadline } from '../runtime/deadline';
import type { Env } from '../runtime/env';
import type { DeliveryReport } from '../forwarding/destinations';
import { AppError, describeError } from '../runtime/errors';
import type { Invocation } from '../runtime/handler';
import type { Logger } from '../runtime/logger';
import { S3Archiver, type Archiver } from './archive';
import { loadSplitterConfig, type SplitterConfig } from './config';
import { SplitFaultError, TimeBudgetError } from './errors';
import { objectsOf, type ObjectRef } from './s3-event';
import { splitStream, type SplitStats } from './split-stream';
import { newRuleCounts, type RuleCounts } from '../forwarding/pipeline/document-step';
import { createPipeline, type Pipeline, type PipelineDeps } from '../forwarding/pipeline/pipeline';

/** The S3 object source of a container (the splitter): the pipeline, the S3 client, the archive. */
export interface Splitter {
  readonly pipeline: Pipeline;
  readonly config: SplitterConfig;
  readonly s3: S3Client;
  readonly archiver?: Archiver;
}

export interface SplitterDeps extends PipelineDeps {
  s3?: S3Client;
}

/** Several objects of one event failed; each was logged with its bucket, key and offset. */
export class SplitObjectsError extends AppError {}

/** Reads and validates the configuration once (cold start) and builds the clients. */
export function createSplitter(env: Env, deps: SplitterDeps = {}): Splitter {
  const config = loadSplitterConfig(env);
  const pipeline = createPipeline(env, deps);
  const s3 = deps.s3 ?? new S3Client({});
  return { pipeline, config, s3, archiver: config.archive && new S3Archiver(s3, config.archive) };
}

/**
 * Splits every object an S3 event names. One object's fault does not stop the others; the
 * invocation fails at the end if any failed, so S3's event is retried (same ids, no
 * duplicates) and finally lands in the on-failure queue.
 */
export async function splitS3Event(
  splitter: Splitter,
  event: S3Event,
  invocation: Pick<Invocation, 'deadline' | 'log'>,
  log: Logger = invocation.log,
): Promise<ObjectOutcome[]> {
  const outcomes: ObjectOutcome[] = [];
  const failures: unknown[] = [];
  for (const ref of objectsOf(event)) {
    const objectLog = log.child({ bucket: ref.bucket, key: ref.key });
    try {
      const outcome = await splitS3Object(splitter, ref, invocation.deadline, objectLog);
      if (outcome.status === 'skipped') {
        const missing = outcome.reason === 'object no longer exists';
        objectLog[missing ? 'warn' : 'info']('object skipped', { reason: outcome.reason });
      } else
        objectLog.info('object split', {
          ...outcome.stats,
          ...outcome.delivery,
          archived: outcome.archived.length,
          parse_failures: outcome.counts.parse_failures,
          ...outcome.counts.tally.logFields(),
        });
      outcomes.push(outcome);
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) {
    throw new SplitObjectsError(
      `${failures.length} objects failed: ${failures.map((f) => describeError(f).message).join('; ')}`,
      { cause: failures[0] },
    );
  }
  return outcomes;
}

export type ObjectOutcome =
  | { status: 'skipped'; reason: string }
  | { status: 'split'; stats: SplitStats; delivery: DeliveryReport; archived: string[]; counts: RuleCounts };

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
  deps: Splitter,
  ref: ObjectRef,
  deadline: Deadline,
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

  const delivery = deps.pipeline.openDelivery(deadline, log);
  const archive = deps.archiver?.open(ref);
  const { drainMs } = deps.config;
  const counts = newRuleCounts();
  let stats: SplitStats | undefined;
  let fault: unknown;
  try {
    stats = await splitStream(body, {
      source: { uri: `s3://${bucket}/${key}`, bucket, key, writtenAt: object.LastModified ?? new Date(0) },
      documents: deps.pipeline.documents,
      maxRecordBytes: deps.config.maxRecordBytes,
      sink: delivery,
      archive,
      counts,
      // Stop reading while in-flight batches can still finish (and dead-letter) before the deadline.
      shouldStop: () => drainMs > 0 && deadline.remaining() < drainMs,
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
  deps.pipeline.publishRuleCounts(counts.tally);
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
  return { status: 'split', stats: stats!, delivery: report!, archived, counts };
}
