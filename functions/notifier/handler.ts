import type { CloudWatchAlarmEvent, Context, SNSEvent } from 'aws-lambda';
import { loadNotifierConfig } from '../../libs/notifier/config';
import { createNotifierRuntime } from '../../libs/notifier/runtime';

// Parsed once per container: a bad variable fails the cold start, naming the variable.
const runtime = createNotifierRuntime(loadNotifierConfig());

/**
 * SNS (CloudWatch alarm topic), or an alarm's Lambda action invoking the function directly
 * (alarmData, no SNS envelope) -> Slack, or stdout when no Slack token is configured.
 */
export const handler = (event: SNSEvent | CloudWatchAlarmEvent, context: Context) =>
  runtime.handle(event, context);
