/**
 * The bucket policy CloudWatch Logs needs before CreateExportTask can write, scoped to this
 * account and its log groups. Used in error messages and in docs; resources/export.yml
 * declares the same statements.
 */
export interface BucketPolicyTarget {
  bucket: string;
  region: string;
  accountId: string;
  exportPrefix: string;
}

export function requiredBucketPolicy(target: BucketPolicyTarget): object {
  const principal = { Service: `logs.${target.region}.amazonaws.com` };
  const condition = {
    StringEquals: { 'aws:SourceAccount': target.accountId },
    ArnLike: { 'aws:SourceArn': `arn:aws:logs:${target.region}:${target.accountId}:log-group:*` },
  };
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'CloudWatchLogsAclCheck',
        Effect: 'Allow',
        Principal: principal,
        Action: 's3:GetBucketAcl',
        Resource: `arn:aws:s3:::${target.bucket}`,
        Condition: condition,
      },
      {
        Sid: 'CloudWatchLogsWrite',
        Effect: 'Allow',
        Principal: principal,
        Action: 's3:PutObject',
        Resource: `arn:aws:s3:::${target.bucket}/${target.exportPrefix}/*`,
        Condition: condition,
      },
    ],
  };
}

export function bucketPolicyHint(target: BucketPolicyTarget): string {
  return (
    `bucket "${target.bucket}" must be in ${target.region} and its policy must allow the service principal ` +
    `logs.${target.region}.amazonaws.com s3:GetBucketAcl on arn:aws:s3:::${target.bucket} and s3:PutObject on ` +
    `arn:aws:s3:::${target.bucket}/${target.exportPrefix}/*, with aws:SourceAccount=${target.accountId} and ` +
    `aws:SourceArn=arn:aws:logs:${target.region}:${target.accountId}:log-group:* (see resources/export.yml)`
  );
}
