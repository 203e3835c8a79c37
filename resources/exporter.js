'use strict';

/**
 * The exporter's environment, IAM statements and resources (docs/exporter.md), generated from
 * params because the log-group selection and the prune mode decide which ARNs and actions the
 * role needs (YAML cannot leave statements out or split lists). Referenced from serverless.yml:
 *   exporter environment:      ${file(./resources/exporter.js):environment}
 *   exporter iamRoleStatements: ${file(./resources/exporter.js):iamRoleStatements}
 *   resources:                 - ${file(./resources/exporter.js):resources}
 *
 * params: exporterBucket, exporterLogGroupNames, exporterLogGroupPrefixes, exporterLogGroupExcludes,
 * exporterLagHours, exporterMaxWindowHours, exporterPruneMode, exporterPruneMarginHours,
 * exporterRetentionDays, exporterDryRun.
 */

const { paramReader } = require('./lib/params');

const EXPORT_PREFIX = 'cloudwatch-exports';
const STATE_PREFIX = 'exporter-state';

async function settings({ resolveVariable }) {
  const param = paramReader(resolveVariable);
  const list = async (name) => {
    const value = await param(name);
    const items = Array.isArray(value) ? value : String(value).split(',');
    return items.map((item) => String(item).trim()).filter((item) => item !== '');
  };
  const text = async (name) => String(await param(name));
  return {
    bucket: await text('exporterBucket'),
    names: await list('exporterLogGroupNames'),
    prefixes: await list('exporterLogGroupPrefixes'),
    excludes: await list('exporterLogGroupExcludes'),
    lagHours: await text('exporterLagHours'),
    maxWindowHours: await text('exporterMaxWindowHours'),
    pruneMode: (await text('exporterPruneMode')) || 'none',
    pruneMarginHours: await text('exporterPruneMarginHours'),
    retentionDays: await text('exporterRetentionDays'),
    dryRun: (await text('exporterDryRun')) || 'true',
  };
}

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

const logGroupArn = (suffix) => ({
  'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${suffix}`,
});

/** The selected groups' ARNs: each name with and without `:*`, each prefix as a wildcard. */
function selectedLogGroupArns(c) {
  return [
    ...c.names.flatMap((name) => [logGroupArn(name), logGroupArn(`${name}:*`)]),
    ...c.prefixes.map((prefix) => logGroupArn(`${prefix}*`)),
  ];
}

/** Least privilege: list groups and tasks, export / prune only the selected groups, own state only. */
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
    { Effect: 'Allow', Action: ['s3:ListBucket', 's3:GetBucketAcl'], Resource: `arn:aws:s3:::${c.bucket}` },
    { Effect: 'Allow', Action: ['s3:PutObject'], Resource: `arn:aws:s3:::${c.bucket}/${EXPORT_PREFIX}/*` },
    {
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject'],
      Resource: `arn:aws:s3:::${c.bucket}/${STATE_PREFIX}/*`,
    },
    {
      Effect: 'Allow',
      Action: ['sqs:SendMessage'],
      Resource: { 'Fn::GetAtt': ['ExporterFailureQueue', 'Arn'] },
    },
  ];
}

/** The export bucket, the policy the logs service needs (scoped to this account and groups), the queue. */
async function resources(context) {
  const c = await settings(context);
  const service = await context.resolveVariable('self:service');
  const stage = await context.resolveVariable('sls:stage');
  const bucketArn = `arn:aws:s3:::${c.bucket}`;
  const selected = selectedLogGroupArns(c);
  const fromOurLogGroups = {
    StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
    ArnLike: { 'aws:SourceArn': selected.length > 0 ? selected : [logGroupArn('*')] },
  };
  const logsService = { Service: { 'Fn::Sub': 'logs.${AWS::Region}.amazonaws.com' } };
  return {
    Resources: {
      ExportBucket: {
        Type: 'AWS::S3::Bucket',
        Properties: {
          BucketName: c.bucket,
          BucketEncryption: {
            // SSE-S3: CreateExportTask supports it without extra key policy.
            ServerSideEncryptionConfiguration: [
              { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
            ],
          },
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
          OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
          VersioningConfiguration: { Status: 'Enabled' }, // checkpoints and exports survive an overwrite
        },
      },
      ExportBucketPolicy: {
        Type: 'AWS::S3::BucketPolicy',
        Properties: {
          Bucket: { Ref: 'ExportBucket' },
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'DenyInsecureTransport',
                Effect: 'Deny',
                Principal: '*',
                Action: 's3:*',
                Resource: [bucketArn, `${bucketArn}/*`],
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              },
              {
                Sid: 'CloudWatchLogsAclCheck',
                Effect: 'Allow',
                Principal: logsService,
                Action: 's3:GetBucketAcl',
                Resource: bucketArn,
                Condition: fromOurLogGroups,
              },
              {
                Sid: 'CloudWatchLogsWrite',
                Effect: 'Allow',
                Principal: logsService,
                Action: 's3:PutObject',
                Resource: `${bucketArn}/${EXPORT_PREFIX}/*`,
                Condition: fromOurLogGroups,
              },
            ],
          },
        },
      },
      // Runs that ended with a fault an operator must fix (bucket policy), after no retry:
      // the next scheduled run is the retry.
      ExporterFailureQueue: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          QueueName: `${service}-${stage}-exporter-failures`,
          SqsManagedSseEnabled: true,
          MessageRetentionPeriod: 1209600,
        },
      },
    },
    Outputs: {
      ExportBucketName: { Value: { Ref: 'ExportBucket' } },
      ExporterFailureQueueUrl: { Value: { Ref: 'ExporterFailureQueue' } },
    },
  };
}

module.exports = { environment, iamRoleStatements, resources };
