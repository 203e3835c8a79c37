// @ts-check
'use strict';

/**
 * The Firehose path: CloudWatch Logs subscription filters on firehoseLogGroups -> Firehose
 * delivery stream -> raw-logs bucket under rawLogsPrefix -> splitter (documents, archive).
 * Generated from params (YAML cannot loop over a list). Its freshness alarm:
 * resources/metric-alarms.yml.
 *
 * params (per stage, docs/deploy.md):
 *   firehoseLogGroups: list of log group names (or { name, dependsOn }); each gets a
 *     subscription filter to the delivery stream. A log group of this service's own functions
 *     gets DependsOn its log group resource automatically.
 *   firehoseFilterPattern: subscription filter pattern ('' = every event).
 *   firehoseBufferSizeMiB (1-128), firehoseBufferIntervalSeconds (0-900).
 *   rawLogsBucket, rawLogsPrefix: where the stream writes (the bucket is declared by the
 *     splitter's s3 event in serverless.yml; its logical id is S3BucketRawLogs).
 *   logRetentionInDays: retention of the stream's own error log group.
 *
 * Also: the forwarder's subscription filters on this stack's own log groups get DependsOn
 * their log group (`resources.extensions`); the framework only orders them after the
 * forwarder's permission, so a first deploy could race the log group's creation.
 *
 * Loops: a function's log lines must never come back to the same function. The forwarder
 * consumes forwardedLogGroups, the splitter consumes firehoseLogGroups;
 * a cycle in "function F's log group is consumed by G" fails packaging.
 */

const { params } = require('./lib/params');
const { logicalId, functionLogGroupId, sub, s3Arn, assumedBy } = require('./lib/cfn');
const { encryptionKey, keyed } = require('./lib/encryption');

/** @typedef {import('./lib/params').Context} Context */
/** @typedef {{ name: string, dependsOn?: string | string[] }} LogGroupEntry */
/** @typedef {{ service: string, stage: string, functions: string[], viaFirehose: LogGroupEntry[], forwarded: LogGroupEntry[] }} Consumers */

const RAW_LOGS_BUCKET_ID = 'S3BucketRawLogs';
const ERROR_PREFIX = 'firehose-errors/';

/** @param {unknown} value @param {string} name @returns {LogGroupEntry[]} */
function groupList(value, name) {
  if (value === undefined || value === null || value === '') return [];
  if (!Array.isArray(value)) throw new Error(`param ${name} must be a list of log group names`);
  return value.map((entry) => {
    const group = typeof entry === 'string' ? { name: entry } : { ...entry };
    if (typeof group.name !== 'string' || group.name === '')
      throw new Error(`param ${name}: expected a log group name, got ${JSON.stringify(entry)}`);
    return group;
  });
}

/** @param {Context} context */
async function settings(context) {
  const param = params(context);
  const { service, stage } = await param.serviceAndStage();
  const functions = Object.keys((await context.resolveVariable('self:functions')) || {});
  return {
    service,
    stage,
    functions,
    viaFirehose: groupList(await param.raw('firehoseLogGroups'), 'firehoseLogGroups'),
    forwarded: groupList(await param.raw('forwardedLogGroups'), 'forwardedLogGroups'),
    filterPattern: await param.text('firehoseFilterPattern'),
    bucket: await param.text('rawLogsBucket'),
    prefix: await param.text('rawLogsPrefix'),
    bufferSize: await param.integer('firehoseBufferSizeMiB', 1, 128),
    bufferInterval: await param.integer('firehoseBufferIntervalSeconds', 0, 900),
    retention: await param.integer('logRetentionInDays', 1, 3653),
  };
}

/** The function of this service that writes a log group, if any. */
/** @param {Consumers} config @param {string} logGroupName */
function ownerOf(config, logGroupName) {
  const prefix = `/aws/lambda/${config.service}-${config.stage}-`;
  if (!logGroupName.startsWith(prefix)) return undefined;
  const name = logGroupName.slice(prefix.length);
  return config.functions.includes(name) ? name : undefined;
}

