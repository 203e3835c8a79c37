import type { CloudWatchLogsEvent, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { createPipeline } from '../../libs/forwarding/pipeline/pipeline';
import { createKinesisSource, forwardKinesis, isKinesisEvent } from '../../libs/forwarding/sources/kinesis';
import { forwardSubscription } from '../../libs/forwarding/sources/subscription';
import { defineHandler } from '../../libs/runtime/handler';

// Configuration (and RULES_FILE) is read and validated once per container, at cold start. Both
// sources share the pipeline: one transport, one connection pool, the same rules.
const pipeline = createPipeline(process.env);
const kinesis = createKinesisSource(pipeline);

export const handler = defineHandler<
  CloudWatchLogsEvent | KinesisStreamEvent,
  KinesisStreamBatchResponse | void
>(
  // Retries stop 3 s before the end: enough to store what is left as dead letters (one S3 put per batch).
  { name: 'forwarder', timeReserveMs: 3000 },
  async (event, invocation) => {
    if (isKinesisEvent(event)) return forwardKinesis(kinesis, event, invocation);
    await forwardSubscription(pipeline, event, invocation);
  },
);
