// @ts-check
'use strict';

/**
 * The notifier (docs/notifier.md): its environment, its event (the stage's alarm topic) and its
 * role statements. serverless.yml: `environment` and `events: ${file(./resources/notifier.js):…}`;
 * resources/roles.js calls iamRoleStatements; resources/notifier.yml declares its topic and
 * ledger table, named by alarmTopicName and alarmLedgerTableName here.
 *
 * The role: find the metric filter behind an alarm, read the lines of the watched log groups
 * (resources/alarms.yml), read its Slack token (params slackTokenSecret or slackTokenParameter),
 * and keep its alarm ledger: items of that one table only, no scans, no table changes. With
 * alarmAccountRoles, assume exactly the roles it lists (another account's alarm lines).
 *
 * params: notifierTimeZone, slackChannel, slackTokenSecret, slackTokenParameter,
 * slackChannelRoutes, slackMentionOnAlarm, postInsufficientData, alarmAccountRoles,
 * alarmStormThreshold, rulesFile (the forwarder's masks on what Slack shows).
 */

const { params } = require('./lib/params');
const { logGroupArn } = require('./lib/cfn');
const { readSecret, readParameter, sendToQueue } = require('./lib/iam');
const { alarmSettings } = require('./alarms');

const stack = require('../libs/runtime/stack-constants.json');

const ROLE_ARN = new RegExp(stack.alarmAccountRoleArnPattern);

/**
 * The role ARNs of param alarmAccountRoles (`<account id>=<role ARN>,...`, the notifier's
 * ALARM_ACCOUNT_ROLES), checked as libs/notifier/alarms/account-roles.ts checks them at cold start, so a
 * bad entry fails the package rather than the first alarm.
 * @param {string[]} entries @returns {string[]}
 */
function accountRoleArns(entries) {
  return entries.map((entry) => {
    const at = entry.indexOf('=');
    const account = entry.slice(0, at).trim();
    const roleArn = entry.slice(at + 1).trim();
    if (at <= 0 || !/^\d{12}$/.test(account) || ROLE_ARN.exec(roleArn)?.[1] !== account)
      throw new Error(
        `param alarmAccountRoles: entry "${entry}" must look like <12-digit account id>=<ARN of a role in that account>`,
      );
    return roleArn;
  });
}

/** A comma-separated param (a string: it is also an environment variable). @param {string} text */
const listOf = (text) =>
  text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');

/** @typedef {import('./lib/params').Context} Context */

/** "<service>-<stage>-alarms": every alarm of the stack notifies this topic. @param {Context} context */
async function alarmTopicName(context) {
  return `${(await params(context).serviceAndStage()).prefix}-alarms`;
}

/** "<service>-<stage>-alarm-ledger" (docs/notifier.md "The alarm ledger"). @param {Context} context */
async function alarmLedgerTableName(context) {
  return `${(await params(context).serviceAndStage()).prefix}-alarm-ledger`;
}

/** @param {Context} context */
async function environment(context) {
  const param = params(context);
  return {
    STAGE: (await param.serviceAndStage()).stage,
    ...(await param.environment({
      NOTIFIER_TIME_ZONE: 'notifierTimeZone',
      SLACK_CHANNEL: 'slackChannel',
      SLACK_TOKEN_SECRET: 'slackTokenSecret',
      SLACK_TOKEN_PARAMETER: 'slackTokenParameter',
      SLACK_CHANNEL_ROUTES: 'slackChannelRoutes',
      SLACK_MENTION_ON_ALARM: 'slackMentionOnAlarm',
      POST_INSUFFICIENT_DATA: 'postInsufficientData',
      // Other accounts' alarm lines: docs/notifier.md.
      ALARM_ACCOUNT_ROLES: 'alarmAccountRoles',
      ALARM_STORM_THRESHOLD: 'alarmStormThreshold',
      // The forwarder's masks on what Slack shows (log lines, alarm text): docs/filters-and-masking.md.
      RULES_FILE: 'rulesFile',
    })),
    ALARM_LEDGER_TABLE: await alarmLedgerTableName(context),
  };
}

/** @param {Context} context */
async function events(context) {
  return [{ sns: { arn: { Ref: 'AlarmTopic' }, topicName: await alarmTopicName(context) } }];
}

/** @param {Context} context */
async function iamRoleStatements(context) {
  const param = params(context);
  const { logGroups } = await alarmSettings(context);
  const secret = await param.text('slackTokenSecret');
  const parameter = await param.text('slackTokenParameter');
  const accountRoles = accountRoleArns(listOf(await param.text('alarmAccountRoles')));
  /** @type {import('./lib/cfn').Statement[]} */
  const statements = [
    // DescribeMetricFilters by metric name cannot be scoped to one log group.
    { Effect: 'Allow', Action: ['logs:DescribeMetricFilters'], Resource: [logGroupArn('*')] },
    sendToQueue('NotifierFailureQueue'),
    {
      Effect: 'Allow',
      Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'],
      Resource: [{ 'Fn::GetAtt': ['AlarmLedgerTable', 'Arn'] }],
    },
  ];
  if (logGroups.length > 0)
    statements.push({
      Effect: 'Allow',
      Action: ['logs:FilterLogEvents'],
      Resource: logGroups.flatMap((g) => [logGroupArn(g.name), logGroupArn(g.name, ':*')]),
    });
  // Only the listed roles: no wildcard, so the notifier reaches no account the stage did not name.
  if (accountRoles.length > 0)
    statements.push({ Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: [...new Set(accountRoles)] });
  if (secret !== '') statements.push(readSecret(secret));
  if (parameter !== '') statements.push(readParameter(parameter));
  return statements;
}

module.exports = { environment, events, iamRoleStatements, alarmTopicName, alarmLedgerTableName };
