import type { Context, SNSEvent } from 'aws-lambda';
import { loadNotifierConfig } from '../../libs/notifier/config';
import { createNotifierRuntime } from '../../libs/notifier/runtime';

// Parsed once per container: a bad variable fails the cold start, naming the variable.
const runtime = createNotifierRuntime(loadNotifierConfig());

/** SNS (CloudWatch alarm topic) -> Slack, or stdout when no Slack token is configured. */
export const handler = (event: SNSEvent, context: Context) => runtime.handle(event, context);
