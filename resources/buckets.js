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
 *   malformed events, from the forwarder and the splitter. deadLetterColdAfterDays / deadLetterExpireDays.
 * - SplitterArchiveBucket (archiveBucket; '' = the stage keeps no archive, no bucket): the splitter's
 *   NDJSON archive. archiveColdAfterDays / archiveExpireDays.
 * - ExportBucket (exporterBucket): the exporter's, versioned (checkpoints survive an overwrite;
 *   overwritten ones expire after exportNoncurrentDays), with the statements the logs service
 *   needs (resources/exporter.js). exportColdAfterDays / exportExpireDays.
 */

const { params } = require('./lib/params');
const { privateBucket, tlsOnlyPolicy } = require('./lib/cfn');
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

/** @param {Context} context */
async function resources(context) {
  const param = params(context);
  const rawLogs = await bucketName(context, 'rawLogsBucket');
  const deadLetters = await bucketName(context, 'deadLetterBucket');
  const exports = await bucketName(context, 'exporterBucket');
  const archive = await param.text('archiveBucket');
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
    DeadLetterBucket: privateBucket(deadLetters, {
      LifecycleConfiguration: { Rules: await lifecycleFor(context, 'deadLetter') },
    }),
    DeadLetterBucketTlsPolicy: tlsOnlyPolicy('DeadLetterBucket', deadLetters),
    ExportBucket: privateBucket(exports, {
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: { Rules: exportRules },
    }),
    ExportBucketPolicy: exportBucketPolicy,
  };
  /** @type {Record<string, unknown>} */
  const Outputs = {
    RawLogsBucketName: { Description: 'Firehose writes here, under rawLogsPrefix', Value: rawLogs },
    DeadLetterBucketName: { Value: deadLetters },
    ExportBucketName: { Value: exports },
  };
  if (archive !== '') {
    Resources.SplitterArchiveBucket = privateBucket(archive, {
      LifecycleConfiguration: { Rules: await lifecycleFor(context, 'archive') },
    });
    Resources.SplitterArchiveBucketTlsPolicy = tlsOnlyPolicy('SplitterArchiveBucket', archive);
    Outputs.SplitterArchiveBucketName = { Value: archive };
  }
  const extensions = {
    S3BucketRawLogs: {
      Properties: { LifecycleConfiguration: { Rules: await lifecycleFor(context, 'rawLogs') } },
    },
  };
  return { Resources, Outputs, extensions };
}

module.exports = { resources, lifecycleRules };
