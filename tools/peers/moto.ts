import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePythonTools, venvBin } from './python-tools';

/**
 * moto (the AWS emulator, tools/peers/requirements.txt) as one loopback server for the whole
 * jest run: started by the global setup, its endpoint handed to the tests in MOTO_ENDPOINT,
 * stopped by the global teardown. The server reads its stdin until it closes, so it also ends
 * when jest is killed (tools/peers/moto_server.py).
 */
export const MOTO_ENDPOINT = 'MOTO_ENDPOINT';
const MOTO_LOCK = 'MOTO_LOCK_DIR';

export class MotoStartError extends Error {
  override name = 'MotoStartError';
}

type Running = { child: ChildProcess; stateDir: string };
const slot = globalThis as typeof globalThis & { __moto?: Running };

/** Starts the patched moto server: on a free loopback port, or on `port` (npm run moto). */
export async function startMoto(port = 0): Promise<string> {
  const bin = await ensurePythonTools();
  const stateDir = mkdtempSync(join(tmpdir(), 'moto-'));
  const child = spawn(venvBin('python'), [join(__dirname, 'moto_server.py'), String(port)], {
    cwd: stateDir,
    // No __pycache__ beside our launcher in the source tree.
    env: {
      ...process.env,
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      TZ: 'UTC',
      PYTHONDONTWRITEBYTECODE: '1',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const listening = await new Promise<number>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const fail = (why: string) =>
      reject(
        new MotoStartError(`moto did not start: ${why}\n${stderr.trim().split('\n').slice(-15).join('\n')}`),
      );
    const timer = setTimeout(() => fail('no port after 60 s'), 60_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      if (stderr.length < 20_000) stderr += chunk.toString();
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = /^(\d+)\n/.exec(stdout);
      if (line) {
        clearTimeout(timer);
        resolve(Number(line[1]));
      }
    });
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code, signal) => fail(`exited (${signal ?? code})`));
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  // Request logs are not needed once it runs; drain them so the pipe never fills.
  child.stdout!.resume();
  child.stderr!.resume();
  child.removeAllListeners('exit');
  slot.__moto = { child, stateDir };
  const endpoint = `http://127.0.0.1:${listening}`;
  process.env[MOTO_ENDPOINT] = endpoint;
  process.env[MOTO_LOCK] = join(stateDir, 'in-use');
  return endpoint;
}

export async function stopMoto(): Promise<void> {
  const running = slot.__moto;
  if (!running) return;
  slot.__moto = undefined;
  const { child, stateDir } = running;
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  child.stdin!.end(); // the server exits when its stdin closes
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
  rmSync(stateDir, { recursive: true, force: true });
}
