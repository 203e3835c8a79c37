// @ts-check
'use strict';

/**
 * What a security reviewer's scanner (checkov, test/deploy/checkov.ts) asks of the resources
 * the framework declares from serverless.yml, answered in one place:
 *
 * - the stage's KMS key (param encryptionKey: stack), whose policy lets CloudWatch alarms publish
 *   to the encrypted alarm topic and CloudWatch Logs encrypt this stack's log groups;
 * - the alarm topic and each function's log group under that key, or the reason they are not;
 * - each function's accepted findings (no DLQ, no VPC, environment under Lambda's own key,
 *   no reserved concurrency) with the reason written on the function itself;
 * - a reserved concurrency of 0 refused (Lambda would throttle every invocation).
 *
 * Our own generators mark their resources where they declare them (buckets.js, failure-queues.js,
 * firehose.js). docs/deploy.md "Security scan" lists every reason.
 */

const { params } = require('./lib/params');
const { functionLogGroupId, sub } = require('./lib/cfn');
const { checkovSkips } = require('./lib/checkov');
const { encryptionKey, keyExtension, ENCRYPTION_KEY_ID } = require('./lib/encryption');

/** @typedef {import('./lib/params').Context} Context */
/** @typedef {{ reservedConcurrency?: unknown, destinations?: { onFailure?: { arn?: unknown } } }} FunctionConfig */

/** Why a function runs without reserved concurrency: every function without one needs a line here. */
const UNRESERVED = {
  notifier:
    'Invoked only by the alarm topic, once per alarm state change: a cap would delay alarm posts during a storm without protecting the account, and throttled SNS deliveries are retried anyway.',
};

/** The findings every function of this service accepts. @param {string} failureQueue */
const functionReasons = (failureQueue) => ({
  CKV_AWS_116: `Failed asynchronous events go to the on-failure destination ${failureQueue} (an SQS queue, EventInvokeConfig), which keeps the event with the error and request context; a DLQ would be a second, poorer copy.`,
  CKV_AWS_117:
    'Calls only public AWS APIs and HTTPS endpoints (the search destination, Slack): outside a VPC it needs no NAT gateway or VPC endpoints. A destination reachable only inside a VPC is not supported.',
  CKV_AWS_173:
    'The environment holds names, URLs and settings, never secrets: credentials are read at start from Secrets Manager or SSM (destinationCredentials, slackTokenSecret / slackTokenParameter); Lambda encrypts it at rest.',
});

/** "forwarder" -> "ForwarderLambdaFunction", as the framework names it. @param {string} key */
const functionId = (key) => functionLogGroupId(key).replace(/LogGroup$/, 'LambdaFunction');

/**
 * The stack's key: the account administers it (IAM policies then grant its use, as the
 * functions' roles do for their queues), CloudWatch may use it to publish alarms to the
 * encrypted topic, CloudWatch Logs to encrypt this stack's log groups only.
 * @param {string} prefix "<service>-<stage>"
 */
function stackKey(prefix) {
  const logGroups = [`/aws/lambda/${prefix}-*`, `/aws/kinesisfirehose/${prefix}-*`];
  return {
    Type: 'AWS::KMS::Key',
    Properties: {
      Description: `${prefix}: alarm topic, log groups and on-failure queues`,
      EnableKeyRotation: true,
      KeyPolicy: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AccountAdministersAndGrantsThroughIam',
            Effect: 'Allow',
            Principal: { AWS: sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:root') },
            Action: 'kms:*',
            Resource: '*',
          },
          {
            Sid: 'CloudWatchAlarmsPublishToTheTopic',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
          },
          {
            Sid: 'CloudWatchLogsEncryptsTheStacksLogGroups',
            Effect: 'Allow',
            Principal: { Service: sub('logs.${AWS::Region}.amazonaws.com') },
            Action: [
              'kms:Encrypt*',
              'kms:Decrypt*',
              'kms:ReEncrypt*',
              'kms:GenerateDataKey*',
              'kms:Describe*',
            ],
            Resource: '*',
            Condition: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': logGroups.map((group) =>
                  sub(`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${group}`),
                ),
              },
            },
          },
        ],
      },
    },
  };
}

/** @param {Context} context */
async function resources(context) {
  const { prefix } = await params(context).serviceAndStage();
  const key = await encryptionKey(context);
  const functions = /** @type {Record<string, FunctionConfig>} */ (
    (await context.resolveVariable('self:functions')) || {}
  );
  /** @type {Record<string, unknown>} */
  const Resources = {};
  /** @type {Record<string, unknown>} */
  const Outputs = {};
  if (key?.created) {
    Resources[ENCRYPTION_KEY_ID] = stackKey(prefix);
    Outputs.EncryptionKeyArn = { Value: key.arn };
  }
  /** @type {Record<string, unknown>} */
  const extensions = { AlarmTopic: keyExtension('topic', key) };
  for (const [name, fn] of Object.entries(functions)) {
    const onFailure = /** @type {{ 'Fn::GetAtt'?: unknown[] } | string | undefined} */ (
      fn.destinations?.onFailure?.arn
    );
    if (onFailure === undefined)
      throw new Error(
        `function ${name}: give it an on-failure destination (destinations.onFailure), or events are lost`,
      );
    const queue = typeof onFailure === 'string' ? onFailure : String(onFailure['Fn::GetAtt']?.[0]);
    /** @type {Record<string, string>} */
    const reasons = functionReasons(queue);
    if (fn.reservedConcurrency === undefined) {
      const why = /** @type {Record<string, string>} */ (UNRESERVED)[name];
      if (why === undefined)
        throw new Error(
          `function ${name}: set reservedConcurrency, or say why it has none in resources/security.js (UNRESERVED)`,
        );
      reasons.CKV_AWS_115 = why;
    } else {
      const value = Number(fn.reservedConcurrency);
      if (!Number.isInteger(value) || value < 1 || value > 1000)
        throw new Error(
          `function ${name}: reservedConcurrency must be an integer from 1 to 1000 (0 would throttle every invocation), got "${fn.reservedConcurrency}" (params ${name}ReservedConcurrency)`,
        );
    }
    extensions[functionId(name)] = { Metadata: checkovSkips(reasons) };
    extensions[functionLogGroupId(name)] = keyExtension('logGroup', key);
  }
  return { Resources, Outputs, extensions };
}

module.exports = { resources, UNRESERVED };
