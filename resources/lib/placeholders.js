// @ts-check
'use strict';

/**
 * Values a user must fill before a deploy: the stage template (config/stage-template.yml) and
 * the shipped prod stage mark them `FILL-ME` (`grep -n FILL-ME params.yml` lists what is left).
 * Packaging a stage with them works (an offline look at the template); deploying one does not.
 */
const PLACEHOLDER = 'FILL-ME';

/**
 * The params of a stage as the framework resolves them: `--param k=v`, then the stage's entry,
 * then `default` (osls's own order, lib/configuration/variables/sources/instance-dependent/param.js).
 * @param {Record<string, Record<string, unknown> | undefined>} configured params.yml, resolved
 * @param {string} stage
 * @param {readonly string[]} cliParams the `--param` values, `key=value`
 * @returns {Record<string, unknown>}
 */
function stageParams(configured, stage, cliParams) {
  /** @type {Record<string, unknown>} */
  const cli = {};
  for (const item of cliParams) {
    const at = item.indexOf('=');
    if (at > 0) cli[item.slice(0, at)] = item.slice(at + 1);
  }
  return { ...configured.default, ...configured[stage], ...cli };
}

/**
 * The names of the params still holding a placeholder (in a list too), sorted.
 * @param {Record<string, unknown>} values
 * @returns {string[]}
 */
function unfilledParams(values) {
  return Object.entries(values)
    .filter(([, value]) => JSON.stringify(value ?? '').includes(PLACEHOLDER))
    .map(([name]) => name)
    .sort();
}

/** @param {string} stage @param {readonly string[]} names */
const unfilledMessage = (stage, names) =>
  `stage ${stage} still has ${PLACEHOLDER} placeholders in params ${names.join(', ')}: ` +
  `set them in params.yml under ${stage}: (docs/first-deploy.md), or pass --param "<name>=<value>"`;

module.exports = { PLACEHOLDER, stageParams, unfilledParams, unfilledMessage };
