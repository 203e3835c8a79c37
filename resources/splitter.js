// @ts-check
'use strict';

/**
 * The splitter (docs/splitter.md): its environment, its event (objects Firehose writes under
 * rawLogsPrefix) and its role statements. serverless.yml: `environment` and
 * `events: ${file(./resources/splitter.js):…}`; resources/roles.js calls iamRoleStatements. Its
 * metric alarms: resources/metric-alarms.yml. The raw-logs bucket is declared by the s3 event
 * (provider.s3.rawLogs in serverless.yml); its policy and lifecycle by resources/buckets.js.
 *
 * params: rawLogsBucket, rawLogsPrefix, archiveBucket ('' = no archive), archivePrefix,
 * splitterMaxRecordBytes, and the destination and document params it shares with the forwarder
 * (resources/lib/documents.js: the splitter writes the same documents).
 */

const { params } = require('./lib/params');
const { s3Arn } = require('./lib/cfn');
const { destinationStatements, sendToQueue } = require('./lib/iam');
const { destination, documentsEnvironment, deadLetterPrefix } = require('./lib/documents');

/** @typedef {import('./lib/params').Context} Context */

/** @param {Context} context */
async function environment(context) {
  const param = params(context);
  return {
    ...(await param.environment({
      RAW_LOGS_BUCKET: 'rawLogsBucket',
      RAW_LOGS_PREFIX: 'rawLogsPrefix',
      ARCHIVE_BUCKET: 'archiveBucket',
      ARCHIVE_PREFIX: 'archivePrefix',
      SPLIT_MAX_RECORD_BYTES: 'splitterMaxRecordBytes',
    })),
    ...(await documentsEnvironment(context, 'splitter')),
  };
}

/** Each object Firehose creates under the raw prefix (`rawLogs`: provider.s3 in serverless.yml). @param {Context} context */
async function events(context) {
  return [
    {
      s3: {
        bucket: 'rawLogs',
        event: 's3:ObjectCreated:*',
        rules: [{ prefix: await params(context).text('rawLogsPrefix') }],
      },
    },
  ];
}

/** Least privilege: read the raw prefix, write the archive prefix and dead letters, report failures. @param {Context} context */
async function iamRoleStatements(context) {
  const param = params(context);
  const archiveBucket = await param.text('archiveBucket');
  const archivePrefix = (await param.text('archivePrefix')).replace(/^\/+|\/+$/g, '');
  /** @type {import('./lib/cfn').Statement[]} */
  const statements = [
    {
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      Resource: s3Arn(await param.text('rawLogsBucket'), `${await param.text('rawLogsPrefix')}*`),
    },
    {
      Effect: 'Allow',
      Action: ['s3:PutObject'],
      Resource: s3Arn(await param.text('deadLetterBucket'), `${deadLetterPrefix('splitter')}*`),
    },
    sendToQueue('SplitterFailureQueue'),
    ...destinationStatements(await destination(context)),
  ];
  if (archiveBucket !== '')
    statements.push({
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
      Resource: s3Arn(archiveBucket, `${archivePrefix}/*`),
    });
  return statements;
}

module.exports = { environment, events, iamRoleStatements };
