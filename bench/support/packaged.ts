import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { handler as ForwarderHandler } from '../../functions/forwarder/handler';

const root = join(__dirname, '..', '..');

/**
 * A directory for bundles whose node_modules holds only the @aws-sdk scope, as the Lambda
 * runtime provides it: everything else must be in the bundle.
 */
export function bundleDir(): string {
  const out = mkdtempSync(join(tmpdir(), 'bundles-'));
  mkdirSync(join(out, 'node_modules'));
  symlinkSync(join(root, 'node_modules', '@aws-sdk'), join(out, 'node_modules', '@aws-sdk'));
  return out;
}

/**
 * Bundles functions/<name>/handler.ts with the options of serverless.yml's `custom.esbuild` (what
 * `sls package` zips) into `outDir`; returns the file. The source map is left out: it is read
 * only when a stack trace is formatted. `minify: false` keeps function names for a CPU profile.
 */
export async function bundleFunction(
  name: string,
  outDir: string,
  { minify = true }: { minify?: boolean } = {},
): Promise<string> {
  const outfile = join(outDir, `${name}.js`);
  await build({
    entryPoints: [join(root, 'functions', name, 'handler.ts')],
    outfile,
    bundle: true,
    minify,
    keepNames: true,
    treeShaking: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['@aws-sdk/client-*', '@aws-sdk/credential-provider-node'],
    logLevel: 'error',
  });
  return outfile;
}

/**
 * The packaged forwarder (its bundle) loaded afresh with `env` as its process.env, so its cold
 * start composes the pipeline (configuration, rules, transport) as in Lambda.
 */
export function packagedForwarder(bundle: string, env: Record<string, string>): typeof ForwarderHandler {
  const saved = process.env;
  process.env = { ...saved, ...env };
  try {
    delete require.cache[bundle];
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh module instance per configuration
    return (require(bundle) as { handler: typeof ForwarderHandler }).handler;
  } finally {
    process.env = saved;
  }
}
