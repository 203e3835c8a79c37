import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

/** The redrive command line, run as a user runs it (no AWS endpoint is reachable from here). */
function redriveCli(...args: string[]) {
  return spawnSync(
    process.execPath,
    [join(root, 'node_modules/tsx/dist/cli.mjs'), 'scripts/redrive.ts', ...args],
    {
      cwd: root,
      encoding: 'utf8',
      // No credentials and an endpoint nobody listens on: any AWS call would fail differently.
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: 'x',
        AWS_SECRET_ACCESS_KEY: 'x',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      },
    },
  );
}

describe('scripts/redrive.ts', () => {
  it('refuses an unknown function before calling AWS, naming the ones it knows', () => {
    const result = redriveCli('--stage', 'dev', '--function', 'bogus');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--function bogus: not one of forwarder, splitter, notifier, exporter');
    expect(result.stderr).not.toMatch(/ECONNREFUSED|redriving|dry run/); // nothing was started
  });

  it('asks for the stage and the function', () => {
    const result = redriveCli('--function', 'forwarder');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('usage:');
  });
});