/** Refuses a configuration where a function's own log lines would come back to it. */
/** @param {Consumers} config */
function checkLoops(config) {
  /** @type {[string, LogGroupEntry[]][]} */
  const consumers = [
    ['forwarder', config.forwarded],
    ['splitter', config.viaFirehose],
  ];
  /** @type {Map<string, Set<string>>} writer function -> functions that consume its log group */
  const edges = new Map();
  for (const [consumer, groups] of consumers) {
    for (const group of groups) {
      const writer = ownerOf(config, group.name);
      if (writer === undefined) continue;
      if (!edges.has(writer)) edges.set(writer, new Set());
      edges.get(writer)?.add(consumer);
    }
  }
  /** @param {string} node @param {string[]} path */
  const visit = (node, path) => {
    if (path.includes(node)) {
      const cycle = [...path.slice(path.indexOf(node)), node];
      throw new Error(
        `log groups loop: ${cycle.join(' -> ')} (each arrow: the function's log group is in ` +
          'forwardedLogGroups (forwarder) or firehoseLogGroups (splitter, through Firehose)); ' +
          'remove one of these log groups from the params',
      );
    }
    for (const next of edges.get(node) || []) visit(next, [...path, node]);
  };
  for (const writer of edges.keys()) visit(writer, []);
}

/** @param {Consumers} config @param {LogGroupEntry} group @returns {string[]} */
function dependsOnFor(config, group) {
  if (group.dependsOn) return Array.isArray(group.dependsOn) ? group.dependsOn : [group.dependsOn];
  const owner = ownerOf(config, group.name);
  return owner ? [functionLogGroupId(owner)] : [];
}

