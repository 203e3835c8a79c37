import type {
  CloudWatchLogsEvent,
  Context,
  KinesisStreamBatchResponse,
  KinesisStreamEvent,
} from 'aws-lambda';
import { forwardSubscription } from '../../libs/forwarding/forwarder';
import { createKinesisForwarder, forwardKinesis, isKinesisEvent } from '../../libs/kinesis';

// Configuration (and RULES_FILE) is read and validated once per container, at cold start. The
// subscription path shares the forwarder: one transport, one connection pool.
const kinesis = createKinesisForwarder(process.env);
const forwarder = kinesis.forwarder;

export const handler = async (
  event: CloudWatchLogsEvent | KinesisStreamEvent,
  context: Context,
): Promise<KinesisStreamBatchResponse | void> => {
  if (isKinesisEvent(event)) return forwardKinesis(kinesis, event, context);
  await forwardSubscription(forwarder, event, context);
};
