// @ts-check
'use strict';

/**
 * Every bucket of the stack, each private (encrypted, no public access), with one TLS-only
 * policy and lifecycle rules from per-stage params (docs/deploy.md; days, 0 = never; cold = S3
 * Glacier Instant Retrieval: millisecond reads, billed 90 days minimum):
 *
 * - S3BucketRawLogs (rawLogsBucket): Firehose objects, a replayable copy once split. Declared by
 *   the splitter's s3 event (provider.s3.rawLogs), so only its policy and lifecycle are here (the
 *   framework's provider.s3 schema does not know GLACIER_IR). rawLogsColdAfterDays / rawLogsExpireDays.
 * - DeadLetterBucket (deadLetterBucket): documents the destination refused for good and
 *   malformed events, from the forwarder and the splitter: their only copy, so versioned (an
 *   overwrite or a delete keeps the old version deadLetterNoncurrentDays). deadLetterColdAfterDays
 *   / deadLetterExpireDays.
 * - SplitterArchiveBucket (archiveBucket; '' = the stage keeps no archive, no bucket): the splitter's
 *   NDJSON archive, versioned the same way (archiveNoncurrentDays). archiveColdAfterDays / archiveExpireDays.
 * - ExportBucket (exporterBucket): the exporter's, versioned (checkpoints survive an overwrite;
 *   overwritten ones expire after exportNoncurrentDays), with the statements the logs service
 *   needs (resources/exporter.js). exportColdAfterDays / exportExpireDays.
 *
 * With accessLogBucket set, every bucket (the framework's deployment bucket too) writes S3
 * server access logs there under "<bucket name>/". Scanner findings accepted (no access logs
 * without accessLogBucket, no versioning on raw logs and deployment artefacts) are skipped on the
 * bucket with their reason (resources/lib/checkov.js).
 */

const { params } = require('./lib/params');
const { privateBucket, tlsOnlyPolicy } = require('./lib/cfn');
const { checkovSkips, withCheckovSkips } = require('./lib/checkov');
const { exportBucketStatements } = require('./exporter');

/** @typedef {import('./lib/params').Context} Context */

