import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { lambdaHeapFlags } from '../../bench/support/measure';
import { BulkServer } from '../support/bulk-server';
import { documentId, fluentBitLine, kinesisEvent, sequenceNumber } from '../support/kinesis';

const MiB = 1024 * 1024;
const LAMBDA_MEMORY_MB = 256;

/**
 * A record of a few hundred KB of gzip that inflates to 100 MiB: 100 gzip members of 1 MiB of
 * Fluent Bit lines each (Node's gunzip, like zcat, decodes every member). Built member by
 * member so that this process never holds the 100 MiB either.
 */
function recordInflatingTo100MiB(): Buffer {
  const line = fluentBitLine({ log: 'x'.repeat(200) });
  const member = gzipSync(line.repeat(Math.ceil(MiB / line.length)).slice(0, MiB), { level: 9 });
  return Buffer.concat(Array.from({ length: 100 }, () => member));
}

function runChild(mode: 'handler' | 'lines', eventFile: string, env: Record<string, string>) {
  const tsx = require.resolve('tsx/cjs');
  const child = spawn(
    process.execPath,
    [
      ...lambdaHeapFlags(LAMBDA_MEMORY_MB),
      '--require',
      tsx,
      join(__dirname, 'oversized-record.child.ts'),
      mode,
      eventFile,
    ],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
}

describe('a Kinesis record inflating to 100 MiB, with Lambda 256 MB heap flags', () => {
  let server: BulkServer;
  let dir: string;
  beforeAll(async () => {
    server = await new BulkServer().start();
    dir = mkdtempSync(join(tmpdir(), 'logpipe-oversized-'));
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is one failed item naming the limit; the other records are delivered; RSS stays under 256 MB', async () => {
    const bomb = recordInflatingTo100MiB();
    expect(bomb.length).toBeLessThan(MiB); // what a Kinesis record holds
    const event = kinesisEvent([
      fluentBitLine({ log: 'before' }),
      bomb,
      gzipSync(fluentBitLine({ log: 'after, compressed' })),
    ]);
    const eventFile = join(dir, 'event.json');
    writeFileSync(eventFile, JSON.stringify(event));

    const run = await runChild('handler', eventFile, {
      DESTINATION_URL: server.url,
      DESTINATION_GZIP: 'false',
      LOG_LEVEL: 'warn',
      AWS_REGION: 'ap-northeast-2',
    });
    expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr.slice(-2000) }).toEqual({
      code: 0,
      stderr: '',
    });
    const { answer, maxRssMb } = JSON.parse(run.stdout) as {
      answer: { batchItemFailures: Array<{ itemIdentifier: string }> };
      maxRssMb: number;
    };
    expect(answer.batchItemFailures).toEqual([{ itemIdentifier: sequenceNumber(1) }]);
    expect([...server.documents.keys()].sort()).toEqual([documentId(0), documentId(2)].sort());
    // The poison record's reason names the limit (logged with its position, never its data).
    const poison = run.stderr
      .split('\n')
      .filter((line) => line.includes('poison record'))
      .map((line) => JSON.parse(line) as { sequence_number: string; reason: string });
    expect(poison).toEqual([
      expect.objectContaining({
        sequence_number: sequenceNumber(1),
        reason: expect.stringMatching(/inflates past the limit of 16777216 bytes \(16 MiB\)/),
      }),
    ]);
    expect(maxRssMb).toBeLessThan(LAMBDA_MEMORY_MB);
  });

  it('a record just under the limit of one-character lines (8 million) is read line by line, not held whole', async () => {
    const eventFile = join(dir, 'lines.json');
    writeFileSync(eventFile, JSON.stringify(kinesisEvent([gzipSync('a\n'.repeat(8_000_000))])));
    const run = await runChild('lines', eventFile, { LOG_LEVEL: 'warn' });
    expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr.slice(-2000) }).toEqual({
      code: 0,
      stderr: '',
    });
    const { lines, maxRssMb } = JSON.parse(run.stdout) as { lines: number; maxRssMb: number };
    expect(lines).toBe(8_000_000);
    // All at once, the lines' objects alone were past 256 MB (the process was killed).
    expect(maxRssMb).toBeLessThan(LAMBDA_MEMORY_MB);
  });
});
