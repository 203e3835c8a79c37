// @ts-check
'use strict';

/**
 * The forwarder (docs/kinesis.md, docs/deploy.md): its environment, its events (a subscription
 * filter per forwarded log group, then the optional Kinesis stream) and its role statements.
 * serverless.yml: `environment` and `events: ${file(./resources/forwarder.js):…}`;
 * resources/roles.js calls iamRoleStatements. Its metric alarms: resources/metric-alarms.yml.
 *
 * params: the shared destination and document params (resources/lib/documents.js),
 * forwardedLogGroups, forwarderFilterPattern, and the Kinesis input: kinesisStreamArn ('' renders
 * no event source mapping and no queue), kinesisOnFailureArn (an SQS queue ARN for batches that
 * exhausted their retries; '' = the stack's ForwarderStreamFailureQueue), kinesisBatchSize,
 * kinesisMaximumRetryAttempts, kinesisMaximumRecordAgeInSeconds, kinesisParallelizationFactor,
 * kinesisStartingPosition.
 */

const { params } = require('./lib/params');
const { s3Arn } = require('./lib/cfn');
const { destinationStatements, sendToQueue } = require('./lib/iam');
const { destination, documentsEnvironment, deadLetterPrefix } = require('./lib/documents');

/** @typedef {import('./lib/params').Context} Context */

const STREAM_ARN = /^arn:aws[\w-]*:kinesis:[\w-]+:\d{12}:stream\/[\w.-]+$/;
const QUEUE_ARN = /^arn:aws[\w-]*:sqs:[\w-]+:\d{12}:[\w-]+$/;

/** @param {Context} context */
async function environment(context) {
  return documentsEnvironment(context, 'forwarder');
}

/** The Kinesis input's params, validated; undefined when the stage reads no stream. @param {Context} context */
async function streamSettings(context) {
  const param = params(context);
  const streamArn = await param.text('kinesisStreamArn');
  if (streamArn === '') return undefined;
  if (!STREAM_ARN.test(streamArn))
    throw new Error(`param kinesisStreamArn is not a Kinesis stream ARN: "${streamArn}"`);
  const onFailureArn = await param.text('kinesisOnFailureArn');
  if (onFailureArn !== '' && !QUEUE_ARN.test(onFailureArn))
    throw new Error(`param kinesisOnFailureArn is not an SQS queue ARN: "${onFailureArn}"`);
  return {
    streamArn,
    onFailure:
      onFailureArn === ''
        ? { type: 'sqs', arn: { 'Fn::GetAtt': ['ForwarderStreamFailureQueue', 'Arn'] } }
        : onFailureArn,
    startingPosition: await param.oneOf('kinesisStartingPosition', ['LATEST', 'TRIM_HORIZON']),
    batchSize: await param.integer('kinesisBatchSize', 1, 10000),
    maximumRetryAttempts: await param.integer('kinesisMaximumRetryAttempts', 0, 10000),
    maximumRecordAgeInSeconds: await param.integer('kinesisMaximumRecordAgeInSeconds', 60, 604800),
    parallelizationFactor: await param.integer('kinesisParallelizationFactor', 1, 10),
  };
}

/**
 * The Kinesis event source, if any. A failed record is retried from its sequence number
 * (ReportBatchItemFailures), the batch is halved around it (bisect), and after
 * maximumRetryAttempts (or maximumRecordAge) the batch's shard and sequence range go to the
 * on-failure queue and the shard moves on: a poison record never blocks its shard. The queue is
 * declared by resources/failure-queues.js when named here.
 * @param {Context} context
 */
async function streamEvents(context) {
  const config = await streamSettings(context);
  if (config === undefined) return [];
  return [
    {
      stream: {
        type: 'kinesis',
        arn: config.streamArn,
        batchSize: config.batchSize,
        startingPosition: config.startingPosition,
        bisectBatchOnFunctionError: true,
        maximumRetryAttempts: config.maximumRetryAttempts,
        maximumRecordAgeInSeconds: config.maximumRecordAgeInSeconds,
        parallelizationFactor: config.parallelizationFactor,
        functionResponseType: 'ReportBatchItemFailures',
        destinations: { onFailure: config.onFailure },
      },
    },
  ];
}

/** One subscription filter per forwarded log group, then the optional Kinesis stream. @param {Context} context */
async function events(context) {
  const param = params(context);
  const { prefix } = await param.serviceAndStage();
  const filter = await param.text('forwarderFilterPattern');
  const subscriptions = (await param.list('forwardedLogGroups')).map((logGroup) => {
    // The forwarder's own log lines would be forwarded, logged, forwarded... an endless loop.
    if (logGroup === `/aws/lambda/${prefix}-forwarder`)
      throw new Error(`param forwardedLogGroups must not contain the forwarder's own log group ${logGroup}`);
    return { cloudwatchLog: { logGroup, filter } };
  });
  return [...subscriptions, ...(await streamEvents(context))];
}

/** Least privilege: only what the configured destination, credentials, stream and dead letters need. @param {Context} context */
async function iamRoleStatements(context) {
  const deadLetterBucket = await params(context).text('deadLetterBucket');
  if (deadLetterBucket === '') throw new Error('param deadLetterBucket must not be empty');
  const statements = [
    sendToQueue('ForwarderFailureQueue'),
    {
      Effect: 'Allow',
      Action: ['s3:PutObject'],
      Resource: s3Arn(deadLetterBucket, `${deadLetterPrefix('forwarder')}*`),
    },
    ...destinationStatements(await destination(context)),
  ];
  for (const { stream } of await streamEvents(context)) {
    statements.push({
      Effect: 'Allow',
      Action: [
        'kinesis:GetRecords',
        'kinesis:GetShardIterator',
        'kinesis:DescribeStream',
        'kinesis:DescribeStreamSummary',
        'kinesis:ListShards',
      ],
      Resource: stream.arn,
    });
    const onFailure = stream.destinations.onFailure;
    statements.push(
      typeof onFailure === 'string'
        ? { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: onFailure }
        : sendToQueue('ForwarderStreamFailureQueue'),
    );
  }
  return /** @type {import('./lib/cfn').Statement[]} */ (statements);
}

module.exports = { environment, events, iamRoleStatements, streamSettings };
