// @ts-check
'use strict';

/**
 * The forwarder's optional Kinesis Data Streams input (docs/kinesis.md), generated because YAML
 * cannot leave out a list entry (an event with an empty ARN fails validation). resources/forwarder.js
 * appends it to the forwarder's events and grants its role the stream.
 *
 * params: kinesisStreamArn ('' renders no event source mapping and no queue), kinesisOnFailureArn
 * (an SQS queue ARN for batches that exhausted their retries; '' = the stack's
 * ForwarderStreamFailureQueue), kinesisBatchSize, kinesisMaximumRetryAttempts,
 * kinesisMaximumRecordAgeInSeconds, kinesisParallelizationFactor, kinesisStartingPosition.
 */

const { params } = require('./lib/params');

const STREAM_ARN = /^arn:aws[\w-]*:kinesis:[\w-]+:\d{12}:stream\/[\w.-]+$/;
const QUEUE_ARN = /^arn:aws[\w-]*:sqs:[\w-]+:\d{12}:[\w-]+$/;

/** @param {import('./lib/params').Context} context */
async function settings(context) {
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
 * A failed record is retried from its sequence number (ReportBatchItemFailures), the batch is
 * halved around it (bisect), and after maximumRetryAttempts (or maximumRecordAge) the batch's
 * shard and sequence range go to the on-failure queue and the shard moves on: a poison record
 * never blocks its shard. The queue is declared by resources/failure-queues.js when named here.
 * @param {import('./lib/params').Context} context
 */
async function streamEvents(context) {
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
        destinations: { onFailure: config.onFailure },
      },
    },
  ];
}

module.exports = { streamEvents };
