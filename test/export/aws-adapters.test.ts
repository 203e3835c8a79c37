import {
  CloudWatchLogsClient,
  CreateExportTaskCommand,
  DescribeExportTasksCommand,
  DescribeLogStreamsCommand,
  LimitExceededException,
} from '@aws-sdk/client-cloudwatch-logs';
import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { sdkLogsApi, sdkObjectStore } from '../../libs/exporter/aws';
import { CheckpointConflictError } from '../../libs/exporter/errors';

const logsMock = mockClient(CloudWatchLogsClient);
const s3Mock = mockClient(S3Client);

beforeEach(() => {
  logsMock.reset();
  s3Mock.reset();
});

describe('CloudWatch Logs adapter', () => {
  it('maps export tasks and keeps the SDK error names', async () => {
    logsMock.on(DescribeExportTasksCommand).resolves({
      exportTasks: [
        { taskId: 't1', taskName: 'logpipe-export-x', from: 1, to: 2, status: { code: 'RUNNING' } },
      ],
      nextToken: 'n',
    });
    logsMock
      .on(CreateExportTaskCommand)
      .rejects(new LimitExceededException({ message: 'Resource limit exceeded.', $metadata: {} }));
    const logs = await sdkLogsApi(new CloudWatchLogsClient({ region: 'ap-northeast-2' }));
    expect(await logs.describeExportTasks({ statusCode: 'RUNNING' })).toEqual({
      items: [
        expect.objectContaining({
          taskId: 't1',
          taskName: 'logpipe-export-x',
          from: 1,
          to: 2,
          status: 'RUNNING',
        }),
      ],
      nextToken: 'n',
    });
    await expect(
      logs.createExportTask({
        taskName: 'x',
        logGroupName: '/a',
        from: 1,
        to: 2,
        destination: 'b',
        destinationPrefix: 'p',
      }),
    ).rejects.toMatchObject({ name: 'LimitExceededException' });
  });

  it('sends a follow-up export restricted to a stream name prefix, and none for a whole window', async () => {
    logsMock.on(CreateExportTaskCommand).resolves({ taskId: 't2' });
    const logs = await sdkLogsApi(new CloudWatchLogsClient({ region: 'ap-northeast-2' }));
    const task = {
      taskName: 'x',
      logGroupName: '/a',
      from: 1,
      to: 2,
      destination: 'b',
      destinationPrefix: 'p',
    };
    expect(await logs.createExportTask({ ...task, logStreamNamePrefix: '2026/01/01/[$LATEST]' })).toEqual({
      taskId: 't2',
    });
    await logs.createExportTask(task);
    const inputs = logsMock.commandCalls(CreateExportTaskCommand).map((c) => c.args[0].input);
    expect(inputs[0]).toEqual({ ...task, logStreamNamePrefix: '2026/01/01/[$LATEST]' });
    expect(inputs[1]).toEqual(task);
  });

  it('lists streams oldest last event first, so pruning can stop early', async () => {
    logsMock
      .on(DescribeLogStreamsCommand)
      .resolves({ logStreams: [{ logStreamName: 's', lastEventTimestamp: 5 }] });
    const logs = await sdkLogsApi(new CloudWatchLogsClient({ region: 'ap-northeast-2' }));
    const page = await logs.describeLogStreams({ logGroupName: '/a' });
    expect(page.items[0]).toMatchObject({ name: 's', lastEventTimestamp: 5 });
    expect(logsMock.commandCalls(DescribeLogStreamsCommand)[0]!.args[0].input).toMatchObject({
      orderBy: 'LastEventTime',
      descending: false,
    });
  });
});

describe('S3 adapter', () => {
  it('sends If-None-Match / If-Match and turns 412 into a checkpoint conflict', async () => {
    s3Mock
      .on(PutObjectCommand)
      .resolvesOnce({ ETag: '"1"' })
      .rejects(
        new S3ServiceException({
          name: 'PreconditionFailed',
          $fault: 'client',
          $metadata: { httpStatusCode: 412 },
        }),
      );
    const objects = await sdkObjectStore(new S3Client({ region: 'ap-northeast-2' }), 'bucket');
    expect(await objects.put('k', '{}', { ifNoneMatch: '*' })).toEqual({ etag: '"1"' });
    await expect(objects.put('k', '{}', { ifMatch: '"0"' })).rejects.toBeInstanceOf(CheckpointConflictError);
    const calls = s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(calls[0]).toMatchObject({ Bucket: 'bucket', Key: 'k', IfNoneMatch: '*' });
    expect(calls[1]).toMatchObject({ IfMatch: '"0"' });
  });

  it('reads a missing key as no checkpoint', async () => {
    s3Mock
      .on(GetObjectCommand)
      .rejects(
        new S3ServiceException({ name: 'NoSuchKey', $fault: 'client', $metadata: { httpStatusCode: 404 } }),
      );
    const objects = await sdkObjectStore(new S3Client({ region: 'ap-northeast-2' }), 'bucket');
    expect(await objects.get('k')).toBeUndefined();
  });
});
