import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

/** s3rver on loopback (random port, temporary directory) and a real SDK client for it. */
export class LocalS3 {
  client!: S3Client;
  endpoint = '';
  private server?: S3rver;
  private directory = '';

  constructor(private readonly buckets: string[]) {}

  async start(): Promise<this> {
    this.directory = await mkdtemp(join(tmpdir(), 's3rver-'));
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
      region: 'ap-northeast-2',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      // s3rver predates flexible checksums (aws-chunked uploads); only send them when required.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    return this;
  }

  /**
   * The environment that points a function's own SDK clients (created from process.env at cold
   * start) at this server, as the engine suites run the handlers.
   */
  get clientEnv(): Record<string, string> {
    return {
      AWS_REGION: 'ap-northeast-2',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_ENDPOINT_URL_S3: this.endpoint,
      AWS_REQUEST_CHECKSUM_CALCULATION: 'WHEN_REQUIRED',
      AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_REQUIRED',
    };
  }

  async stop(): Promise<void> {
    this.client?.destroy();
    await this.server?.close();
    await rm(this.directory, { recursive: true, force: true });
  }

  async put(bucket: string, key: string, body: Buffer): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  }

  async get(bucket: string, key: string): Promise<Buffer> {
    const object = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await object.Body!.transformToByteArray());
  }

  async keys(bucket: string, prefix = ''): Promise<string[]> {
    const listed = await this.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    return (listed.Contents ?? []).map((item) => item.Key!).sort();
  }
}
