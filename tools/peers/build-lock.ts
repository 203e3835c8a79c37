import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A lock between processes: a directory holding the holder's pid. A lock whose holder died
 * (killed test run) is taken over.
 */
export async function withDirLock<T>(lockDir: string, work: () => Promise<T> | T): Promise<T> {
  const pidFile = join(lockDir, 'pid');
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(pidFile, String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (holderDied(pidFile)) rmSync(lockDir, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/** Only a readable pid of a process that no longer exists is stale (a new holder may not have written it yet). */
function holderDied(pidFile: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8'));
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * `sls package` builds in the project's .esbuild directory (serverless-esbuild), so two test
 * files packaging at once in parallel jest workers would delete each other's bundles. They
 * take this lock, one per project directory.
 */
const root = join(__dirname, '..', '..');
const buildLock = join(
  tmpdir(),
  `logpipe-build-${createHash('sha256').update(root).digest('hex').slice(0, 12)}`,
);

export function withBuildLock<T>(work: () => Promise<T> | T): Promise<T> {
  return withDirLock(buildLock, work);
}
