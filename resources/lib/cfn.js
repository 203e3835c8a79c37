// @ts-check
'use strict';

/**
 * The CloudFormation building blocks every generator shares, written once: logical ids, ARNs,
 * an on-failure queue, a private bucket, the TLS-only bucket statement, alarm actions, a
 * function's own role.
 */

/** @typedef {Record<string, unknown>} Json */
/** @typedef {{ Type: string, Properties: Json, DependsOn?: string | string[] }} Resource */
/** @typedef {{ Effect: string, Action: string[], Resource: unknown }} Statement */

/** "/aws/lambda/logpipe-dev-forwarder" -> "AwsLambdaLogpipeDevForwarder" (logical ids are alphanumeric). @param {unknown} value */
function logicalId(value) {
  return String(value)
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('')
    .slice(0, 200);
}

/** "forwarder" -> "ForwarderLogGroup", as the framework names a function's log group. @param {string} name */
const functionLogGroupId = (name) =>
  `${name.charAt(0).toUpperCase()}${name.slice(1).replace(/-/g, 'Dash').replace(/_/g, 'Underscore')}LogGroup`;

/** @param {string} text */
const sub = (text) => ({ 'Fn::Sub': text });

/** An ARN of this account and region. @param {string} service @param {string} rest */
const arn = (service, rest) =>
  sub(`arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${rest}`);

/** @param {string} bucket @param {string} [key] "arn:...:s3:::bucket" or "arn:...:s3:::bucket/key" */
const s3Arn = (bucket, key) =>
  sub(`arn:\${AWS::Partition}:s3:::${bucket}${key === undefined ? '' : `/${key}`}`);

/** @param {string} logGroupName @param {string} [suffix] */
const logGroupArn = (logGroupName, suffix = '') => arn('logs', `log-group:${logGroupName}${suffix}`);

/**
 * Where a function's events go after their retries: encrypted, kept the 14-day maximum, to
 * redrive once the cause is fixed (tools/redrive.ts).
 * @param {string} queueName @returns {Resource}
 */
function failureQueue(queueName) {
  return {
    Type: 'AWS::SQS::Queue',
    Properties: { QueueName: queueName, SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 },
  };
}

/** The block every bucket of the stack carries (provider.s3 writes the same for the raw-logs bucket). */
const PUBLIC_ACCESS_BLOCK = {
  BlockPublicAcls: true,
  BlockPublicPolicy: true,
  IgnorePublicAcls: true,
  RestrictPublicBuckets: true,
};

/**
 * A bucket that is SSE-S3 encrypted (CreateExportTask and Firehose need no key policy for it),
 * blocks every public access and owns its objects.
 * @param {string} bucketName @param {Json} [properties] @returns {Resource}
 */
function privateBucket(bucketName, properties = {}) {
  return {
    Type: 'AWS::S3::Bucket',
    Properties: {
      BucketName: bucketName,
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: { ...PUBLIC_ACCESS_BLOCK },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      ...properties,
    },
  };
}

/** The statement every bucket policy carries: no request over plain HTTP, from anyone. @param {string} bucketName */
function denyInsecureTransport(bucketName) {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [s3Arn(bucketName), s3Arn(bucketName, '*')],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

/**
 * A bucket's one policy: TLS-only, then the bucket's own statements.
 * @param {string} bucketId @param {string} bucketName @param {object[]} [statements] @returns {Resource}
 */
function tlsOnlyPolicy(bucketId, bucketName, statements = []) {
  return {
    Type: 'AWS::S3::BucketPolicy',
    DependsOn: [bucketId],
    Properties: {
      Bucket: bucketName,
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [denyInsecureTransport(bucketName), ...statements],
      },
    },
  };
}

/**
 * Every alarm of the stack notifies the stage's AlarmTopic (and so Slack, through the notifier)
 * on ALARM and OK; INSUFFICIENT_DATA too when asked (the notifier drops it unless told to post).
 * @param {{ insufficientData?: boolean }} [options]
 */
function alarmActions({ insufficientData = false } = {}) {
  const topic = [{ Ref: 'AlarmTopic' }];
  return {
    AlarmActions: topic,
    OKActions: topic,
    ...(insufficientData ? { InsufficientDataActions: topic } : {}),
  };
}

/**
 * A function's own role: writing its log group, plus exactly the statements given. Every
 * function declares `role: <Name>Role`, so the framework creates no shared default role.
 * Named "<function>-<region>-lambdaRole" (without the suffix past IAM's 64 characters), the
 * names the roles had before (serverless-iam-roles-per-function), which OpenSearch access
 * policies map.
 * @param {string} functionName the deployed name, "<service>-<stage>-<key>"
 * @param {string} region
 * @param {Statement[]} statements @returns {Resource}
 */
function functionRole(functionName, region, statements) {
  const full = `${functionName}-${region}-lambdaRole`;
  const roleName = full.length <= 64 ? full : `${functionName}-${region}`;
  if (roleName.length > 64) throw new Error(`role name ${roleName} is longer than IAM's 64 characters`);
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: roleName,
      AssumeRolePolicyDocument: assumedBy('lambda.amazonaws.com'),
      Policies: [
        {
          PolicyName: functionName,
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
                Resource: [logGroupArn(`/aws/lambda/${functionName}`, ':*')],
              },
              ...statements,
            ],
          },
        },
      ],
    },
  };
}

/**
 * The trust policy of a role a service assumes (`sts:AssumeRole`), with its condition if any.
 * @param {unknown} service @param {Record<string, unknown>} [condition]
 */
const assumedBy = (service, condition) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: service },
      Action: 'sts:AssumeRole',
      ...(condition === undefined ? {} : { Condition: condition }),
    },
  ],
});

/** "forwarder" -> "ForwarderRole", the `role:` each function names in serverless.yml. @param {string} key */
const roleId = (key) => `${logicalId(key)}Role`;

module.exports = {
  logicalId,
  functionLogGroupId,
  sub,
  arn,
  s3Arn,
  logGroupArn,
  failureQueue,
  privateBucket,
  tlsOnlyPolicy,
  alarmActions,
  functionRole,
  assumedBy,
  roleId,
};
