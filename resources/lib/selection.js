// @ts-check
'use strict';

/**
 * Which log groups a stage subscribes beyond the ones it names: the pipeline's own log groups
 * (never subscribed: a function fed its own lines loops for ever), the selection criteria of an
 * account-level subscription policy, and the prefixes the subscriber function reconciles.
 * Pure functions, so generators.test.ts can try every edge.
 */

/**
 * CloudWatch Logs' limit on an account policy's selectionCriteria string, in UTF-8 bytes. The
 * documentation says "25 KB", which may mean 25,000 or 25,600: the smaller one is kept, so a
 * policy that packages is never refused at deploy time.
 */
const SELECTION_CRITERIA_MAX_BYTES = 25000;

const stack = require('../../libs/runtime/stack-constants.json');

/** A prefix of log group names, as DescribeLogGroups takes it (the subscriber checks the same). */
const LOG_GROUP_NAME_PREFIX = new RegExp(stack.logGroupNamePrefixPattern);

/** Log group names: 1-512 characters of [.\-_/#A-Za-z0-9] (CloudWatch Logs' own rule). */
const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;

/**
 * Every log group this stack's functions and Firehose stream write: what an account-wide or
 * prefix subscription must leave out.
 * @param {{ prefix: string, functions: Record<string, { name?: string }> }} stack
 * @returns {string[]}
 */
function ownLogGroups({ prefix, functions }) {
  return [
    ...Object.entries(functions).map(([key, fn]) => `/aws/lambda/${fn.name || `${prefix}-${key}`}`),
    `/aws/kinesisfirehose/${prefix}-raw-logs`,
  ].sort();
}

/**
 * Where this stack's log groups live: its functions' `/aws/lambda/<service>-<stage>-*` and its
 * Firehose stream's error log. The subscriber leaves out every group under them.
 * @param {string} stackPrefix "<service>-<stage>" @returns {string[]}
 */
function ownNamespaces(stackPrefix) {
  return [`/aws/lambda/${stackPrefix}-`, `/aws/kinesisfirehose/${stackPrefix}-raw-logs`];
}

/**
 * `LogGroupName NOT IN ["a","b"]`, the only selection an account-level subscription policy
 * supports, refused past the service's 25 KB (25,000 bytes).
 * @param {string[]} excluded log group names (duplicates dropped)
 * @param {string} param the param a user shortens when the list is too long
 */
function selectionCriteria(excluded, param) {
  for (const name of excluded)
    if (!LOG_GROUP_NAME.test(name))
      throw new Error(`param ${param}: "${name}" is not a log group name (exact names only, no wildcards)`);
  const criteria = `LogGroupName NOT IN ${JSON.stringify([...new Set(excluded)].sort())}`;
  const bytes = Buffer.byteLength(criteria, 'utf8');
  if (bytes > SELECTION_CRITERIA_MAX_BYTES)
    throw new Error(
      `param ${param}: the account policy's selection criteria would be ${bytes} bytes, ` +
        `over CloudWatch Logs' ${SELECTION_CRITERIA_MAX_BYTES}; exclude fewer log groups`,
    );
  return criteria;
}

/**
 * Prefixes of log group names to subscribe (forwardedLogGroupPrefixes, firehoseLogGroupPrefixes):
 * non-empty, no wildcards (DescribeLogGroups' logGroupNamePrefix is a plain prefix), and not one
 * that can only select this stack's own log groups (they are never subscribed: a feedback loop).
 * A broader prefix that also matches them (`/aws/lambda/`) is fine: the subscriber leaves them out.
 * @param {string[]} prefixes @param {string} param @param {string} stackPrefix "<service>-<stage>"
 * @returns {string[]}
 */
function checkPrefixes(prefixes, param, stackPrefix) {
  for (const prefix of prefixes) {
    if (!LOG_GROUP_NAME_PREFIX.test(prefix))
      throw new Error(
        `param ${param}: "${prefix}" is not a log group name prefix (letters, digits and . - _ / # only; no *)`,
      );
    const own = ownNamespaces(stackPrefix).find((namespace) => prefix.startsWith(namespace));
    if (own !== undefined)
      throw new Error(
        `param ${param}: "${prefix}" selects only this stack's own log groups (${own}...), which are ` +
          'never subscribed (their lines would come back to the pipeline for ever)',
      );
  }
  return prefixes;
}

module.exports = {
  SELECTION_CRITERIA_MAX_BYTES,
  ownLogGroups,
  ownNamespaces,
  selectionCriteria,
  checkPrefixes,
};
