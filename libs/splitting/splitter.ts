import { S3Client } from '@aws-sdk/client-s3';
import type { Context, S3Event } from 'aws-lambda';
import type { Env } from '../config/env';
import { AppError, describeError } from '../errors';
import { createForwarder, type Forwarder, type ForwarderDeps } from '../forwarding/forwarder';
import { logger as rootLogger, type Logger } from '../logging/logger';
import { S3Archiver } from './archive';
import { loadSplitterConfig, type SplitterConfig } from './config';
import { splitS3Object, type ObjectOutcome, type PipelineDeps } from './object-pipeline';
import { objectsOf } from './s3-event';

export interface Splitter extends PipelineDeps {
  readonly forwarder: Forwarder;
  readonly config: SplitterConfig;
}

export interface SplitterDeps extends ForwarderDeps {
  s3?: S3Client;
}

/** Several objects of one event failed; each was logged with its bucket, key and offset. */
export class SplitObjectsError extends AppError {}

/** Reads and validates the configuration once (cold start) and builds the clients. */
export function createSplitter(env: Env, deps: SplitterDeps = {}): Splitter {
  const config = loadSplitterConfig(env);
  const forwarder = createForwarder(env, deps);
  const s3 = deps.s3 ?? new S3Client({});
  return {
    forwarder,
    config,
    s3,
    documents: forwarder.documents,
    openDelivery: (context, log) => forwarder.openDelivery(context, log),
    archiver: config.archive && new S3Archiver(s3, config.archive),
  };
}

/**
 * Splits every object an S3 event names. One object's fault does not stop the others; the
 * invocation fails at the end if any failed, so S3's event is retried (same ids, no
 * duplicates) and finally lands in the on-failure queue.
 */
export async function splitS3Event(
  splitter: Splitter,
  event: S3Event,
  context: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>,
  log: Logger = rootLogger.child({ request_id: context.awsRequestId }),
): Promise<ObjectOutcome[]> {
  const outcomes: ObjectOutcome[] = [];
  const failures: unknown[] = [];
  for (const ref of objectsOf(event)) {
    const objectLog = log.child({ bucket: ref.bucket, key: ref.key });
    try {
      const outcome = await splitS3Object(splitter, ref, context, objectLog);
      if (outcome.status === 'skipped') {
        const missing = outcome.reason === 'object no longer exists';
        objectLog[missing ? 'warn' : 'info']('object skipped', { reason: outcome.reason });
      } else
        objectLog.info('object split', {
          ...outcome.stats,
          ...outcome.delivery,
          archived: outcome.archived.length,
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
