// @ts-check
'use strict';

/**
 * A local osls plugin (serverless.yml `plugins`): AWS SDK v3 prints a nine-line warning on
 * Node < 22 for the first client a process creates, on every `sls deploy`, `sls remove` or
 * `sls invoke local` (which runs a handler inside this process) run on the machine's Node 20.
 * The variable only quiets that warning, in this process; the deployed functions run on
 * nodejs24.x, where it never fires. The tests silence it in jest.config.js.
 */
class QuietSdkWarning {
  constructor() {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  }
}

module.exports = QuietSdkWarning;
