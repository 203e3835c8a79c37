import { gzipSync } from 'node:zlib';

/**
 * A CloudTrail-shaped subscription payload (the trail's log group): IAM-heavy records full of
 * ARNs (`arn:aws:iam::123456789012:role/...`, `arn:aws:s3:::bucket`), nested request and
 * response objects, JSON in strings (IAM policy documents), session contexts, access key ids
 * and source addresses: what the Lambda-mix payload of bench/forwarder.ts does not have.
 */
export function makeCloudTrailPayload(count: number): { awslogs: { data: string } } {
  const start = Date.UTC(2026, 11, 6, 5, 0);
  const actions = ['AssumeRole', 'GetObject', 'PutRolePolicy', 'ListAttachedRolePolicies', 'Decrypt'];
  const logEvents = Array.from({ length: count }, (_, i) => {
    const ts = start + i * 11;
    const account = '123456789012';
    const role = `arn:aws:iam::${account}:role/service-role/app-${i % 17}-execution-role`;
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:PutObject', 'kms:Decrypt'],
          Resource: [`arn:aws:s3:::app-bucket-${i % 5}/*`, `arn:aws:kms:eu-west-1:${account}:key/${i}`],
        },
      ],
    });
    const record = {
      eventVersion: '1.09',
      userIdentity: {
        type: 'AssumedRole',
        principalId: `AROAEXAMPLEID${String(i % 1000).padStart(4, '0')}:session-${i}`,
        arn: `arn:aws:sts::${account}:assumed-role/app-${i % 17}-execution-role/session-${i}`,
        accountId: account,
        accessKeyId: `ASIAEXAMPLE${String(i % 100000).padStart(9, '0')}`,
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: 'AROAEXAMPLEID',
            arn: role,
            accountId: account,
            userName: `app-${i % 17}`,
          },
          attributes: { creationDate: new Date(ts - 60_000).toISOString(), mfaAuthenticated: 'false' },
        },
        invokedBy: 'lambda.amazonaws.com',
      },
      eventTime: new Date(ts).toISOString(),
      eventSource: i % 2 === 0 ? 'iam.amazonaws.com' : 's3.amazonaws.com',
      eventName: actions[i % actions.length],
      awsRegion: 'eu-west-1',
      sourceIPAddress:
        i % 3 === 0 ? 'lambda.amazonaws.com' : `2001:db8:${(i % 255).toString(16)}::${(i % 97).toString(16)}`,
      userAgent: 'aws-sdk-js/3.700.0 ua/2.1 os/linux#5.10 lang/js md/nodejs#24.0.0 api/iam#3.700.0',
      requestParameters: {
        roleName: `app-${i % 17}-execution-role`,
        policyName: 'inline-access',
        policyDocument: policy,
        bucketName: `app-bucket-${i % 5}`,
        key: `exports/2026/12/06/${i}.json.gz`,
      },
      responseElements: null,
      requestID: `c0ffee${String(i).padStart(2, '0')}-0000-4000-8000-${String(i).padStart(12, '0')}`,
      eventID: `e${String(i).padStart(7, '0')}-1111-4222-8333-444455556666`,
      readOnly: i % 2 === 1,
      resources: [
        { accountId: account, type: 'AWS::IAM::Role', ARN: role },
        { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::app-bucket-${i % 5}/exports/${i}.json.gz` },
      ],
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: account,
      eventCategory: 'Management',
      tlsDetails: {
        tlsVersion: 'TLSv1.3',
        cipherSuite: 'TLS_AES_128_GCM_SHA256',
        clientProvidedHostHeader: 'iam.amazonaws.com',
      },
    };
    return {
      id: `3862762795548481885276809816848983329890423124536${String(i).padStart(7, '0')}`,
      timestamp: ts,
      message: JSON.stringify(record),
    };
  });
  const data = {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: 'aws-cloudtrail-logs-123456789012',
    logStream: '123456789012_CloudTrail_eu-west-1',
    subscriptionFilters: ['forwarder'],
    logEvents,
  };
  return { awslogs: { data: gzipSync(JSON.stringify(data)).toString('base64') } };
}
