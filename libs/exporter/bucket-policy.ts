/**
 * What the export bucket's policy must allow CloudWatch Logs before CreateExportTask can write,
 * scoped to this account and its log groups, said in the exporter's error when it is missing.
 * The stack declares these statements on ExportBucket (resources/exporter.js exportBucketStatements).
 */
export interface BucketPolicyTarget {
  bucket: string;
  region: string;
  accountId: string;
  exportPrefix: string;
}

export function bucketPolicyHint(target: BucketPolicyTarget): string {
  return (
    `bucket "${target.bucket}" must be in ${target.region} and its policy must allow the service principal ` +
    `logs.${target.region}.amazonaws.com s3:GetBucketAcl on arn:aws:s3:::${target.bucket} and s3:PutObject on ` +
    `arn:aws:s3:::${target.bucket}/${target.exportPrefix}/*, with aws:SourceAccount=${target.accountId} and ` +
    `aws:SourceArn=arn:aws:logs:${target.region}:${target.accountId}:log-group:* (see resources/exporter.js)`
  );
}
