// @ts-check
'use strict';

/**
 * Subscriptions beyond the named log groups (docs/deploy.md "Every log group, every account"):
 *
 * - accountSubscription ('' | forwarder | firehose | kinesis): one account-level subscription
 *   filter policy (AWS::Logs::AccountPolicy, SUBSCRIPTION_FILTER_POLICY) sending every log group
 *   of the account and region, including groups created later, to the forwarder, the raw-logs
 *   Firehose stream or the stage's Kinesis stream. Its selection criteria always leave out the
 *   stack's own log groups (no feedback loop), the groups a group-level filter of this stack
 *   already sends to the same target (no double delivery), and accountSubscriptionExcludes.
 * - sourceAccounts (12-digit account ids): a CloudWatch Logs destination in front of the stage's
 *   Kinesis stream (kinesisStreamArn) that those accounts may subscribe their log groups to.
 *
 * The roles CloudWatch Logs assumes may put records into the one stream only.
 */

const { params } = require('./lib/params');
const { sub, assumedBy } = require('./lib/cfn');
const { ownLogGroups, selectionCriteria } = require('./lib/selection');

/** @typedef {import('./lib/params').Context} Context */

const TARGETS = ['', 'forwarder', 'firehose', 'kinesis'];

/** Names of a log group list param (a name or `{ name }` per entry). @param {unknown} value */
const names = (value) =>
  Array.isArray(value)
    ? value.map((entry) => (typeof entry === 'string' ? entry : String(entry?.name))).filter(Boolean)
    : [];

/** @param {Context} context */
async function settings(context) {
  const param = params(context);
  const { prefix } = await param.serviceAndStage();
  const functions = /** @type {Record<string, { name?: string }>} */ (
    (await context.resolveVariable('self:functions')) || {}
  );
  return {
    prefix,
    own: ownLogGroups({ prefix, functions }),
    target: await param.oneOf('accountSubscription', TARGETS),
    excludes: await param.list('accountSubscriptionExcludes'),
    filterPattern: await param.text('accountSubscriptionFilterPattern'),
    forwarded: names(await param.raw('forwardedLogGroups')),
    viaFirehose: names(await param.raw('firehoseLogGroups')),
    streamArn: await param.text('kinesisStreamArn'),
    sourceAccounts: await param.accountIds('sourceAccounts'),
  };
}

/**
 * The role CloudWatch Logs assumes to put subscribed events into the stage's stream: trusted by
 * the logs service for log groups of this account and of the source accounts only (aws:SourceArn),
 * allowed kinesis:PutRecord on that one stream.
 * @param {string} streamArn @param {string[]} accounts
 */
function logsToStreamRole(streamArn, accounts) {
  const sourceArns = [
    sub('arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:*'),
    ...accounts.map((account) => sub(`arn:\${AWS::Partition}:logs:\${AWS::Region}:${account}:*`)),
  ];
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: assumedBy('logs.amazonaws.com', {
        StringLike: { 'aws:SourceArn': sourceArns },
      }),
      Policies: [
        {
          PolicyName: 'put-into-stage-stream',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: ['kinesis:PutRecord'], Resource: streamArn }],
          },
        },
      ],
    },
  };
}

/**
 * The account policy's document, a JSON string: Fn::Join because the destination and role are
 * GetAtts, and never Fn::Sub (a filter pattern may contain "${").
 * @param {{ destination: unknown, role?: unknown, filterPattern: string, distribution?: string }} policy
 */
function policyDocument({ destination, role, filterPattern, distribution }) {
  /** @type {unknown[]} */
  const parts = ['{"DestinationArn":"', destination, '"'];
  if (role !== undefined) parts.push(',"RoleArn":"', role, '"');
  parts.push(`,"FilterPattern":${JSON.stringify(filterPattern)}`);
  if (distribution !== undefined) parts.push(`,"Distribution":${JSON.stringify(distribution)}`);
  parts.push('}');
  return { 'Fn::Join': ['', parts] };
}

