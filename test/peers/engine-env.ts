import { existsSync, readFileSync } from 'node:fs';
import {
  ENGINE_KINDS,
  ENGINES_SKIPPED,
  engineEnvName,
  isHealthy,
  type EngineKind,
} from '../../tools/peers/engines';
import { requireIntegrationProject } from './project';

/** How test files reach the nodes the global setup started (test/peers/global-setup.ts). */

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The node's base URL once its cluster is healthy; fails with the node's own output if it died. */
export async function engineUrl(kind: EngineKind, timeoutMs = 300_000): Promise<string> {
  requireIntegrationProject(`the ${kind} node (engineUrl)`);
  const url = process.env[engineEnvName(kind, 'URL')];
  if (url === undefined)
    throw new Error(
      `${engineEnvName(kind, 'URL')} is not set: is test/peers/global-setup.ts the jest globalSetup?`,
    );
  // Without a PID the node was started outside this run (`npm run engine`).
  const pid = Number(process.env[engineEnvName(kind, 'PID')] ?? process.pid);
  const log = process.env[engineEnvName(kind, 'LOG')] ?? '';
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await isHealthy(url)) return url;
    if (!alive(pid)) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const output = existsSync(log) ? readFileSync(log, 'utf8').slice(-6000) : '(no output)';
  throw new Error(
    `the ${kind} node at ${url} did not become ready (${alive(pid) ? 'timed out' : 'its JVM exited'}):\n${output}`,
  );
}

/** `describe` once per engine, or skipped with the reason when engines are opted out. */
export function describeEachEngine(name: string, body: (kind: EngineKind) => void): void {
  requireIntegrationProject('the engines (describeEachEngine)');
  for (const kind of ENGINE_KINDS) {
    (ENGINES_SKIPPED ? describe.skip : describe)(`${name} (${kind})`, () => body(kind));
  }
}
