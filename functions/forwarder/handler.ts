import type { CloudWatchLogsEvent, Context } from 'aws-lambda';
import { createForwarder, forwardSubscription } from '../../libs/forwarding/forwarder';

// Configuration is read and validated once per container, at cold start.
const forwarder = createForwarder(process.env);

export const handler = async (event: CloudWatchLogsEvent, context: Context): Promise<void> => {
  await forwardSubscription(forwarder, event, context);
};
