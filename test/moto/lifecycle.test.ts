import { spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * The moto server must not outlive the test run, even when jest is killed outright (SIGKILL
 * runs no teardown). A child node process starts moto exactly as the global setup does and is
 * then killed: its moto must stop answering.
 */
const moto = join(__dirname, '..', '..', 'tools', 'peers', 'moto');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function answers(endpoint: string): Promise<boolean> {
  try {
    return (await fetch(`${endpoint}/moto-api/data.json`)).ok;
  } catch {
    return false;
  }
}

describe('moto server lifecycle', () => {
  it('ends with the process that started it, even when that process is SIGKILLed', async () => {
    const holder = spawn(
      process.execPath,
      [
        '-r',
        'tsx/cjs',
        '-e',
        `require(${JSON.stringify(moto)}).startMoto().then((e) => { console.log(e); setInterval(() => {}, 1000); })`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const endpoint = await new Promise<string>((resolve, reject) => {
      let out = '';
      holder.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const line = /^(http:\/\/127\.0\.0\.1:\d+)\n/m.exec(out);
        if (line) resolve(line[1]!);
      });
      holder.once('exit', (code) => reject(new Error(`holder exited (${code}) before moto started`)));
    });
    expect(await answers(endpoint)).toBe(true);

    holder.kill('SIGKILL');
    let alive = true;
    for (let i = 0; i < 100 && alive; i++) {
      await sleep(100);
      alive = await answers(endpoint);
    }
    expect(alive).toBe(false);
  });
});
