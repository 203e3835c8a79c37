// @ts-check
'use strict';

/**
 * The notifier's role statements (resources/roles.js calls iamRoleStatements): find the metric
 * filter behind an alarm, read the lines of the watched log groups (resources/alarms.yml), read
 * its Slack token (params slackTokenSecret or slackTokenParameter), and keep its alarm ledger
 * (resources/notifier.yml): items of that one table only, no scans, no table changes.
 */

const { params } = require('./lib/params');
const { logGroupArn } = require('./lib/cfn');
const { readSecret, readParameter, sendToQueue } = require('./lib/iam');
const { alarmSettings } = require('./alarms');

/** @param {import('./lib/params').Context} context */
async function iamRoleStatements(context) {
  const param = params(context);
  const { logGroups } = await alarmSettings(context);
  const secret = await param.text('slackTokenSecret');
  const parameter = await param.text('slackTokenParameter');
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
  if (secret !== '') statements.push(readSecret(secret));
  if (parameter !== '') statements.push(readParameter(parameter));
  return statements;
}

module.exports = { iamRoleStatements };
