/**
 * One Lambda container of the notifier, as a child process of the storm test
 * (test/notifier/storm.integration.test.ts): it runs the notifier's runtime with the environment it was
 * started with, one delivery at a time, on a compressed clock (TIME_SCALE: a second of the
 * notifier's time lasts 1 / TIME_SCALE real seconds; the deadline, sleeps and `now` follow it).
 * Deliveries share nothing with those of other containers but DynamoDB (moto) and Slack
 * (the stand-in), as in Lambda.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '../../libs/runtime/logger';
import { loadNotifierConfig } from '../../libs/notifier/config';
import { createNotifierRuntime } from '../../libs/notifier/runtime';
import { lambdaContext } from './lambda';

interface Delivery {
  id: number;
  event: unknown;
  /** The invocation's time limit, in the notifier's milliseconds. */
  timeoutMs: number;
}

const scale = Number(process.env.TIME_SCALE ?? '1');
const epochReal = Number(process.env.CLOCK_REAL_START);
const epochVirtual = Number(process.env.CLOCK_VIRTUAL_START);
const now = () => new Date(epochVirtual + (Date.now() - epochReal) * scale);

const runtime = createNotifierRuntime(loadNotifierConfig(), {
  fetchSecret: async () => 'xoxb-test-token',
  ledgerClient: new DynamoDBClient({
    endpoint: process.env.MOTO_ENDPOINT,
    region: 'ap-northeast-2',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  }),
  log: new Logger({}, 'error', { write: (line: string) => process.stderr.write(line) }),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms / scale)),
  now,
  // A slow moto answer must not abort a Slack call: answers are bounded by the deadline anyway.
  slackAttemptTimeoutMs: 10_000 * scale,
});

process.on('message', (delivery: Delivery) => {
  const context = lambdaContext({
    awsRequestId: `delivery-${delivery.id}`,
    remainingMs: delivery.timeoutMs,
    clock: () => now().getTime(),
  });
  runtime.handle(delivery.event, context).then(
    () => process.send?.({ id: delivery.id, ok: true }),
    (error: unknown) => process.send?.({ id: delivery.id, ok: false, error: String(error) }),
  );
});
process.send?.({ ready: true });
