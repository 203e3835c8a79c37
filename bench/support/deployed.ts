import type { handler as ForwarderHandler } from '../../functions/forwarder/handler';

/**
 * The forwarder's handler module as deployed: loaded fresh with `env` as its process.env, so its
 * cold start composes the pipeline (configuration, rules, transport, sources) as in Lambda.
 */
export function deployedForwarder(env: Record<string, string>): typeof ForwarderHandler {
  // The module system's own cache is what Lambda's cold start fills: cleared to compose afresh.
  const path = require.resolve('../../functions/forwarder/handler');
  const saved = process.env;
  process.env = { ...saved, ...env };
  try {
    delete require.cache[path];
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh module instance per configuration
    return (require(path) as { handler: typeof ForwarderHandler }).handler;
  } finally {
    process.env = saved;
  }
}
