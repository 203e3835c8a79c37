'use strict';

/**
 * The splitter's IAM statements, generated from params because the destination's credentials
 * decide what else the role may read or call (YAML cannot leave statements out). Referenced
 * from serverless.yml: splitter iamRoleStatements: ${file(./resources/splitter.js):iamRoleStatements}
 *
 * params: rawLogsBucket, rawLogsPrefix, archiveBucketName, archivePrefix, splitterDeadLetterBucket,
 * splitterDestinationAuth, splitterDestinationCredentials, splitterDestinationResourceArn.
 */

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

/** What the destination's credentials and signing need: a secret or parameter, or the domain. */
function destinationStatements(config) {
  const statements = [];
  const [store, ...rest] = config.credentials.split(':');
  const id = rest.join(':');
  if (store === 'secretsmanager') {
    const arn = id.startsWith('arn:')
      ? id
      : {
          'Fn::Sub': `arn:\${AWS::Partition}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:${id}-*`,
        };
    statements.push({ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: arn });
  } else if (store === 'ssm') {
    const name = id.startsWith('/') ? id.slice(1) : id;
    statements.push({
      Effect: 'Allow',
      Action: ['ssm:GetParameter'],
      Resource: {
        'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/${name}`,
      },
    });
  }
  if (config.auth === 'sigv4') {
    if (config.resourceArn === '') {
      throw new Error(
        'param splitterDestinationResourceArn is required when splitterDestinationAuth is sigv4',
      );
    }
    statements.push(
      config.resourceArn.includes(':aoss:')
        ? { Effect: 'Allow', Action: ['aoss:APIAccessAll'], Resource: config.resourceArn }
        : { Effect: 'Allow', Action: ['es:ESHttpPost', 'es:ESHttpPut'], Resource: `${config.resourceArn}/*` },
    );
  }
  return statements;
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
    ...destinationStatements(config),
  ];
}

module.exports = { iamRoleStatements };
