'use strict';

/**
 * The splitter's IAM statements, generated from params because the destination's credentials
 * decide what else the role may read or call (YAML cannot leave statements out). Referenced
 * from serverless.yml: splitter iamRoleStatements: ${file(./resources/splitter.js):iamRoleStatements}
 *
 * params: rawLogsBucket, rawLogsPrefix, archiveBucketName, archivePrefix, splitterDeadLetterBucket,
 * splitterDestinationAuth, splitterDestinationCredentials, splitterDestinationResourceArn.
 */

const { destinationStatements } = require('./lib/iam');

async function settings({ resolveVariable }) {
  const param = async (name) => {
    const value = await resolveVariable(`param:${name}`);
    return value === undefined || value === null ? '' : String(value);
  };
  return {
    rawBucket: await param('rawLogsBucket'),
    rawPrefix: await param('rawLogsPrefix'),
    archiveBucket: await param('archiveBucketName'),
    archivePrefix: (await param('archivePrefix')).replace(/^\/+|\/+$/g, ''),
    deadLetterBucket: await param('splitterDeadLetterBucket'),
    auth: (await param('splitterDestinationAuth')) || 'none',
    credentials: await param('splitterDestinationCredentials'),
    resourceArn: await param('splitterDestinationResourceArn'),
  };
}

/** Least privilege: read the raw prefix, write the archive prefix and dead letters, report failures. */
async function iamRoleStatements(context) {
  const config = await settings(context);
  return [
    {
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      Resource: `arn:aws:s3:::${config.rawBucket}/${config.rawPrefix}*`,
    },
    {
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
      Resource: `arn:aws:s3:::${config.archiveBucket}/${config.archivePrefix}/*`,
    },
    {
      Effect: 'Allow',
      Action: ['s3:PutObject'],
      Resource: `arn:aws:s3:::${config.deadLetterBucket}/dead-letter/splitter/*`,
    },
    {
      Effect: 'Allow',
      Action: ['sqs:SendMessage'],
      Resource: { 'Fn::GetAtt': ['SplitterFailureQueue', 'Arn'] },
    },
    ...destinationStatements(config, 'splitterDestinationResourceArn'),
  ];
}

module.exports = { iamRoleStatements };
