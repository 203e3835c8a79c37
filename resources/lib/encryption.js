// @ts-check
'use strict';

/**
 * The stage's optional KMS key (param encryptionKey) for the alarm topic, the log groups and the
 * on-failure queues: '' = none (SNS unencrypted, CloudWatch Logs' and SQS's own encryption),
 * `stack` = a key the stack creates (EncryptionKey, resources/security.js, its key policy
 * letting CloudWatch publish and CloudWatch Logs encrypt), or the ARN of an existing key whose
 * policy grants the same (docs/deploy.md "Encryption key").
 */

const { params } = require('./params');
const { checkovSkips } = require('./checkov');

/** The logical id of the key the stack creates with `encryptionKey: stack`. */
const ENCRYPTION_KEY_ID = 'EncryptionKey';

/** @typedef {{ arn: unknown, created: boolean }} EncryptionKey */

/** @param {import('./params').Context} context @returns {Promise<EncryptionKey | undefined>} */
async function encryptionKey(context) {
  const value = await params(context).text('encryptionKey');
  if (value === '') return undefined;
  if (value === 'stack') return { arn: { 'Fn::GetAtt': [ENCRYPTION_KEY_ID, 'Arn'] }, created: true };
  if (/^arn:aws[\w-]*:kms:[\w-]+:\d{12}:key\/[\w-]+$/.test(value)) return { arn: value, created: false };
  throw new Error(
    `param encryptionKey must be '' (none), stack (a key of the stack) or a KMS key ARN (arn:…:kms:<region>:<account>:key/<id>; not an alias), got "${value}"`,
  );
}

/**
 * What the key encrypts: the properties naming it, and the scanner check that asks for it with
 * the reason it is accepted when the stage has no key.
 * @type {Record<'logGroup' | 'queue' | 'topic' | 'table', { properties(keyArn: unknown): Record<string, unknown>, check: string, withoutKey: string }>}
 */
const KEYED = {
  logGroup: {
    properties: (keyArn) => ({ KmsKeyId: keyArn }),
    check: 'CKV_AWS_158',
    withoutKey:
      'No encryptionKey in this stage: CloudWatch Logs encrypts the group at rest with its own key. Set encryptionKey (stack or a key ARN) for a customer managed key.',
  },
  queue: {
    properties: (keyArn) => ({ KmsMasterKeyId: keyArn }),
    check: 'CKV_AWS_27',
    withoutKey:
      'No encryptionKey in this stage: the queue is encrypted at rest with SQS-managed keys (SqsManagedSseEnabled). Set encryptionKey (stack or a key ARN) for a customer managed key.',
  },
  topic: {
    properties: (keyArn) => ({ KmsMasterKeyId: keyArn }),
    check: 'CKV_AWS_26',
    withoutKey:
      'No encryptionKey in this stage: CloudWatch cannot publish to a topic under the AWS-managed SNS key, and alarm notifications carry alarm names and reasons, no secrets. Set encryptionKey (stack or a key ARN) to encrypt the topic with a key CloudWatch may use.',
  },
  // A DynamoDB table (none yet): the deploying identity then also needs kms:CreateGrant and
  // kms:DescribeKey on the key, which DynamoDB uses on its behalf.
  table: {
    properties: (keyArn) => ({
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn },
    }),
    check: 'CKV_AWS_119',
    withoutKey:
      'No encryptionKey in this stage: DynamoDB encrypts the table at rest with an AWS owned key. Set encryptionKey (stack or a key ARN) for a customer managed key.',
  },
};

/**
 * The Properties and Metadata that make a resource use the stage's key, or that say why it has
 * none: an `extensions` entry for a resource the framework declares, merged into ours by keyed().
 * @param {keyof KEYED} kind @param {EncryptionKey | undefined} key
 * @returns {{ Properties?: Record<string, unknown>, Metadata?: Record<string, unknown> }}
 */
function keyExtension(kind, key) {
  const { properties, check, withoutKey } = KEYED[kind];
  return key === undefined
    ? { Metadata: checkovSkips({ [check]: withoutKey }) }
    : { Properties: properties(key.arn) };
}

/**
 * A resource of ours using the key (a queue leaves SQS-managed encryption for it), or skipping the check with the reason.
 * @template {{ Properties: Record<string, unknown> }} R @param {R} resource @param {keyof KEYED} kind @param {EncryptionKey | undefined} key @returns {R}
 */
function keyed(resource, kind, key) {
  const { Properties = {}, Metadata } = keyExtension(kind, key);
  const properties = { ...resource.Properties, ...Properties };
  if (key !== undefined && kind === 'queue') delete properties.SqsManagedSseEnabled;
  return { ...resource, Properties: properties, ...(Metadata ? { Metadata } : {}) };
}

module.exports = { encryptionKey, keyExtension, keyed, ENCRYPTION_KEY_ID };
