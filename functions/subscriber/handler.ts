import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { ScheduledEvent } from 'aws-lambda';
import { defineHandler } from '../../libs/runtime/handler';
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

export const handler = defineHandler<ScheduledEvent, TargetSummary[]>(
  // 10 s: a call already started may wait out the adaptive retries (throttled at 5 a second)
  // before the run can count what it left and return its summary.
  { name: 'subscriber', timeReserveMs: 10_000 },
  async (_event, { deadline, log }) => reconcileSubscriptions(await api, config, deadline, log),
);
