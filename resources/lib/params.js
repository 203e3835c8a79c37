'use strict';

/**
 * Shared by the resource generators (resources/*.js), which osls calls with
 * `{ resolveVariable, options }` when it resolves `${file(./resources/x.js):name}`.
 */

/** A reader of per-stage params: an unset or null param reads as ''. */
function paramReader(resolveVariable) {
  return async (name) => {
    const value = await resolveVariable(`param:${name}`);
    return value === undefined || value === null ? '' : value;
  };
}

/** The service name and the stage being packaged or deployed. */
async function serviceAndStage({ resolveVariable, options }) {
  const service = await resolveVariable('self:service');
  const stage = options.stage || (await resolveVariable('sls:stage'));
  return { service, stage };
}

module.exports = { paramReader, serviceAndStage };
