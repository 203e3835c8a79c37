// @ts-check
'use strict';

/**
 * The exporter (docs/exporter.md): its environment, its event (a schedule), its role statements
 * and its bucket's statements, generated from params because the log-group selection and the
 * prune mode decide which ARNs and actions the role needs (YAML cannot leave statements out or
 * split lists). serverless.yml: `environment` and `events: ${file(./resources/exporter.js):…}`;
 * resources/roles.js calls iamRoleStatements, resources/buckets.js declares ExportBucket with
 * exportBucketStatements. Its metric alarms: resources/metric-alarms.yml.
 *
 * params: exporterSchedule, exporterBucket, exporterLogGroupNames, exporterLogGroupPrefixes, exporterLogGroupExcludes,
 * exporterLagHours, exporterMaxWindowHours, exporterPruneMode, exporterPruneMarginHours,
 * exporterRetentionDays, exporterDryRun.
 */

const { params } = require('./lib/params');
const { logGroupArn, s3Arn, sub } = require('./lib/cfn');
const { sendToQueue } = require('./lib/iam');

/** @typedef {import('./lib/params').Context} Context */

const stack = require('../libs/runtime/stack-constants.json');

const EXPORT_PREFIX = stack.exporterExportPrefix;
const STATE_PREFIX = stack.exporterStatePrefix;
const PRUNE_MODES = stack.exporterPruneModes;

/** @param {Context} context */
async function settings(context) {
  const param = params(context);
  const pruneMode = (await param.text('exporterPruneMode')) || 'none';
  if (!PRUNE_MODES.includes(pruneMode))
    throw new Error(`param exporterPruneMode must be one of ${PRUNE_MODES.join(', ')}, got "${pruneMode}"`);
  return {
    bucket: await param.text('exporterBucket'),
    names: await param.list('exporterLogGroupNames'),
    prefixes: await param.list('exporterLogGroupPrefixes'),
    excludes: await param.list('exporterLogGroupExcludes'),
    lagHours: await param.text('exporterLagHours'),
    maxWindowHours: await param.text('exporterMaxWindowHours'),
    pruneMode,
    pruneMarginHours: await param.text('exporterPruneMarginHours'),
    retentionDays: await param.text('exporterRetentionDays'),
    dryRun: (await param.text('exporterDryRun')) || 'true',
  };
}

/** @param {Context} context */
async function environment(context) {
  const c = await settings(context);
  return {
    EXPORT_BUCKET: c.bucket,
    EXPORT_LOG_GROUP_NAMES: c.names.join(','),
    EXPORT_LOG_GROUP_PREFIXES: c.prefixes.join(','),
    EXPORT_LOG_GROUP_EXCLUDES: c.excludes.join(','),
    EXPORT_PREFIX,
    EXPORT_STATE_PREFIX: STATE_PREFIX,
    EXPORT_LAG_HOURS: c.lagHours,
    EXPORT_MAX_WINDOW_HOURS: c.maxWindowHours,
    EXPORT_PRUNE_MODE: c.pruneMode,
    EXPORT_PRUNE_MARGIN_HOURS: c.pruneMarginHours,
    EXPORT_RETENTION_DAYS: c.retentionDays,
    EXPORT_DRY_RUN: c.dryRun,
  };
}

/** One scheduled run every exporterSchedule. @param {Context} context */
async function events(context) {
  return [{ schedule: { rate: await params(context).text('exporterSchedule') } }];
}

/** The selected groups' ARNs: each name with and without `:*`, each prefix as a wildcard. */
function selectedLogGroupArns(/** @type {{ names: string[], prefixes: string[] }} */ c) {
  return [
    ...c.names.flatMap((name) => [logGroupArn(name), logGroupArn(name, ':*')]),
    ...c.prefixes.map((prefix) => logGroupArn(`${prefix}*`)),
  ];
}

/**
 * Least privilege: list groups and tasks, export / prune only the selected groups, own state only.
 * @param {Context} context @returns {Promise<import('./lib/cfn').Statement[]>}
 */
async function iamRoleStatements(context) {
  const c = await settings(context);
  const selected = selectedLogGroupArns(c);
  const streams = c.pruneMode === 'streams' || c.pruneMode === 'both';
  const retention = c.pruneMode === 'retention' || c.pruneMode === 'both';
  const writes = c.dryRun !== 'true';
  const logsActions = [
    'logs:CreateExportTask',
    // Every mode: the late scan lists streams to find late events for follow-up exports.
    'logs:DescribeLogStreams',
    ...(streams && writes ? ['logs:DeleteLogStream'] : []),
    ...(retention && writes ? ['logs:PutRetentionPolicy'] : []),
  ];
  return [
    { Effect: 'Allow', Action: ['logs:DescribeLogGroups'], Resource: logGroupArn('*') },
    // DescribeExportTasks supports no resource-level permissions.
    { Effect: 'Allow', Action: ['logs:DescribeExportTasks'], Resource: '*' },
    ...(selected.length > 0 ? [{ Effect: 'Allow', Action: logsActions, Resource: selected }] : []),
    // Unconditioned ListBucket: without it GetObject of a missing checkpoint is 403, not 404.
    // GetBucketAcl and PutObject on the export prefix: CreateExportTask wants a caller that
    // may write to the destination itself.
    { Effect: 'Allow', Action: ['s3:ListBucket', 's3:GetBucketAcl'], Resource: s3Arn(c.bucket) },
    { Effect: 'Allow', Action: ['s3:PutObject'], Resource: s3Arn(c.bucket, `${EXPORT_PREFIX}/*`) },
    {
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: s3Arn(c.bucket, `${STATE_PREFIX}/*`),
    },
    sendToQueue('ExporterFailureQueue'),
  ];
}

/**
 * What the logs service needs on the export bucket besides TLS-only: the ACL check and writes
 * under the export prefix, only for this account's selected log groups.
 * @param {Context} context
 */
async function exportBucketStatements(context) {
  const c = await settings(context);
  const selected = selectedLogGroupArns(c);
  const fromOurLogGroups = {
    StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
    ArnLike: { 'aws:SourceArn': selected.length > 0 ? selected : [logGroupArn('*')] },
  };
  const logsService = { Service: sub('logs.${AWS::Region}.amazonaws.com') };
  return [
    {
      Sid: 'CloudWatchLogsAclCheck',
      Effect: 'Allow',
      Principal: logsService,
      Action: 's3:GetBucketAcl',
      Resource: s3Arn(c.bucket),
      Condition: fromOurLogGroups,
    },
    {
      Sid: 'CloudWatchLogsWrite',
      Effect: 'Allow',
      Principal: logsService,
      Action: 's3:PutObject',
      Resource: s3Arn(c.bucket, `${EXPORT_PREFIX}/*`),
      Condition: fromOurLogGroups,
    },
  ];
}

module.exports = { environment, events, iamRoleStatements, exportBucketStatements };