/** @param {Context} context */
async function resources(context) {
  const config = await settings(context);
  /** @type {Record<string, unknown>} */
  const Resources = {};
  /** @type {Record<string, unknown>} */
  const Outputs = {};
  const needsStream = config.target === 'kinesis' || config.sourceAccounts.length > 0;
  if (needsStream && config.streamArn === '')
    throw new Error(
      config.target === 'kinesis'
        ? 'param accountSubscription is kinesis: set param kinesisStreamArn (the stream it sends to)'
        : 'param sourceAccounts needs param kinesisStreamArn (the stream the destination puts into)',
    );
  // The account policy already sends every group to its target: a prefix subscription to the
  // same target would deliver each of its events twice.
  const samePrefixes = { forwarder: 'forwardedLogGroupPrefixes', firehose: 'firehoseLogGroupPrefixes' }[
    config.target
  ];
  if (samePrefixes !== undefined && (await params(context).list(samePrefixes)).length > 0)
    throw new Error(
      `param ${samePrefixes} is not needed with accountSubscription ${config.target}: the account ` +
        'policy already sends every log group there (each event would arrive twice)',
    );
  if (needsStream) Resources.LogsToStreamRole = logsToStreamRole(config.streamArn, config.sourceAccounts);

  if (config.target !== '') {
    // Groups a group-level filter of this stack already sends to the same target would deliver
    // every event twice (two invocations, the second all 409s): left to their own filter.
    const alreadySent =
      config.target === 'forwarder'
        ? config.forwarded
        : config.target === 'firehose'
          ? config.viaFirehose
          : [];
    const criteria = selectionCriteria(
      [...config.own, ...alreadySent, ...config.excludes],
      'accountSubscriptionExcludes',
    );
    /** @type {Record<string, { destination: unknown, role?: unknown, distribution?: string }>} */
    const targets = {
      forwarder: { destination: { 'Fn::GetAtt': ['ForwarderLambdaFunction', 'Arn'] } },
      firehose: {
        destination: { 'Fn::GetAtt': ['RawLogsDeliveryStream', 'Arn'] },
        role: { 'Fn::GetAtt': ['LogsToFirehoseRole', 'Arn'] },
      },
      kinesis: {
        destination: config.streamArn,
        role: { 'Fn::GetAtt': ['LogsToStreamRole', 'Arn'] },
        distribution: 'Random',
      },
    };
    const target = /** @type {{ destination: unknown, role?: unknown, distribution?: string }} */ (
      targets[config.target]
    );
    /** @type {string[]} */
    const dependsOn = [];
    if (config.target === 'forwarder') {
      // An account-level policy invokes the function as logs.amazonaws.com for any log group of
      // the account (the group-level filters' permissions name one group each).
      Resources.ForwarderAccountSubscriptionPermission = {
        Type: 'AWS::Lambda::Permission',
        Properties: {
          Action: 'lambda:InvokeFunction',
          FunctionName: { 'Fn::GetAtt': ['ForwarderLambdaFunction', 'Arn'] },
          Principal: 'logs.amazonaws.com',
          SourceArn: sub('arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*'),
          SourceAccount: { Ref: 'AWS::AccountId' },
        },
      };
      dependsOn.push('ForwarderAccountSubscriptionPermission');
    }
    Resources.AccountSubscriptionPolicy = {
      Type: 'AWS::Logs::AccountPolicy',
      ...(dependsOn.length > 0 ? { DependsOn: dependsOn } : {}),
      Properties: {
        PolicyName: `${config.prefix}-account-subscription`,
        PolicyType: 'SUBSCRIPTION_FILTER_POLICY',
        PolicyDocument: policyDocument({ ...target, filterPattern: config.filterPattern }),
        SelectionCriteria: criteria,
        Scope: 'ALL',
      },
    };
  }

  if (config.sourceAccounts.length > 0) {
    const name = `${config.prefix}-logs`;
    Resources.CrossAccountDestination = {
      Type: 'AWS::Logs::Destination',
      DependsOn: ['LogsToStreamRole'],
      Properties: {
        DestinationName: name,
        TargetArn: config.streamArn,
        RoleArn: { 'Fn::GetAtt': ['LogsToStreamRole', 'Arn'] },
        // The source accounts may subscribe a log group (PutSubscriptionFilter) or their whole
        // account (PutAccountPolicy) to this destination, and nothing else.
        DestinationPolicy: sub(
          JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'SourceAccountsSubscribe',
                Effect: 'Allow',
                Principal: { AWS: config.sourceAccounts },
                Action: ['logs:PutSubscriptionFilter', 'logs:PutAccountPolicy'],
                Resource: `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:destination:${name}`,
              },
            ],
          }),
        ),
      },
    };
    Outputs.CrossAccountDestinationArn = {
      Description: 'Source accounts subscribe their log groups to this destination (docs/deploy.md)',
      Value: { 'Fn::GetAtt': ['CrossAccountDestination', 'Arn'] },
    };
  }
  return { Resources, ...(Object.keys(Outputs).length > 0 ? { Outputs } : {}) };
}

module.exports = { resources };