/** Abort stale multipart uploads, then optionally cold storage and expiry. @param {string} what @param {number} coldAfter @param {number} expireAfter */
function lifecycleRules(what, coldAfter, expireAfter) {
  if (coldAfter > 0 && expireAfter > 0 && expireAfter <= coldAfter)
    throw new Error(`${what}: expiry (${expireAfter} days) must come after cold storage (${coldAfter} days)`);
  /** @type {Record<string, unknown>[]} */
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

/** @param {Context} context @param {string} prefix params <prefix>ColdAfterDays and <prefix>ExpireDays */
async function lifecycleFor(context, prefix) {
  const param = params(context);
  return lifecycleRules(
    prefix,
    await param.days(`${prefix}ColdAfterDays`),
    await param.days(`${prefix}ExpireDays`),
  );
}

/** @param {Context} context @param {string} name */
async function bucketName(context, name) {
  const value = await params(context).text(name);
  if (value === '') throw new Error(`param ${name} must not be empty`);
  return value;
}

/** Versioning, and a rule expiring versions overwritten or deleted this many days ago. @param {number} days */
function versioned(days) {
  return {
    VersioningConfiguration: { Status: 'Enabled' },
    noncurrentRule: {
      Id: 'expire-noncurrent-versions',
      Status: 'Enabled',
      NoncurrentVersionExpiration: { NoncurrentDays: days },
    },
  };
}

/** Versions kept after an overwrite or delete: at least a day (S3's minimum). @param {Context} context @param {string} name */
async function noncurrentDays(context, name) {
  return params(context).integer(name, 1, 36500);
}

const NOT_VERSIONED = {
  rawLogs:
    'Firehose writes each object once under a unique key and nothing overwrites it; the lifecycle (rawLogsExpireDays) deletes on purpose, and versions would only keep deleted raw logs billed.',
  deployment:
    "The framework's deployment artefacts: each deploy uploads under a new timestamped prefix and the framework prunes old ones; the stack can be rebuilt from the repository.",
};

/**
 * S3 server access logging to the stage's accessLogBucket, or the reason there is none.
 * @param {string} accessLogBucket @param {string} bucketName
 * @returns {{ reasons: Record<string, string>, properties: Record<string, unknown> }}
 */
function accessLogging(accessLogBucket, bucketName) {
  return accessLogBucket === ''
    ? {
        reasons: {
          CKV_AWS_18:
            "No accessLogBucket in this stage: the bucket is written and read by this stack's roles only (CloudTrail records those calls); set accessLogBucket to log every request to a bucket the stage names.",
        },
        properties: {},
      }
    : {
        reasons: {},
        properties: {
          LoggingConfiguration: { DestinationBucketName: accessLogBucket, LogFilePrefix: `${bucketName}/` },
        },
      };
}

/** @param {Context} context */
async function resources(context) {
  const param = params(context);
  const rawLogs = await bucketName(context, 'rawLogsBucket');
  const deadLetters = await bucketName(context, 'deadLetterBucket');
  const exports = await bucketName(context, 'exporterBucket');
  const archive = await param.text('archiveBucket');
  const accessLogBucket = await param.text('accessLogBucket');
  if (accessLogBucket !== '' && [rawLogs, deadLetters, exports, archive].includes(accessLogBucket))
    throw new Error(
      `param accessLogBucket must be a bucket outside this stack, got "${accessLogBucket}" (a bucket logging to itself logs its own log writes)`,
    );
  const logsOf = (/** @type {string} */ name) => accessLogging(accessLogBucket, name);
  const deadLetterVersions = versioned(await noncurrentDays(context, 'deadLetterNoncurrentDays'));
  const exportRules = await lifecycleFor(context, 'export');
  exportRules.push({
    Id: 'expire-noncurrent-versions',
    Status: 'Enabled',
    NoncurrentVersionExpiration: { NoncurrentDays: (await param.days('exportNoncurrentDays')) || 30 },
  });

  const exportBucketPolicy = tlsOnlyPolicy('ExportBucket', exports, await exportBucketStatements(context));
  // A policy's Bucket changed from Ref to the name would replace it: the export bucket's names it by Ref, as before.
  exportBucketPolicy.Properties.Bucket = { Ref: 'ExportBucket' };
  // Policy ids as before (…TlsPolicy, ExportBucketPolicy): a renamed policy resource would be
  // created, then the old one's deletion would remove the bucket's only policy.
  /** @type {Record<string, unknown>} */
  const Resources = {
    S3BucketRawLogsTlsPolicy: tlsOnlyPolicy('S3BucketRawLogs', rawLogs),
    DeadLetterBucket: withCheckovSkips(
      privateBucket(deadLetters, {
        VersioningConfiguration: deadLetterVersions.VersioningConfiguration,
        LifecycleConfiguration: {
          Rules: [...(await lifecycleFor(context, 'deadLetter')), deadLetterVersions.noncurrentRule],
        },
        ...logsOf(deadLetters).properties,
      }),
      logsOf(deadLetters).reasons,
    ),
    DeadLetterBucketTlsPolicy: tlsOnlyPolicy('DeadLetterBucket', deadLetters),
    ExportBucket: withCheckovSkips(
      privateBucket(exports, {
        VersioningConfiguration: { Status: 'Enabled' },
        LifecycleConfiguration: { Rules: exportRules },
        ...logsOf(exports).properties,
      }),
      logsOf(exports).reasons,
    ),
    ExportBucketPolicy: exportBucketPolicy,
  };
  /** @type {Record<string, unknown>} */
  const Outputs = {
    RawLogsBucketName: { Description: 'Firehose writes here, under rawLogsPrefix', Value: rawLogs },
    DeadLetterBucketName: { Value: deadLetters },
    ExportBucketName: { Value: exports },
  };
  if (archive !== '') {
    const archiveVersions = versioned(await noncurrentDays(context, 'archiveNoncurrentDays'));
    Resources.SplitterArchiveBucket = withCheckovSkips(
      privateBucket(archive, {
        VersioningConfiguration: archiveVersions.VersioningConfiguration,
        LifecycleConfiguration: {
          Rules: [...(await lifecycleFor(context, 'archive')), archiveVersions.noncurrentRule],
        },
        ...logsOf(archive).properties,
      }),
      logsOf(archive).reasons,
    );
    Resources.SplitterArchiveBucketTlsPolicy = tlsOnlyPolicy('SplitterArchiveBucket', archive);
    Outputs.SplitterArchiveBucketName = { Value: archive };
  }
  // The two buckets the framework declares (provider.s3.rawLogs, provider.deploymentBucket).
  const deploymentLogs = accessLogging(
    accessLogBucket,
    `${(await param.serviceAndStage()).prefix}-deployment`,
  );
  const extensions = {
    S3BucketRawLogs: {
      Properties: {
        LifecycleConfiguration: { Rules: await lifecycleFor(context, 'rawLogs') },
        ...logsOf(rawLogs).properties,
      },
      Metadata: checkovSkips({ CKV_AWS_21: NOT_VERSIONED.rawLogs, ...logsOf(rawLogs).reasons }),
    },
    ServerlessDeploymentBucket: {
      Properties: deploymentLogs.properties,
      Metadata: checkovSkips({ CKV_AWS_21: NOT_VERSIONED.deployment, ...deploymentLogs.reasons }),
    },
  };
  return { Resources, Outputs, extensions };
}

module.exports = { resources, lifecycleRules };
