import { median } from './measure';

/** One variant's median round: wall and CPU time of this process (user + system, every thread). */
export interface CpuRound {
  wallMs: number;
  /** CPU time of this process: the JS thread, V8's GC and compiler threads, libuv's pool. */
  cpuMs: number;
  /** Its system part (median on its own): the kernel's work for this process, sockets mostly. */
  systemMs: number;
}

/**
 * Runs the variants in alternation for `rounds` rounds after warm-up rounds and returns each
 * variant's median wall time and median CPU time (taken separately) per call of `fn`. CPU time
 * counts what this process spent, whatever else the machine runs: on a loaded machine it moves
 * far less than wall time (which also counts waiting for a core), though cache and frequency
 * effects remain. A sink in another process is not counted.
 *
 * Each round of a variant first runs it once untimed, then `repeat` times timed: the untimed run
 * absorbs the young-generation garbage the variant before it left, which otherwise decides
 * the ratios by the order of the variants (measured: 1.3-1.7x swings on the same code). Forcing
 * a full collection between rounds instead made V8 shrink its young generation each time, and
 * the next round then paid for many more scavenges than a running Lambda does (2-3x the
 * documents' cost).
 */
export async function compareCpu<K extends string>(
  variants: Record<K, () => Promise<unknown> | unknown>,
  rounds: number,
  { warmups = 3, repeat = 3 }: { warmups?: number; repeat?: number } = {},
): Promise<Record<K, CpuRound>> {
  const entries = Object.entries(variants) as Array<[K, () => unknown]>;
  const samples = Object.fromEntries(
    entries.map(([name]) => [name, { wall: [] as number[], cpu: [] as number[], system: [] as number[] }]),
  );
  for (let i = 0; i < warmups; i++) for (const [, fn] of entries) await fn();
  for (let i = 0; i < rounds; i++) {
    for (const [name, fn] of entries) {
      await fn();
      const cpu = process.cpuUsage();
      const start = process.hrtime.bigint();
      for (let r = 0; r < repeat; r++) await fn();
      const wallMs = Number(process.hrtime.bigint() - start) / 1e6 / repeat;
      const used = process.cpuUsage(cpu);
      samples[name]!.wall.push(wallMs);
      samples[name]!.cpu.push((used.user + used.system) / 1000 / repeat);
      samples[name]!.system.push(used.system / 1000 / repeat);
    }
  }
  const result = {} as Record<K, CpuRound>;
  for (const [name] of entries)
    result[name] = {
      wallMs: median(samples[name]!.wall),
      cpuMs: median(samples[name]!.cpu),
      systemMs: median(samples[name]!.system),
    };
  return result;
}