/** @param {Context} context */
async function resources(context) {
  const config = await settings(context);
  checkLoops(config);
  const { service, stage } = config;
  if (
    config.prefix === '' ||
    config.prefix.startsWith(ERROR_PREFIX) ||
    ERROR_PREFIX.startsWith(config.prefix)
  )
    throw new Error(`param rawLogsPrefix must be set and must not overlap "${ERROR_PREFIX}"`);
  const seen = new Set();
  for (const group of config.viaFirehose) {
    if (seen.has(group.name)) throw new Error(`param firehoseLogGroups lists ${group.name} twice`);
    seen.add(group.name);
  }

  const streamName = `${service}-${stage}-raw-logs`;
  const errorLogGroup = `/aws/kinesisfirehose/${streamName}`;
  const bucketArn = s3Arn(config.bucket);
  /** @type {Record<string, unknown>} */
  const Resources = {
    // Firehose's own delivery errors (S3 access denied, throttling) land here.
    RawLogsDeliveryLogGroup: keyed(
      {
        Type: 'AWS::Logs::LogGroup',
        Properties: { LogGroupName: errorLogGroup, RetentionInDays: config.retention },
      },
      'logGroup',
      await encryptionKey(context),
    ),
    RawLogsDeliveryLogStream: {
      Type: 'AWS::Logs::LogStream',
      Properties: { LogGroupName: { Ref: 'RawLogsDeliveryLogGroup' }, LogStreamName: 'DestinationDelivery' },
    },
    // Firehose writes to S3 with this role: objects under the raw prefix and its error prefix only.
    RawLogsDeliveryRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: assumedBy('firehose.amazonaws.com', {
          StringEquals: { 'sts:ExternalId': { Ref: 'AWS::AccountId' } },
        }),
        Policies: [
          {
            PolicyName: 'write-raw-logs',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Action: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
                  Resource: bucketArn,
                },
                {
                  Effect: 'Allow',
                  Action: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'],
                  Resource: [
                    s3Arn(config.bucket, `${config.prefix}*`),
                    s3Arn(config.bucket, `${ERROR_PREFIX}*`),
                  ],
                },
                {
                  Effect: 'Allow',
                  Action: ['logs:PutLogEvents'],
                  Resource: sub(
                    `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${errorLogGroup}:log-stream:*`,
                  ),
                },
              ],
            },
          },
        ],
      },
    },
    // Source: CloudWatch Logs subscription filters (PutRecordBatch), so DirectPut.
    RawLogsDeliveryStream: {
      Type: 'AWS::KinesisFirehose::DeliveryStream',
      DependsOn: [RAW_LOGS_BUCKET_ID],
      Properties: {
        DeliveryStreamName: streamName,
        DeliveryStreamType: 'DirectPut',
        DeliveryStreamEncryptionConfigurationInput: { KeyType: 'AWS_OWNED_CMK' },
        ExtendedS3DestinationConfiguration: {
          BucketARN: bucketArn,
          RoleARN: { 'Fn::GetAtt': ['RawLogsDeliveryRole', 'Arn'] },
          Prefix: config.prefix,
          ErrorOutputPrefix: ERROR_PREFIX,
          BufferingHints: { SizeInMBs: config.bufferSize, IntervalInSeconds: config.bufferInterval },
          // CloudWatch Logs already gzips every record: Firehose GZIP would gzip the gzip members
          // again (double gzip). The objects are multi-member gzip without a .gz suffix; the
          // splitter detects gzip by its magic bytes and reads both shapes.
          CompressionFormat: 'UNCOMPRESSED',
          CloudWatchLoggingOptions: {
            Enabled: true,
            LogGroupName: { Ref: 'RawLogsDeliveryLogGroup' },
            LogStreamName: { Ref: 'RawLogsDeliveryLogStream' },
          },
        },
      },
    },
    // CloudWatch Logs puts the subscribed events into the stream with this role.
    LogsToFirehoseRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: assumedBy(sub('logs.${AWS::Region}.amazonaws.com'), {
          StringLike: {
            'aws:SourceArn': sub('arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:*'),
          },
        }),
        Policies: [
          {
            PolicyName: 'put-into-raw-logs-stream',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Action: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
                  Resource: { 'Fn::GetAtt': ['RawLogsDeliveryStream', 'Arn'] },
                },
              ],
            },
          },
        ],
      },
    },
  };

  for (const group of config.viaFirehose) {
    Resources[`${logicalId(group.name)}ArchiveSubscription`] = {
      Type: 'AWS::Logs::SubscriptionFilter',
      ...(dependsOnFor(config, group).length > 0 ? { DependsOn: dependsOnFor(config, group) } : {}),
      Properties: {
        LogGroupName: group.name,
        FilterPattern: config.filterPattern,
        DestinationArn: { 'Fn::GetAtt': ['RawLogsDeliveryStream', 'Arn'] },
        RoleArn: { 'Fn::GetAtt': ['LogsToFirehoseRole', 'Arn'] },
      },
    };
  }

  // The forwarder's subscriptions are numbered in the order of forwardedLogGroups
  // (resources/forwarder.js lists them before any Kinesis event).
  /** @type {Record<string, unknown>} */
  const extensions = {};
  config.forwarded.forEach((group, index) => {
    const dependsOn = dependsOnFor(config, group);
    if (dependsOn.length > 0)
      extensions[`ForwarderLogsSubscriptionFilterCloudWatchLog${index + 1}`] = { DependsOn: dependsOn };
  });

  return {
    Resources,
    ...(Object.keys(extensions).length > 0 ? { extensions } : {}),
    Outputs: {
      RawLogsDeliveryStreamName: { Value: { Ref: 'RawLogsDeliveryStream' } },
      LogsToFirehoseRoleArn: {
        Description: 'Subscribe more log groups to the stream with this role (max 2 filters per group)',
        Value: { 'Fn::GetAtt': ['LogsToFirehoseRole', 'Arn'] },
      },
    },
  };
}

module.exports = { resources };
