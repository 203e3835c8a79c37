// @ts-check
'use strict';

/**
 * The subscriber: a scheduled function that puts the stage's subscription filter on every log
 * group whose name starts with one of forwardedLogGroupPrefixes (to the forwarder) or
 * firehoseLogGroupPrefixes (to the raw-logs Firehose stream), the groups that exist at deploy
 * time and those created later (docs/deploy.md "Prefixes"). An account-level subscription
 * policy cannot do this: its selection criteria only support `LogGroupName NOT IN [...]`.
 *
 * serverless.yml: `environment` and `events` of the subscriber function; resources/roles.js
 * calls iamRoleStatements; `resources` adds the forwarder's invoke permissions for the prefixes.
 * With no prefixes the function has no schedule and may change nothing.
 *
 * params: forwardedLogGroupPrefixes, firehoseLogGroupPrefixes, forwarderFilterPattern,
 * firehoseFilterPattern, subscriberSchedule.
 */

const { params } = require('./lib/params');
const { logGroupArn, sub } = require('./lib/cfn');
const { sendToQueue } = require('./lib/iam');
const { checkPrefixes, ownNamespaces } = require('./lib/selection');

/** @typedef {import('./lib/params').Context} Context */

/** @param {Context} context */
async function settings(context) {
  const param = params(context);
  // Not self:functions: this runs while the functions themselves are being resolved.
  const { prefix } = await param.serviceAndStage();
  return {
    prefix,
    own: ownNamespaces(prefix),
    forwarded: checkPrefixes(
      await param.list('forwardedLogGroupPrefixes'),
      'forwardedLogGroupPrefixes',
      prefix,
    ),
    viaFirehose: checkPrefixes(
      await param.list('firehoseLogGroupPrefixes'),
      'firehoseLogGroupPrefixes',
      prefix,
    ),
    forwarderPattern: await param.text('forwarderFilterPattern'),
    firehosePattern: await param.text('firehoseFilterPattern'),
    schedule: await param.text('subscriberSchedule'),
  };
}

/** @param {Context} context */
async function environment(context) {
  const c = await settings(context);
  /** @type {Record<string, unknown>} */
  const env = { SUBSCRIBE_EXCLUDE_PREFIXES: c.own.join(',') };
  if (c.forwarded.length > 0)
    Object.assign(env, {
      SUBSCRIBE_FORWARDER_PREFIXES: c.forwarded.join(','),
      SUBSCRIBE_FORWARDER_DESTINATION_ARN: { 'Fn::GetAtt': ['ForwarderLambdaFunction', 'Arn'] },
      SUBSCRIBE_FORWARDER_FILTER_NAME: `${c.prefix}-forwarder`,
      SUBSCRIBE_FORWARDER_FILTER_PATTERN: c.forwarderPattern,
    });
  if (c.viaFirehose.length > 0)
    Object.assign(env, {
      SUBSCRIBE_FIREHOSE_PREFIXES: c.viaFirehose.join(','),
      SUBSCRIBE_FIREHOSE_DESTINATION_ARN: { 'Fn::GetAtt': ['RawLogsDeliveryStream', 'Arn'] },
      SUBSCRIBE_FIREHOSE_ROLE_ARN: { 'Fn::GetAtt': ['LogsToFirehoseRole', 'Arn'] },
      SUBSCRIBE_FIREHOSE_FILTER_NAME: `${c.prefix}-firehose`,
      SUBSCRIBE_FIREHOSE_FILTER_PATTERN: c.firehosePattern,
    });
  return env;
}

/** A schedule only when there is something to reconcile. @param {Context} context */
async function events(context) {
  const c = await settings(context);
  if (c.forwarded.length + c.viaFirehose.length === 0) return [];
  if (!/^(rate|cron)\(.+\)$/.test(c.schedule))
    throw new Error(`param subscriberSchedule must be rate(...) or cron(...), got "${c.schedule}"`);
  return [{ schedule: { rate: c.schedule } }];
}

/**
 * Least privilege: list log groups (DescribeLogGroups has no narrower resource than every
 * group), read and put subscription filters on the groups of the prefixes only, pass the
 * Firehose role to CloudWatch Logs when subscribing to Firehose.
 * @param {Context} context @returns {Promise<import('./lib/cfn').Statement[]>}
 */
async function iamRoleStatements(context) {
  const c = await settings(context);
  const prefixes = [...new Set([...c.forwarded, ...c.viaFirehose])];
  /** @type {import('./lib/cfn').Statement[]} */
  const statements = [sendToQueue('SubscriberFailureQueue')];
  if (prefixes.length === 0) return statements;
  statements.push(
    { Effect: 'Allow', Action: ['logs:DescribeLogGroups'], Resource: logGroupArn('*') },
    {
      Effect: 'Allow',
      Action: ['logs:DescribeSubscriptionFilters', 'logs:PutSubscriptionFilter'],
      Resource: prefixes.map((prefix) => logGroupArn(`${prefix}*`)),
    },
  );
  if (c.viaFirehose.length > 0)
    statements.push({
      Effect: 'Allow',
      Action: ['iam:PassRole'],
      Resource: { 'Fn::GetAtt': ['LogsToFirehoseRole', 'Arn'] },
    });
  return statements;
}

/**
 * CloudWatch Logs invokes the forwarder for the groups the subscriber subscribes: one permission
 * per prefix (the framework's own permission covers the named forwardedLogGroups only).
 * @param {Context} context
 */
async function resources(context) {
  const c = await settings(context);
  /** @type {Record<string, unknown>} */
  const Resources = {};
  c.forwarded.forEach((prefix, index) => {
    Resources[`ForwarderPrefixSubscriptionPermission${index + 1}`] = {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': ['ForwarderLambdaFunction', 'Arn'] },
        Principal: sub('logs.${AWS::Region}.amazonaws.com'),
        SourceArn: logGroupArn(`${prefix}*`),
        SourceAccount: { Ref: 'AWS::AccountId' },
      },
    };
  });
  return { Resources };
}

module.exports = { environment, events, iamRoleStatements, resources };
