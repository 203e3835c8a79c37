// @ts-check
'use strict';

/**
 * What the forwarder and the splitter share: they write the same documents (same names, same
 * ids) to the same destination, so their destination and document settings come from the same
 * params, written once here. resources/forwarder.js and resources/splitter.js add their own.
 *
 * params: destinationKind, destinationUrl, destinationAuth, destinationCredentials,
 * destinationResourceArn, indexPrefix, indexTimeZone, indexMode, dataStreamNamespace,
 * jsonFieldsAtRoot, deadLetterBucket, rulesFile, sourceAccounts.
 */

const { params } = require('./params');
const stack = require('../../libs/runtime/stack-constants.json');

/** @typedef {import('./params').Context} Context */

/**
 * The search destination, validated against the lists libs/forwarding/destinations/config.ts
 * accepts (libs/runtime/stack-constants.json), so a typo fails packaging, not the first event.
 * @param {Context} context
 */
async function destination(context) {
  const param = params(context);
  await param.oneOf('destinationKind', ['', ...stack.destinationKinds]);
  return {
    auth:
      (await param.text('destinationAuth')) === ''
        ? 'none'
        : await param.oneOf('destinationAuth', stack.destinationAuthKinds),
    credentials: await param.text('destinationCredentials'),
    resourceArn: await param.text('destinationResourceArn'),
  };
}

/** Where a function's dead letters go in the dead-letter bucket. @param {string} functionKey */
const deadLetterPrefix = (functionKey) => `${stack.deadLetterPrefix}${functionKey}/`;

/**
 * The destination and document variables, and the function's own dead-letter prefix.
 * @param {Context} context @param {string} functionKey
 */
async function documentsEnvironment(context, functionKey) {
  const param = params(context);
  await destination(context);
  return {
    ...(await param.environment({
      DESTINATION_KIND: 'destinationKind',
      DESTINATION_URL: 'destinationUrl',
      DESTINATION_AUTH: 'destinationAuth',
      DESTINATION_CREDENTIALS: 'destinationCredentials',
      INDEX_PREFIX: 'indexPrefix',
      INDEX_TIMEZONE: 'indexTimeZone',
      INDEX_MODE: 'indexMode',
      DATA_STREAM_NAMESPACE: 'dataStreamNamespace',
      JSON_FIELDS_AT_ROOT: 'jsonFieldsAtRoot',
      DEAD_LETTER_BUCKET: 'deadLetterBucket',
      RULES_FILE: 'rulesFile',
    })),
    // Other accounts' events get ids prefixed with the account (libs/forwarding/documents/build.ts).
    SOURCE_ACCOUNTS: (await param.accountIds('sourceAccounts')).join(','),
    DEAD_LETTER_PREFIX: deadLetterPrefix(functionKey),
  };
}

module.exports = { destination, documentsEnvironment, deadLetterPrefix };
