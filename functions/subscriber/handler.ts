import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { invocationLogger } from '../../libs/runtime/logger';
import {
  loadSubscriberConfig,
  reconcileSubscriptions,
  sdkSubscriptionLogsApi,
  type TargetSummary,
} from '../../libs/subscriber';

// Parsed once per cold start: a bad value fails here, naming the variable.
const config = loadSubscriberConfig(process.env);
// DescribeSubscriptionFilters allows 5 requests a second per account and region: the SDK's
// adaptive mode slows down on throttling instead of failing the group.
const api = sdkSubscriptionLogsApi(new CloudWatchLogsClient({ maxAttempts: 8, retryMode: 'adaptive' }));

export const handler = async (_event: ScheduledEvent, context: Context): Promise<TargetSummary[]> =>
  reconcileSubscriptions(
    await api,
    config,
    () => context.getRemainingTimeInMillis(),
    invocationLogger(context),
  );
