import type { CloudWatchAlarmEvent, SNSEvent } from 'aws-lambda';
import { loadNotifierConfig } from '../../libs/notifier/config';
import { createNotifierRuntime } from '../../libs/notifier/runtime';
import { defineHandler } from '../../libs/runtime/handler';

// Parsed once per container: a bad variable fails the cold start, naming the variable.
const runtime = createNotifierRuntime(loadNotifierConfig());

/**
 * SNS (CloudWatch alarm topic), or an alarm's Lambda action invoking the function directly
 * (alarmData, no SNS envelope) -> Slack, or stdout when no Slack token is configured.
 */
export const handler = defineHandler<
  SNSEvent | CloudWatchAlarmEvent,
  Awaited<ReturnType<typeof runtime.handle>>
>(
  // 1.5 s: enough to log a failure and throw it (Lambda then retries, then the on-failure queue);
  // every Slack and DynamoDB call is already bounded by the deadline, so nothing waits longer.
  { name: 'notifier', timeReserveMs: 1500 },
  (event, { context, deadline, log }) => runtime.handle(event, context, { deadline, log }),
);
