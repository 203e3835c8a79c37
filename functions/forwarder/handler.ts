import type {
  CloudWatchLogsEvent,
  Context,
  KinesisStreamBatchResponse,
  KinesisStreamEvent,
} from 'aws-lambda';
import { createPipeline } from '../../libs/forwarding/pipeline/pipeline';
import { createKinesisSource, forwardKinesis, isKinesisEvent } from '../../libs/forwarding/sources/kinesis';
import { forwardSubscription } from '../../libs/forwarding/sources/subscription';

// Configuration (and RULES_FILE) is read and validated once per container, at cold start. Both
// sources share the pipeline: one transport, one connection pool, the same rules.
const pipeline = createPipeline(process.env);
const kinesis = createKinesisSource(pipeline);

export const handler = async (
  event: CloudWatchLogsEvent | KinesisStreamEvent,
  context: Context,
): Promise<KinesisStreamBatchResponse | void> => {
  if (isKinesisEvent(event)) return forwardKinesis(kinesis, event, context);
  await forwardSubscription(pipeline, event, context);
};
