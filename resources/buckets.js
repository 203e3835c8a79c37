'use strict';

/**
 * What every bucket of the stack gets besides encryption and the public access block (declared
 * with each bucket): a TLS-only bucket policy and lifecycle rules from per-stage params.
 * Referenced from serverless.yml:
 *   resources: - ${file(./resources/buckets.js):resources}
 *     (TLS-only policies; the raw-logs bucket's lifecycle as an extension of S3BucketRawLogs,
 *     because the framework's provider.s3 schema does not know the GLACIER_IR storage class)
 * and from resources/splitter.yml (archive and dead-letter buckets' LifecycleConfiguration).
 *
 * params (per stage, docs/deploy.md); 0 = never:
 *   rawLogsColdAfterDays / rawLogsExpireDays: Firehose objects, once split, are a replayable copy.
 *   archiveColdAfterDays / archiveExpireDays: the splitter's NDJSON archive.
 *   deadLetterColdAfterDays / deadLetterExpireDays: refused documents and malformed events.
 *   exportColdAfterDays / exportExpireDays: the exporter's bucket (ExportBucket, declared with
 *     its own TLS-only and logs-service policy in resources/exporter.js); it is versioned, so
 *     overwritten checkpoints (noncurrent versions) expire after exportNoncurrentDays.
 * Cold = S3 Glacier Instant Retrieval (millisecond reads, no retrieval job; billed 90 days min).
 *
 * A bucket added to the stack needs an entry in BUCKETS (the deploy test fails otherwise).
 */

const { paramReader } = require('./lib/params');

/** Logical id -> the param holding its name. A policy on the exporter's bucket lives with its own statements. */
const BUCKETS = {
  S3BucketRawLogs: 'rawLogsBucket',
  SplitterArchiveBucket: 'archiveBucketName',
  SplitterDeadLetterBucket: 'splitterDeadLetterBucket',
};

/** The statement every bucket policy carries: no request over plain HTTP, from anyone. */
function denyInsecureTransport(bucketName) {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [
      { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${bucketName}` },
      { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${bucketName}/*` },
    ],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

async function param(context, name) {
  return paramReader(context.resolveVariable)(name);
}

async function days(context, name) {
  const text = await param(context, name);
  const value = Number(text === '' ? 0 : text);
  if (!Number.isInteger(value) || value < 0 || value > 36500)
    throw new Error(`param ${name} must be a whole number of days (0 = never), got "${text}"`);
  return value;
}

/** Lifecycle rules: abort stale multipart uploads, then optionally cold storage and expiry. */
function lifecycleRules(what, coldAfter, expireAfter) {
  if (coldAfter > 0 && expireAfter > 0 && expireAfter <= coldAfter)
    throw new Error(`${what}: expiry (${expireAfter} days) must come after cold storage (${coldAfter} days)`);
  const rules = [
    {
      Id: 'abort-incomplete-multipart-uploads',
      Status: 'Enabled',
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
    },
  ];
  if (coldAfter > 0)
    rules.push({
      Id: `cold-after-${coldAfter}-days`,
      Status: 'Enabled',
      Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: coldAfter }],
    });
  if (expireAfter > 0)
    rules.push({ Id: `expire-after-${expireAfter}-days`, Status: 'Enabled', ExpirationInDays: expireAfter });
  return rules;
}

const lifecycleFor = (prefix) => async (context) =>
  lifecycleRules(
    prefix,
    await days(context, `${prefix}ColdAfterDays`),
    await days(context, `${prefix}ExpireDays`),
  );

async function resources(context) {
  const Resources = {};
  for (const [id, nameParam] of Object.entries(BUCKETS)) {
    const name = String(await param(context, nameParam));
    if (name === '') throw new Error(`param ${nameParam} (bucket ${id}) must not be empty`);
    Resources[`${id}TlsPolicy`] = {
      Type: 'AWS::S3::BucketPolicy',
      DependsOn: [id],
      Properties: {
        Bucket: name,
        PolicyDocument: { Version: '2012-10-17', Statement: [denyInsecureTransport(name)] },
      },
    };
  }
  const exportRules = await lifecycleFor('export')(context);
  exportRules.push({
    Id: 'expire-noncurrent-versions',
    Status: 'Enabled',
    NoncurrentVersionExpiration: { NoncurrentDays: (await days(context, 'exportNoncurrentDays')) || 30 },
  });
  const extensions = {
    S3BucketRawLogs: {
      Properties: { LifecycleConfiguration: { Rules: await lifecycleFor('rawLogs')(context) } },
    },
    ExportBucket: { Properties: { LifecycleConfiguration: { Rules: exportRules } } },
  };
  return { Resources, extensions };
}

module.exports = {
  resources,
  archiveLifecycleRules: lifecycleFor('archive'),
  deadLetterLifecycleRules: lifecycleFor('deadLetter'),
  denyInsecureTransport,
  lifecycleRules,
  BUCKETS,
};
