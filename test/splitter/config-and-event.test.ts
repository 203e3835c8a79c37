import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { ConfigError } from '../../libs/runtime/errors';
import { archiveKey, archiveLine } from '../../libs/splitter/archive';
import { loadSplitterConfig } from '../../libs/splitter/config';
import { decodeEventKey, objectsOf, S3EventError } from '../../libs/splitter/s3-event';
import { fixture as loadFixture } from '../support/fixtures';
import { lambdaContext } from '../support/lambda';

const fixture = loadFixture<S3Event>('splitter', 's3-put.json');

describe('S3 event keys', () => {
  it('decodes form-URL-encoded keys: + is a space, %2B is a plus', () => {
    expect(decodeEventKey('a+b%2Bc/d%3De%20f')).toBe('a b+c/d=e f');
    expect(objectsOf(fixture)).toEqual([
      {
        bucket: 'logpipe-raw-logs-dev',
        key: 'firehose/2024/11/20/17/logpipe logs+dev-1-2024-11-20-17-05-01-3f1c2b7e-5a7d-4a47-9a51-0c2f1d7c9e10',
        size: 1024,
      },
    ]);
  });

  it('ignores events other than ObjectCreated and refuses malformed ones', () => {
    const removed = structuredClone(fixture);
    removed.Records[0]!.eventName = 'ObjectRemoved:Delete';
    expect(objectsOf(removed)).toEqual([]);
    expect(() => objectsOf({} as S3Event)).toThrow(S3EventError);
    expect(() => decodeEventKey('bad%zzkey')).toThrow(/not valid URL encoding/);
  });
});

describe('splitter configuration', () => {
  it('has defaults and no archive unless ARCHIVE_BUCKET is set', () => {
    expect(loadSplitterConfig({})).toEqual({
      maxRecordBytes: 16 * 1024 * 1024,
      drainMs: 12000,
      rawBucket: undefined,
      rawPrefix: '',
      archive: undefined,
    });
    expect(loadSplitterConfig({ ARCHIVE_BUCKET: 'arch', ARCHIVE_PREFIX: '/logs/archive/' }).archive).toEqual({
      bucket: 'arch',
      prefix: 'logs/archive',
    });
  });

  it('refuses an archive under the triggering prefix (recursion), naming the variable', () => {
    const raw = { RAW_LOGS_BUCKET: 'raw', RAW_LOGS_PREFIX: 'firehose/' };
    expect(() =>
      loadSplitterConfig({ ...raw, ARCHIVE_BUCKET: 'raw', ARCHIVE_PREFIX: 'firehose/archive' }),
    ).toThrow(/ARCHIVE_PREFIX: .* would trigger the splitter again/);
    expect(() => loadSplitterConfig({ RAW_LOGS_BUCKET: 'raw', ARCHIVE_BUCKET: 'raw' })).toThrow(ConfigError);
    expect(
      loadSplitterConfig({ ...raw, ARCHIVE_BUCKET: 'raw', ARCHIVE_PREFIX: 'archive' }).archive?.prefix,
    ).toBe('archive');
    expect(
      loadSplitterConfig({ ...raw, ARCHIVE_BUCKET: 'other', ARCHIVE_PREFIX: 'firehose' }).archive,
    ).toBeDefined();
  });

  it('validates numbers', () => {
    expect(() => loadSplitterConfig({ SPLIT_MAX_RECORD_BYTES: '10' })).toThrow(
      /SPLIT_MAX_RECORD_BYTES: must be >= 1024/,
    );
    expect(() => loadSplitterConfig({ SPLIT_DRAIN_MS: '-1' })).toThrow(/SPLIT_DRAIN_MS: must be >= 0/);
    expect(loadSplitterConfig({ SPLIT_DRAIN_MS: '0' }).drainMs).toBe(0);
  });

  it('refuses the old SPLIT_TIME_RESERVE_MS, saying what replaced it', () => {
    expect(() => loadSplitterConfig({ SPLIT_TIME_RESERVE_MS: '15000' })).toThrow(
      /SPLIT_TIME_RESERVE_MS: is replaced by SPLIT_DRAIN_MS/,
    );
  });
});

describe('archive naming', () => {
  it('partitions by encoded log group and day, named after the source object', () => {
    expect(
      archiveKey('archive', '/aws/lambda/orders', '2024-11-20', 'firehose/2024/11/20/17/logs-1-x.gz'),
    ).toBe('archive/log_group=%2Faws%2Flambda%2Forders/dt=2024-11-20/logs-1-x.ndjson.gz');
    const line = archiveLine(
      { owner: '1', logGroup: 'g', logStream: 's' },
      { id: '9', timestamp: 5, message: 'a }{ b\n' },
    );
    expect(JSON.parse(line)).toEqual({
      owner: '1',
      logGroup: 'g',
      logStream: 's',
      id: '9',
      timestamp: 5,
      message: 'a }{ b\n',
    });
    expect(line.endsWith('\n')).toBe(true);
  });
});

describe('handler', () => {
  const s3 = mockClient(S3Client);
  afterEach(() => s3.reset());

  it('reads the configuration at load and skips an object that no longer exists', async () => {
    s3.on(GetObjectCommand).rejects(
      new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }),
    );
    const { handler } = await import('../../functions/splitter/handler');
    const context = lambdaContext({ remainingMs: 60000, awsRequestId: 'r' });
    await expect(handler(fixture, context)).resolves.toBeUndefined();
    expect(s3.commandCalls(GetObjectCommand)[0]!.args[0].input).toEqual({
      Bucket: 'logpipe-raw-logs-dev',
      Key: 'firehose/2024/11/20/17/logpipe logs+dev-1-2024-11-20-17-05-01-3f1c2b7e-5a7d-4a47-9a51-0c2f1d7c9e10',
    });
  });

  it('fails the invocation when the object cannot be read for another reason, logging bucket and key', async () => {
    const lines: string[] = [];
    const stderr = jest
      .spyOn(process.stderr, 'write')
      .mockImplementation((line) => lines.push(String(line)) > 0);
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    const { handler } = await import('../../functions/splitter/handler');
    const context = lambdaContext({ remainingMs: 60000, awsRequestId: 'r' });
    try {
      await expect(handler(fixture, context)).rejects.toThrow('Access Denied');
    } finally {
      stderr.mockRestore();
    }
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged).toContainEqual(
      expect.objectContaining({
        level: 'error',
        msg: 'object could not be read',
        bucket: 'logpipe-raw-logs-dev',
        error: { name: 'AccessDenied', message: 'Access Denied' },
      }),
    );
  });
});
