'use strict';

/**
 * The forwarder's optional Kinesis Data Streams input, generated from params because YAML cannot
 * leave out a list entry conditionally (an event with an empty ARN fails validation). Referenced
 * from serverless.yml:
 *   forwarder events: ${file(./resources/kinesis.js):forwarderEvents}
 *   resources:      - ${file(./resources/kinesis.js):resources}
 *
 * params (per stage, see docs/kinesis.md):
 *   kinesisStreamArn: '' (default) renders no event source mapping and no queue.
 *   kinesisOnFailureArn: SQS queue ARN for batches that exhausted their retries; '' creates one.
 *   kinesisBatchSize, kinesisMaximumRetryAttempts, kinesisMaximumRecordAgeInSeconds,
 *   kinesisParallelizationFactor, kinesisStartingPosition.
 */

const STREAM_ARN = /^arn:aws[\w-]*:kinesis:[\w-]+:\d{12}:stream\/[\w.-]+$/;
const QUEUE_ARN = /^arn:aws[\w-]*:sqs:[\w-]+:\d{12}:[\w-]+$/;

async function settings({ resolveVariable }) {
  const param = async (name) => {
    const value = await resolveVariable(`param:${name}`);
    return value === undefined || value === null ? '' : String(value).trim();
  };
  const number = async (name, min, max) => {
    const text = await param(name);
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max)
      throw new Error(`param ${name} must be an integer from ${min} to ${max}, got "${text}"`);
    return value;
  };
  const streamArn = await param('kinesisStreamArn');
  if (streamArn === '') return undefined;
  if (!STREAM_ARN.test(streamArn))
    throw new Error(`param kinesisStreamArn is not a Kinesis stream ARN: "${streamArn}"`);
  const onFailureArn = await param('kinesisOnFailureArn');
  if (onFailureArn !== '' && !QUEUE_ARN.test(onFailureArn))
    throw new Error(`param kinesisOnFailureArn is not an SQS queue ARN: "${onFailureArn}"`);
  const startingPosition = await param('kinesisStartingPosition');
  if (!['LATEST', 'TRIM_HORIZON'].includes(startingPosition))
    throw new Error(
      `param kinesisStartingPosition must be LATEST or TRIM_HORIZON, got "${startingPosition}"`,
    );
  return {
    streamArn,
    onFailureArn,
    startingPosition,
    batchSize: await number('kinesisBatchSize', 1, 10000),
    maximumRetryAttempts: await number('kinesisMaximumRetryAttempts', 0, 10000),
    maximumRecordAgeInSeconds: await number('kinesisMaximumRecordAgeInSeconds', 60, 604800),
    parallelizationFactor: await number('kinesisParallelizationFactor', 1, 10),
  };
}

/**
 * A failed record is retried from its sequence number (ReportBatchItemFailures), the batch is
 * halved around it (bisect), and after maximumRetryAttempts (or maximumRecordAge) the batch's
 * shard and sequence range go to the on-failure queue and the shard moves on: a poison record
 * never blocks its shard.
 */
async function forwarderEvents(context) {
  const config = await settings(context);
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
        destinations: {
          onFailure:
            config.onFailureArn === ''
              ? { type: 'sqs', arn: { 'Fn::GetAtt': ['ForwarderStreamFailureQueue', 'Arn'] } }
              : config.onFailureArn,
        },
      },
    },
  ];
}

async function resources(context) {
  const config = await settings(context);
  if (config === undefined || config.onFailureArn !== '') return {};
  const service = await context.resolveVariable('self:service');
  const stage = context.options.stage || (await context.resolveVariable('sls:stage'));
  return {
    Resources: {
      ForwarderStreamFailureQueue: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          QueueName: `${service}-${stage}-forwarder-stream-failures`,
          SqsManagedSseEnabled: true,
          MessageRetentionPeriod: 1209600,
        },
      },
    },
    Outputs: { ForwarderStreamFailureQueueUrl: { Value: { Ref: 'ForwarderStreamFailureQueue' } } },
  };
}

module.exports = { forwarderEvents, resources };
