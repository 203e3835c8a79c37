// @ts-check
'use strict';

/**
 * A local osls plugin (serverless.yml `plugins`) for `sls invoke local`, which runs a handler
 * inside this process on the machine's Node: AWS SDK v3 prints a nine-line warning on Node < 22
 * for the first client it creates (a dead letter's S3 client, a secret), noise on every local
 * run. On Lambda (nodejs24.x) the warning never fires; the tests silence it in jest.config.js.
 */
class LocalRuns {
  /** @param {{ processedInput: { commands: string[] } }} serverless */
  constructor(serverless) {
    if (serverless.processedInput.commands.join(' ') === 'invoke local')
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  }
}

module.exports = LocalRuns;
