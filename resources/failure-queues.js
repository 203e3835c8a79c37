// @ts-check
'use strict';

/**
 * One on-failure queue for every `{ 'Fn::GetAtt': [<Name>FailureQueue, Arn] }` a function or one
 * of its events names under `onFailure` (serverless.yml, resources/forwarder.js), named
 * "<service>-<stage>-<name>-failures". A function gains its queue by naming it; nothing else
 * to declare. resources/metric-alarms.yml alarms on each of them (everyFailureQueue).
 */

const { params } = require('./lib/params');
const { failureQueue } = require('./lib/cfn');
const { encryptionKey, keyed } = require('./lib/encryption');

/** @typedef {import('./lib/params').Context} Context */

/**
 * Every logical id found as `Fn::GetAtt [id, Arn]` under an `onFailure` key, in order, once.
 * @param {unknown} functions @returns {string[]}
 */
function onFailureQueues(functions) {
  /** @type {string[]} */
  const ids = [];
  /** @param {unknown} value @param {boolean} underOnFailure */
  const walk = (value, underOnFailure) => {
    if (Array.isArray(value)) return value.forEach((item) => walk(item, underOnFailure));
    if (value === null || typeof value !== 'object') return;
    const getAtt = /** @type {Record<string, unknown>} */ (value)['Fn::GetAtt'];
    if (underOnFailure && Array.isArray(getAtt) && getAtt[1] === 'Arn') {
      if (!ids.includes(getAtt[0])) ids.push(getAtt[0]);
      return;
    }
    for (const [key, child] of Object.entries(value)) walk(child, underOnFailure || key === 'onFailure');
  };
  walk(functions, false);
  return ids;
}

/** "ForwarderStreamFailureQueue" -> "forwarder-stream-failures". @param {string} id */
function queueSuffix(id) {
  const match = /^([A-Z][A-Za-z0-9]*)FailureQueue$/.exec(id);
  if (!match || match[1] === undefined)
    throw new Error(
      `on-failure queue ${id}: name it <Name>FailureQueue (resources/failure-queues.js declares it)`,
    );
  return `${match[1].replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}-failures`;
}

/** @param {Context} context */
async function resources(context) {
  const { prefix } = await params(context).serviceAndStage();
  const functions = (await context.resolveVariable('self:functions')) || {};
  const key = await encryptionKey(context); // the stage's KMS key, if any, instead of SQS-managed keys
  /** @type {Record<string, unknown>} */
  const Resources = {};
  /** @type {Record<string, unknown>} */
  const Outputs = {};
  for (const id of onFailureQueues(functions)) {
    Resources[id] = keyed(failureQueue(`${prefix}-${queueSuffix(id)}`), 'queue', key);
    Outputs[`${id}Url`] = { Value: { Ref: id } };
  }
  return { Resources, Outputs };
}

module.exports = { resources, onFailureQueues, queueSuffix };
