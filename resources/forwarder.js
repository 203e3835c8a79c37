// @ts-check
'use strict';

/**
 * The forwarder's events and role statements, generated because YAML cannot loop over a list
 * or leave statements out. serverless.yml: `events: ${file(./resources/forwarder.js):events}`;
 * resources/roles.js calls iamRoleStatements.
 *
 * params (docs/deploy.md): forwardedLogGroups (each gets a subscription filter to the forwarder),
 * forwarderFilterPattern, destinationAuth / destinationCredentials / destinationResourceArn
 * (what the role may read and call), deadLetterBucket, and the Kinesis params (resources/kinesis.js).
 */

const { params } = require('./lib/params');
const { s3Arn } = require('./lib/cfn');
const { destinationStatements, sendToQueue } = require('./lib/iam');
const { streamEvents } = require('./kinesis');
const stack = require('../libs/runtime/stack-constants.json');

/** @typedef {import('./lib/params').Context} Context */

/** The search destination's params, shared with the splitter (same documents, same ids). @param {Context} context */
async function destination(context) {
  const param = params(context);
  // The lists libs/forwarding/destinations/config.ts accepts (libs/runtime/stack-constants.json),
  // so a typo fails packaging, not the first event.
  await param.oneOf('destinationKind', ['', ...stack.destinationKinds]);
  return {
    auth:
      (await param.text('destinationAuth')) === ''
        ? 'none'
        : await param.oneOf('destinationAuth', stack.destinationAuthKinds),
    credentials: await param.text('destinationCredentials'),
    resourceArn: await param.text('destinationResourceArn'),
  };
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
      Resource: s3Arn(deadLetterBucket, `${stack.deadLetterPrefix}forwarder/*`),
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

module.exports = { events, iamRoleStatements, destination };
