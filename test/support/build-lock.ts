import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `sls package` builds in the project's .esbuild directory (serverless-esbuild), so two test
 * files packaging at once in parallel jest workers would delete each other's bundles. They
 * take this lock, one per project directory; a lock left by a dead process is taken over.
 */
const root = join(__dirname, '..', '..');
const lockDir = join(
  tmpdir(),
  `logpipe-build-${createHash('sha256').update(root).digest('hex').slice(0, 12)}`,
);

function holderAlive(): boolean {
  try {
    process.kill(Number(readFileSync(join(lockDir, 'pid'), 'utf8')), 0);
    return true;
  } catch {
    return false;
  }
}

export async function withBuildLock<T>(work: () => Promise<T> | T): Promise<T> {
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A holder that has not written its pid yet is alive: only a readable, dead pid is stale.
      let stale = false;
      try {
        stale = !holderAlive() && readFileSync(join(lockDir, 'pid'), 'utf8') !== '';
      } catch {
        stale = false;
      }
      if (stale) rmSync(lockDir, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}
