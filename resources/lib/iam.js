// @ts-check
'use strict';

/** IAM statements more than one function needs, each written once. */

const { arn } = require('./cfn');

/** @typedef {import('./cfn').Statement} Statement */

/**
 * Reading one secret: an ARN as given, or a name of this account and region. Secrets Manager
 * appends "-" and six random characters to a secret's name in its ARN.
 * @param {string} secret @returns {Statement}
 */
function readSecret(secret) {
  return {
    Effect: 'Allow',
    Action: ['secretsmanager:GetSecretValue'],
    Resource: secret.startsWith('arn:') ? secret : arn('secretsmanager', `secret:${secret}-??????`),
  };
}

/** Reading one SSM parameter, by ARN or by name (with or without its leading "/"). @param {string} name @returns {Statement} */
function readParameter(name) {
  return {
    Effect: 'Allow',
    Action: ['ssm:GetParameter'],
    Resource: name.startsWith('arn:') ? name : arn('ssm', `parameter/${name.replace(/^\/+/, '')}`),
  };
}

/**
 * What a function writing to the search destination may read and call: the secret or SSM
 * parameter holding its credentials, and for SigV4 the OpenSearch domain or collection.
 * @param {{ auth: string, credentials: string, resourceArn: string }} destination
 * credentials: 'secretsmanager:<id or ARN>' | 'ssm:<name or ARN>' | ''
 * @returns {Statement[]}
 */
function destinationStatements(destination) {
  const statements = [];
  const [store, ...rest] = destination.credentials.split(':');
  const id = rest.join(':');
  if (store === 'secretsmanager') statements.push(readSecret(id));
  else if (store === 'ssm') statements.push(readParameter(id));
  else if (destination.credentials !== '')
    throw new Error(
      `param destinationCredentials must be secretsmanager:<id> or ssm:<name>, got "${destination.credentials}"`,
    );
  if (destination.auth === 'sigv4') {
    if (destination.resourceArn === '')
      throw new Error('param destinationResourceArn is required when the destination signs with sigv4');
    statements.push(
      destination.resourceArn.includes(':aoss:')
        ? { Effect: 'Allow', Action: ['aoss:APIAccessAll'], Resource: destination.resourceArn }
        : {
            Effect: 'Allow',
            Action: ['es:ESHttpPost', 'es:ESHttpPut'],
            Resource: `${destination.resourceArn}/*`,
          },
    );
  }
  return statements;
}

/** Sending to the function's on-failure queue (a custom role gets none from the framework). @param {string} queueId @returns {Statement} */
const sendToQueue = (queueId) => ({
  Effect: 'Allow',
  Action: ['sqs:SendMessage'],
  Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
});

module.exports = { destinationStatements, readSecret, readParameter, sendToQueue };
