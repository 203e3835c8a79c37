'use strict';

/**
 * What a function that writes to the search destination may read and call: the secret or SSM
 * parameter holding its credentials, and for SigV4 the OpenSearch domain or collection.
 * Shared by the forwarder's and the splitter's roles (resources/forwarder.js, splitter.js).
 *
 * destination: { auth, credentials: 'secretsmanager:<id or ARN>' | 'ssm:<name>' | '', resourceArn }
 * resourceArnParam: the param to name when SigV4 has no resource ARN.
 */
function destinationStatements(destination, resourceArnParam) {
  const statements = [];
  const [store, ...rest] = String(destination.credentials).split(':');
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
  if (destination.auth === 'sigv4') {
    if (!destination.resourceArn)
      throw new Error(`param ${resourceArnParam} is required when the destination signs with sigv4`);
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

module.exports = { destinationStatements };
