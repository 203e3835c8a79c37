'use strict';

/**
 * The forwarder's CloudWatch Logs subscriptions and IAM statements, generated from params
 * (YAML cannot loop over a list or leave statements out). Referenced from serverless.yml:
 *   forwarder events:           ${file(./resources/forwarder.js):events}
 *   forwarder iamRoleStatements: ${file(./resources/forwarder.js):iamRoleStatements}
 *
 * params (per stage, see README "Configuration"):
 *   forwardedLogGroups: list of log group names; each gets a subscription filter to the forwarder.
 *   forwarderFilterPattern: subscription filter pattern ('' = every event).
 *   destinationAuth / destinationCredentials / destinationResourceArn: what the role may read and call.
 *   deadLetterBucket: where refused documents go.
 */

const { paramReader, serviceAndStage } = require('./lib/params');
const { destinationStatements } = require('./lib/iam');
const kinesis = require('./kinesis');

async function settings({ resolveVariable, options }) {
  const param = paramReader(resolveVariable);
  const { service, stage } = await serviceAndStage({ resolveVariable, options });
  const region = await resolveVariable('self:provider.region');
  return {
    ownLogGroup: `/aws/lambda/${service}-${stage}-forwarder`,
    region,
    logGroups: (await param('forwardedLogGroups')) || [],
    filterPattern: String(await param('forwarderFilterPattern')),
    auth: String(await param('destinationAuth')) || 'none',
    credentials: String(await param('destinationCredentials')),
    resourceArn: String(await param('destinationResourceArn')),
    deadLetterBucket: String(await param('deadLetterBucket')),
  };
}

/** One subscription filter per forwarded log group, plus the optional Kinesis stream. */
async function events(context) {
  const config = await settings(context);
  if (!Array.isArray(config.logGroups))
    throw new Error('param forwardedLogGroups must be a list of log group names');
  const subscriptions = config.logGroups.map((logGroup) => {
    if (typeof logGroup !== 'string' || logGroup === '') {
      throw new Error(`param forwardedLogGroups: expected a log group name, got ${JSON.stringify(logGroup)}`);
    }
    // The forwarder's own log lines would be forwarded, logged, forwarded... an endless loop.
    if (logGroup === config.ownLogGroup) {
      throw new Error(`param forwardedLogGroups must not contain the forwarder's own log group ${logGroup}`);
    }
    return { cloudwatchLog: { logGroup, filter: config.filterPattern } };
  });
  return [...subscriptions, ...(await kinesis.forwarderEvents(context))];
}

/** Least privilege: only what the configured destination, credentials and dead letters need. */
async function iamRoleStatements(context) {
  const config = await settings(context);
  const statements = [
    {
      Effect: 'Allow',
      Action: ['sqs:SendMessage'],
      Resource: { 'Fn::GetAtt': ['ForwarderFailureQueue', 'Arn'] },
    },
  ];
  if (config.deadLetterBucket !== '') {
    statements.push({
      Effect: 'Allow',
      Action: ['s3:PutObject'],
      Resource: `arn:aws:s3:::${config.deadLetterBucket}/dead-letter/forwarder/*`,
    });
  }
  statements.push(...destinationStatements(config, 'destinationResourceArn'));
  const stream = await kinesis.forwarderEvents(context);
  if (stream.length > 0) {
    statements.push({
      Effect: 'Allow',
      Action: [
        'kinesis:GetRecords',
        'kinesis:GetShardIterator',
        'kinesis:DescribeStream',
        'kinesis:DescribeStreamSummary',
        'kinesis:ListShards',
      ],
      Resource: stream[0].stream.arn,
    });
    const onFailure = stream[0].stream.destinations.onFailure;
    statements.push({
      Effect: 'Allow',
      Action: ['sqs:SendMessage'],
      Resource: typeof onFailure === 'string' ? onFailure : onFailure.arn,
    });
  }
  return statements;
}

module.exports = { events, iamRoleStatements };
