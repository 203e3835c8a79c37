import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DescribeSubscriptionFiltersCommand,
  PutSubscriptionFilterCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { Logger } from '../../libs/runtime/logger';
import { deadlineAt } from '../../libs/runtime/deadline';
import { noDeadline } from '../support/lambda';
import {
  loadSubscriberConfig,
  reconcileSubscriptions,
  sdkSubscriptionLogsApi,
  SubscriptionError,
  type SubscriptionLogsApi,
} from '../../libs/subscriber';
import { MOTO_ACCOUNT, MOTO_REGION, useMoto } from '../support/moto';

/**
 * The subscriber (libs/subscriber) with the SDK adapter against moto's CloudWatch Logs: log
 * groups by prefix get the stage's subscription filter to a Firehose stream, the stack's own
 * groups never, a group holding two filters of others is left alone, and a second run changes
 * nothing. Every call is counted: the cost of a run for N groups.
 */
const BUCKET = 'logpipe-moto-raw-logs';
const stream = (name: string) => `arn:aws:firehose:${MOTO_REGION}:${MOTO_ACCOUNT}:deliverystream/${name}`;
const ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/logs-to-firehose`;
const GROUPS = 120; // three pages of DescribeLogGroups (50 a page)

const env = {
  SUBSCRIBE_EXCLUDE_PREFIXES: '/aws/lambda/logpipe-moto-,/aws/kinesisfirehose/logpipe-moto-raw-logs',
  SUBSCRIBE_FIREHOSE_PREFIXES: '/app/,/aws/lambda/',
  SUBSCRIBE_FIREHOSE_DESTINATION_ARN: stream('logpipe-moto-raw-logs'),
  SUBSCRIBE_FIREHOSE_ROLE_ARN: ROLE,
  SUBSCRIBE_FIREHOSE_FILTER_NAME: 'logpipe-moto-firehose',
  SUBSCRIBE_FIREHOSE_FILTER_PATTERN: '-"HealthCheck"',
};

/** The port, counting the calls of each API. */
function counted(api: SubscriptionLogsApi) {
  const calls = { describeLogGroups: 0, describeSubscriptionFilters: 0, putSubscriptionFilter: 0 };
  const port: SubscriptionLogsApi = {
    describeLogGroups: (input) => (calls.describeLogGroups++, api.describeLogGroups(input)),
    describeSubscriptionFilters: (name) => (
      calls.describeSubscriptionFilters++,
      api.describeSubscriptionFilters(name)
    ),
    putSubscriptionFilter: (input) => (calls.putSubscriptionFilter++, api.putSubscriptionFilter(input)),
  };
  return { port, calls };
}

describe('the subscriber against moto', () => {
  const moto = useMoto();
  const logs = new CloudWatchLogsClient(moto.clientConfig);
  const lines: Record<string, unknown>[] = [];
  const log = new Logger({}, 'info', { write: (line: string) => lines.push(JSON.parse(line)) });
  const filtersOf = async (logGroupName: string) =>
    (await logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName }))).subscriptionFilters ?? [];

  beforeAll(async () => {
    await new S3Client(moto.clientConfig).send(
      new CreateBucketCommand({
        Bucket: BUCKET,
        CreateBucketConfiguration: { LocationConstraint: MOTO_REGION },
      }),
    );
    const firehose = new FirehoseClient(moto.clientConfig);
    for (const name of ['logpipe-moto-raw-logs', 'other-a', 'other-b'])
      await firehose.send(
        new CreateDeliveryStreamCommand({
          DeliveryStreamName: name,
          DeliveryStreamType: 'DirectPut',
          ExtendedS3DestinationConfiguration: { BucketARN: `arn:aws:s3:::${BUCKET}`, RoleARN: ROLE },
        }),
      );
    const groups = [
      ...Array.from({ length: GROUPS }, (_, i) => `/app/g${String(i).padStart(3, '0')}`),
      '/aws/lambda/orders',
      '/aws/lambda/logpipe-moto-forwarder', // the stack's own: matched by /aws/lambda/, never subscribed
      '/ecs/not-matched',
    ];
    for (const logGroupName of groups) await logs.send(new CreateLogGroupCommand({ logGroupName }));
    const put = (logGroupName: string, filterName: string, destination: string, filterPattern = '') =>
      logs.send(
        new PutSubscriptionFilterCommand({
          logGroupName,
          filterName,
          filterPattern,
          destinationArn: stream(destination),
          roleArn: ROLE,
        }),
      );
    // Full: two filters of others.
    await put('/aws/lambda/orders', 'team-a', 'other-a');
    await put('/aws/lambda/orders', 'team-b', 'other-b');
    // Ours with an old pattern, beside another team's: updated in place (still two filters).
    await put('/app/g001', 'logpipe-moto-firehose', 'logpipe-moto-raw-logs', 'OLD');
    await put('/app/g001', 'team-a', 'other-a');
    // Already sent to our stream under another name (a filter made by hand): not sent twice.
    await put('/app/g002', 'by-hand', 'logpipe-moto-raw-logs');
    // Ours, right pattern, another role (the stage's role was replaced): updated.
    await logs.send(
      new PutSubscriptionFilterCommand({
        logGroupName: '/app/g003',
        filterName: 'logpipe-moto-firehose',
        filterPattern: '-"HealthCheck"',
        destinationArn: stream('logpipe-moto-raw-logs'),
        roleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/replaced`,
      }),
    );
  }, 120_000);

  it('subscribes every matching group once, leaves its own and full groups alone, and says so', async () => {
    const { port, calls } = counted(await sdkSubscriptionLogsApi(logs));
    const config = loadSubscriberConfig(env);
    const [summary] = await reconcileSubscriptions(port, config, noDeadline, log);
    expect(summary).toEqual({
      target: 'firehose',
      matched: GROUPS + 2,
      subscribed: GROUPS - 3,
      updated: 2,
      unchanged: 1,
      excluded: 1,
      full: 1,
      failed: 0,
      unchecked: 0,
      not_standard_class: 0, // moto lists no class: Standard
    });
    // Pages of 50 per prefix (3 for /app/, 1 for /aws/lambda/), one read per group not
    // excluded, one write per group subscribed or updated.
    expect(calls).toEqual({
      describeLogGroups: 4,
      describeSubscriptionFilters: GROUPS + 1,
      putSubscriptionFilter: GROUPS - 1,
    });
    expect(await filtersOf('/app/g119')).toEqual([
      expect.objectContaining({
        filterName: 'logpipe-moto-firehose',
        filterPattern: '-"HealthCheck"',
        destinationArn: stream('logpipe-moto-raw-logs'),
        roleArn: ROLE,
      }),
    ]);
    expect((await filtersOf('/app/g001')).map((f) => [f.filterName, f.filterPattern]).sort()).toEqual([
      ['logpipe-moto-firehose', '-"HealthCheck"'],
      ['team-a', ''],
    ]);
    expect((await filtersOf('/app/g002')).map((f) => f.filterName)).toEqual(['by-hand']);
    expect((await filtersOf('/app/g003')).map((f) => f.roleArn)).toEqual([ROLE]);
    expect(await filtersOf('/aws/lambda/logpipe-moto-forwarder')).toEqual([]);
    expect(await filtersOf('/ecs/not-matched')).toEqual([]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: 'log group has two subscription filters already: not subscribed',
        log_group: '/aws/lambda/orders',
        filters: ['team-a', 'team-b'],
      }),
    );
  });

  it('changes nothing on the next run: reads only', async () => {
    const { port, calls } = counted(await sdkSubscriptionLogsApi(logs));
    const [summary] = await reconcileSubscriptions(port, loadSubscriberConfig(env), noDeadline, log);
    expect(summary).toMatchObject({ subscribed: 0, updated: 0, unchanged: GROUPS, full: 1, excluded: 1 });
    expect(calls).toEqual({
      describeLogGroups: 4,
      describeSubscriptionFilters: GROUPS + 1,
      putSubscriptionFilter: 0,
    });
  });

  it('stops looking when the time is short, counting what it left for the next run', async () => {
    const { port, calls } = counted(await sdkSubscriptionLogsApi(logs));
    // Each look at the clock moves it a second: the deadline comes after 50 of them.
    let now = 0;
    const clock = () => (now += 1_000);
    const [summary] = await reconcileSubscriptions(
      port,
      loadSubscriberConfig(env),
      deadlineAt(50_000, clock),
      log,
    );
    expect(summary!.unchecked).toBeGreaterThan(0);
    expect(summary!.unchanged + summary!.unchecked + summary!.excluded + summary!.full).toBeLessThanOrEqual(
      GROUPS + 2,
    );
    expect(calls.describeSubscriptionFilters).toBeLessThan(60);
  });

  it('fails the run after the others when a group cannot be subscribed, naming the group in the log', async () => {
    const api = await sdkSubscriptionLogsApi(logs);
    const config = loadSubscriberConfig({
      ...env,
      SUBSCRIBE_FIREHOSE_PREFIXES: '/app/g00',
      SUBSCRIBE_FIREHOSE_FILTER_NAME: 'second-stage', // a new filter: every group gets a put
      SUBSCRIBE_FIREHOSE_DESTINATION_ARN: stream('missing-stream'), // moto refuses: no such stream
    });
    await expect(reconcileSubscriptions(api, config, noDeadline, log)).rejects.toThrow(SubscriptionError);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'error', msg: 'subscription failed', log_group: '/app/g000' }),
    );
  });
});
