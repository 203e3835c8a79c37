// @ts-check
'use strict';

/**
 * A local osls plugin (serverless.yml `plugins`): `sls deploy` refuses a stage whose params
 * still hold the template's FILL-ME placeholders, before anything is built or sent to AWS.
 * `sls package` and `sls print` are left alone: they are offline looks at the stage.
 */
const { stageParams, unfilledParams, unfilledMessage } = require('./lib/placeholders');

class DeployChecks {
  /**
   * @param {{ configurationInput?: { params?: Record<string, Record<string, unknown>> },
   *   processedInput: { commands: string[] }, classes: { Error: new (message: string) => Error } }} serverless
   * @param {{ stage?: string, param?: string[] }} options
   */
  constructor(serverless, options) {
    this.hooks = {
      initialize: () => {
        const command = serverless.processedInput.commands.join(' ');
        if (command !== 'deploy' && command !== 'deploy function') return;
        const stage = options.stage ?? 'dev';
        const values = stageParams(serverless.configurationInput?.params ?? {}, stage, options.param ?? []);
        const unfilled = unfilledParams(values);
        if (unfilled.length > 0) throw new serverless.classes.Error(unfilledMessage(stage, unfilled));
      },
    };
  }
}

module.exports = DeployChecks;
