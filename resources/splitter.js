// @ts-check
'use strict';

/**
 * The splitter's role statements (resources/roles.js calls iamRoleStatements), generated because
 * the archive and the destination's credentials decide what else the role may do.
 *
 * params: rawLogsBucket, rawLogsPrefix, archiveBucket ('' = no archive), archivePrefix,
 * deadLetterBucket, and the forwarder's destination* params (the splitter writes the same documents).
 */

const { params } = require('./lib/params');
const { s3Arn } = require('./lib/cfn');
const { destinationStatements, sendToQueue } = require('./lib/iam');
const { destination } = require('./forwarder');
const stack = require('../libs/runtime/stack-constants.json');

/** Least privilege: read the raw prefix, write the archive prefix and dead letters, report failures. @param {import('./lib/params').Context} context */
async function iamRoleStatements(context) {
  const param = params(context);
  const archiveBucket = await param.text('archiveBucket');
  const archivePrefix = (await param.text('archivePrefix')).replace(/^\/+|\/+$/g, '');
  /** @type {import('./lib/cfn').Statement[]} */
  const statements = [
    {
      Effect: 'Allow',
      Action: ['s3:GetObject'],
      Resource: s3Arn(await param.text('rawLogsBucket'), `${await param.text('rawLogsPrefix')}*`),
    },
    {
      Effect: 'Allow',
      Action: ['s3:PutObject'],
      Resource: s3Arn(await param.text('deadLetterBucket'), `${stack.deadLetterPrefix}splitter/*`),
    },
    sendToQueue('SplitterFailureQueue'),
    ...destinationStatements(await destination(context)),
  ];
  if (archiveBucket !== '')
    statements.push({
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:AbortMultipartUpload'],
      Resource: s3Arn(archiveBucket, `${archivePrefix}/*`),
    });
  return statements;
}

module.exports = { iamRoleStatements };
