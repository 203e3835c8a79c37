import { S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// s3rver ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require('s3rver') as new (options: Record<string, unknown>) => {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
};

/** A real S3 API (s3rver) on loopback with its own temporary directory, and a client for it. */
export class LocalS3 {
  client!: S3Client;
  endpoint = '';
  private server: InstanceType<typeof S3rver> | undefined;
  private directory = '';

  constructor(private readonly buckets: string[]) {}

  async start(): Promise<this> {
    this.directory = mkdtempSync(join(tmpdir(), 's3rver-'));
    this.server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: this.directory,
      configureBuckets: this.buckets.map((name) => ({ name })),
    });
    const address = await this.server.run();
    this.endpoint = `http://127.0.0.1:${address.port}`;
    this.client = new S3Client({
      endpoint: this.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    return this;
  }

  async stop(): Promise<void> {
    this.client?.destroy();
    await this.server?.close();
    rmSync(this.directory, { recursive: true, force: true });
  }
}
