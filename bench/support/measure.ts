import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** Runs `fn` repeatedly for at least `minMs` after a warm-up and returns the best rate (items per second). */
export async function rate(items: number, fn: () => Promise<unknown> | unknown, rounds = 5): Promise<number> {
  await fn(); // warm-up: JIT, connection pools
  let best = 0;
  for (let i = 0; i < rounds; i++) {
    const start = process.hrtime.bigint();
    await fn();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    best = Math.max(best, items / seconds);
  }
  return best;
}

/**
 * Rates (items per second) of several variants measured in alternation, best round of each:
 * alternating spreads the machine's background noise over all variants alike.
 */
export async function compare<K extends string>(
  items: number,
  variants: Record<K, () => Promise<unknown> | unknown>,
  rounds = 7,
): Promise<Record<K, number>> {
  const best = {} as Record<K, number>;
  for (const [name, fn] of Object.entries(variants) as Array<[K, () => unknown]>) {
    await fn();
    best[name] = 0;
  }
  for (let i = 0; i < rounds; i++) {
    for (const [name, fn] of Object.entries(variants) as Array<[K, () => unknown]>) {
      const start = process.hrtime.bigint();
      await fn();
      best[name] = Math.max(best[name], items / (Number(process.hrtime.bigint() - start) / 1e9));
    }
  }
  return best;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Starts the loopback _bulk sink in its own process. */
export async function startSink(): Promise<{ url: string; stop: () => void }> {
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, 'bulk-sink.js')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<string>((resolve) =>
    child.stdout!.once('data', (data: Buffer) => resolve(data.toString().trim())),
  );
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

/**
 * Cold import of a bundle above a bare Node start: the median over `runs` of
 * (time to start node and require the bundle) - (time to start node with nothing).
 */
export function coldImportMs(bundle: string, runs = 15, env: NodeJS.ProcessEnv = process.env): number {
  const time = (args: string[]) => {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    if (result.status !== 0)
      throw new Error(`node ${args.join(' ')} failed: ${result.stderr.toString().slice(0, 300)}`);
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  const differences: number[] = [];
  for (let i = 0; i < runs; i++) {
    const bare = time(['-e', '']);
    const loaded = time(['-e', `require(${JSON.stringify(bundle)})`]);
    differences.push(loaded - bare);
  }
  return median(differences);
}

/**
 * The V8 heap sizes that Lambda's Node.js runtime gives a function of `memoryMb`: its bootstrap
 * passes a tenth of the memory as the young generation (two semi-spaces) and the rest as the old
 * one on node's command line (as in the runtime images' bootstrap script; not checked on
 * nodejs24.x itself). Without them V8 sizes its heap from this machine's memory (Node 24's
 * young generation alone then adds about 120 MB to the splitter's peak RSS).
 */
export function lambdaHeapFlags(memoryMb: number): string[] {
  const youngMb = Math.floor(memoryMb / 10);
  return [`--max-semi-space-size=${Math.floor(youngMb / 2)}`, `--max-old-space-size=${memoryMb - youngMb}`];
}
