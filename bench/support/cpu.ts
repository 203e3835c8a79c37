import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
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
 * Runs the variants in alternation for `rounds` rounds after one warm-up round each and returns
 * each variant's median wall time and median CPU time (taken separately). CPU time counts what
 * this process spent, whatever else the machine runs: on a loaded machine it moves far less than
 * wall time (which also counts waiting for a core), though cache and frequency effects remain.
 * A sink in another process is not counted. Each round starts after a full garbage collection
 * (not timed): otherwise a round pays for the garbage the variant before it left, and the order
 * of the variants decides the ratios (measured: 1.3-1.7x swings on the same code).
 */
export async function compareCpu<K extends string>(
  variants: Record<K, () => Promise<unknown> | unknown>,
  rounds: number,
  warmups = 3,
): Promise<Record<K, CpuRound>> {
  const entries = Object.entries(variants) as Array<[K, () => unknown]>;
  const samples = Object.fromEntries(
    entries.map(([name]) => [name, { wall: [] as number[], cpu: [] as number[], system: [] as number[] }]),
  );
  for (let i = 0; i < warmups; i++) for (const [, fn] of entries) await fn();
  const collect = fullGc();
  for (let i = 0; i < rounds; i++) {
    for (const [name, fn] of entries) {
      collect();
      const cpu = process.cpuUsage();
      const start = process.hrtime.bigint();
      await fn();
      const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
      const used = process.cpuUsage(cpu);
      samples[name]!.wall.push(wallMs);
      samples[name]!.cpu.push((used.user + used.system) / 1000);
      samples[name]!.system.push(used.system / 1000);
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

/** A full garbage collection on demand, without starting node with --expose-gc. */
function fullGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
