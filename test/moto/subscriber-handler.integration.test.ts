import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DescribeSubscriptionFiltersCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import type { ScheduledEvent } from 'aws-lambda';
import { MOTO_ACCOUNT, MOTO_REGION, useMoto } from '../support/moto';
import { lambdaContext } from '../support/lambda';

/**
 * functions/subscriber/handler.ts as deployed: configuration from the environment at cold start,
 * its own SDK client (pointed at moto by the SDK's AWS_ENDPOINT_URL), one scheduled run.
 */
const context = lambdaContext({ awsRequestId: 'req-1', remainingMs: 300_000 });
const event = {} as ScheduledEvent;
const STREAM = `arn:aws:firehose:${MOTO_REGION}:${MOTO_ACCOUNT}:deliverystream/logpipe-moto-raw-logs`;
const ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/logs-to-firehose`;

describe('subscriber handler', () => {
  const moto = useMoto();
  const saved = { ...process.env };
  let stderr: jest.SpyInstance;
  beforeEach(() => {
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    stderr.mockRestore();
    process.env = { ...saved };
    jest.resetModules();
  });

  it('without prefixes, has nothing to do and calls no AWS API', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9'; // any call would fail
    const { handler } = await import('../../functions/subscriber/handler');
    expect(await handler(event, context)).toEqual([]);
  });

  it('fails the cold start naming a bad variable', async () => {
    process.env.SUBSCRIBE_FIREHOSE_PREFIXES = '/app/';
    await expect(import('../../functions/subscriber/handler')).rejects.toThrow(
      /SUBSCRIBE_FIREHOSE_DESTINATION_ARN/,
    );
  });

  it('subscribes the groups of its prefixes', async () => {
    const logs = new CloudWatchLogsClient(moto.clientConfig);
    await new FirehoseClient(moto.clientConfig).send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: 'logpipe-moto-raw-logs',
        DeliveryStreamType: 'DirectPut',
        ExtendedS3DestinationConfiguration: { BucketARN: 'arn:aws:s3:::any', RoleARN: ROLE },
      }),
    );
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/app/orders' }));
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_REGION: MOTO_REGION,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      SUBSCRIBE_EXCLUDE_PREFIXES: '/aws/lambda/logpipe-moto-',
      SUBSCRIBE_FIREHOSE_PREFIXES: '/app/',
      SUBSCRIBE_FIREHOSE_DESTINATION_ARN: STREAM,
      SUBSCRIBE_FIREHOSE_ROLE_ARN: ROLE,
      SUBSCRIBE_FIREHOSE_FILTER_NAME: 'logpipe-moto-firehose',
    });
    const { handler } = await import('../../functions/subscriber/handler');
    expect(await handler(event, context)).toEqual([
      expect.objectContaining({ target: 'firehose', matched: 1, subscribed: 1 }),
    ]);
    const filters = await logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName: '/app/orders' }));
    expect(filters.subscriptionFilters?.map((f) => f.destinationArn)).toEqual([STREAM]);
    const lines = stderr.mock.calls.map((call) => String(call[0]));
    expect(
      lines.some((line) => line.includes('"subscriptions reconciled"') && line.includes('"req-1"')),
    ).toBe(true);
  });
});
