import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

/**
 * Runs one of tools/ as a user runs it (`npm run <script> -- args`), with dummy credentials and
 * an AWS endpoint nobody listens on: an AWS call fails fast and differently from a usage error.
 */
export function runScript(script: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), script, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'x',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      ...env,
    },
  });
}
