import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

/**
 * `npm run moto` (docs/deploy.md, "Deploying to moto"): the tests' patched moto server for a
 * reader's own deploy. It prints the endpoint first, answers the AWS APIs there, and Ctrl-C ends
 * it with its Python server (nothing left listening).
 */
const root = join(__dirname, '..', '..');

it('starts the patched moto server, prints its endpoint and stops on Ctrl-C', async () => {
  const child = spawn(
    process.execPath,
    [join(root, 'node_modules/tsx/dist/cli.mjs'), 'tools/moto.ts', '--port', '0'],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const first = /^(http:\/\/127\.0\.0\.1:\d+)\n/.exec(stdout);
      if (first) resolve(first[1]!);
    });
    child.once('exit', (code) => reject(new Error(`npm run moto exited ${code}: ${stderr}`)));
  });
  const s3 = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  try {
    expect((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).toEqual([]);
  } finally {
    s3.destroy();
  }
  expect(stdout).toContain(`AWS_ENDPOINT_URL=${endpoint}`);
  child.kill('SIGINT');
  const [code] = await once(child, 'exit');
  expect(code).toBe(0);
  await expect(fetch(`${endpoint}/moto-api/reset`, { method: 'POST' })).rejects.toThrow();
});
