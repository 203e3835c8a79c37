import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withDirLock } from './build-lock';

/**
 * The pinned Python tools of the tests (tools/peers/requirements.txt: moto, cfn-lint) in a venv
 * of the project's own (.cache/python, gitignored), installed on first use and reused while the
 * requirements file is unchanged. Never touches the system's Python packages.
 */
const root = join(__dirname, '..', '..');
const requirements = join(__dirname, 'requirements.txt');
export const venvDir = join(root, '.cache', 'python');
const stampFile = join(venvDir, 'requirements.sha256');

export class PythonToolsError extends Error {
  override name = 'PythonToolsError';
}

export function venvBin(tool: string): string {
  return join(venvDir, 'bin', tool);
}

function run(command: string, args: string[], what: string): void {
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error || result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new PythonToolsError(
      `${what} failed (${command} ${args.join(' ')}): ${result.error?.message ?? `exit ${result.status}`}\n${output}`,
    );
  }
}

/**
 * Installs the pinned tools if the cache is missing or stale; returns the venv's bin directory.
 * Two test runs starting at once in one checkout install once (the second waits).
 */
export async function ensurePythonTools(): Promise<string> {
  mkdirSync(join(root, '.cache'), { recursive: true });
  return withDirLock(join(root, '.cache', 'python.lock'), install);
}

function install(): string {
  // The pins alone: a comment edited (a path renamed) must not cost a 3-minute reinstall.
  const pins = readFileSync(requirements, 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '')
    .join('\n');
  const wanted = createHash('sha256').update(pins).digest('hex');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === wanted) return join(venvDir, 'bin');
  const python = process.env.PYTHON ?? 'python3';
  rmSync(venvDir, { recursive: true, force: true });
  run(python, ['-m', 'venv', venvDir], 'creating the test venv');
  run(
    venvBin('pip'),
    ['install', '--quiet', '--disable-pip-version-check', '--no-input', '-r', requirements],
    'installing tools/peers/requirements.txt',
  );
  writeFileSync(stampFile, wanted);
  return join(venvDir, 'bin');
}
