import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { S3Client } from '@aws-sdk/client-s3';
import { CheckpointConflictError, errorName } from './errors';
import type { ExportStatus, LogsApi, ObjectStore } from './types';

/**
 * Thin adapters from the AWS SDK v3 clients to the exporter's ports. The SDK modules are
 * imported lazily so a cold start that has nothing to export never loads them.
 */
export async function sdkLogsApi(client: CloudWatchLogsClient): Promise<LogsApi> {
  const sdk = await import('@aws-sdk/client-cloudwatch-logs');
  return {
    async describeLogGroups({ prefix, nextToken }) {
      const out = await client.send(
        new sdk.DescribeLogGroupsCommand({ logGroupNamePrefix: prefix, nextToken }),
      );
      const items = (out.logGroups ?? []).flatMap((g) =>
        g.logGroupName === undefined
          ? []
          : [{ name: g.logGroupName, creationTime: g.creationTime ?? 0, retentionInDays: g.retentionInDays }],
      );
      return { items, nextToken: out.nextToken };
    },
    async describeExportTasks({ taskId, statusCode, nextToken }) {
      const out = await client.send(
        new sdk.DescribeExportTasksCommand({ taskId, statusCode: statusCode as ExportStatus, nextToken }),
      );
      const items = (out.exportTasks ?? []).map((t) => ({
        taskId: t.taskId ?? '',
        taskName: t.taskName,
        logGroupName: t.logGroupName,
        from: t.from,
        to: t.to,
        destination: t.destination,
        destinationPrefix: t.destinationPrefix,
        status: t.status?.code ?? 'UNKNOWN',
        statusMessage: t.status?.message,
      }));
      return { items, nextToken: out.nextToken };
    },
    async createExportTask(input) {
      const out = await client.send(
        new sdk.CreateExportTaskCommand({
          taskName: input.taskName,
          logGroupName: input.logGroupName,
          from: input.from,
          to: input.to,
          destination: input.destination,
          destinationPrefix: input.destinationPrefix,
          // Absent, not empty, for a whole-group export (the API wants at least one character).
          ...(input.logStreamNamePrefix ? { logStreamNamePrefix: input.logStreamNamePrefix } : {}),
        }),
      );
      if (!out.taskId) throw new Error('CreateExportTask returned no taskId');
      return { taskId: out.taskId };
    },
    async describeLogStreams({ logGroupName, nextToken }) {
      const out = await client.send(
        new sdk.DescribeLogStreamsCommand({
          logGroupName,
          orderBy: 'LastEventTime',
          descending: false,
          nextToken,
        }),
      );
      const items = (out.logStreams ?? []).flatMap((s) =>
        s.logStreamName === undefined
          ? []
          : [
              {
                name: s.logStreamName,
                creationTime: s.creationTime,
                firstEventTimestamp: s.firstEventTimestamp,
                lastEventTimestamp: s.lastEventTimestamp,
                lastIngestionTime: s.lastIngestionTime,
              },
            ],
      );
      return { items, nextToken: out.nextToken };
    },
    async deleteLogStream(input) {
      await client.send(new sdk.DeleteLogStreamCommand(input));
    },
    async putRetentionPolicy(input) {
      await client.send(new sdk.PutRetentionPolicyCommand(input));
    },
  };
}

export async function sdkObjectStore(client: S3Client, bucket: string): Promise<ObjectStore> {
  const sdk = await import('@aws-sdk/client-s3');
  return {
    async get(key) {
      try {
        const out = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
        return { body: (await out.Body?.transformToString('utf8')) ?? '', etag: out.ETag ?? '' };
      } catch (error) {
        if (errorName(error) === 'NoSuchKey' || errorName(error) === 'NotFound') return undefined;
        throw error;
      }
    },
    async put(key, body, condition) {
      try {
        const out = await client.send(
          new sdk.PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: body,
            ContentType: 'application/json',
            ...('ifMatch' in condition
              ? { IfMatch: condition.ifMatch }
              : { IfNoneMatch: condition.ifNoneMatch }),
          }),
        );
        return { etag: out.ETag ?? '' };
      } catch (error) {
        // 412 when the condition failed, 409 when a concurrent conditional write won.
        const name = errorName(error);
        if (name === 'PreconditionFailed' || name === 'ConditionalRequestConflict') {
          throw new CheckpointConflictError(`conditional write of ${key} lost`, { cause: error });
        }
        throw error;
      }
    },
    async list(prefix, maxKeys) {
      const out = await client.send(
        new sdk.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: maxKeys }),
      );
      return (out.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [o.Key]));
    },
  };
}

/** Both ports for one region and bucket; the SDK modules load on first use. */
export async function createAwsPorts(
  region: string,
  bucket: string,
): Promise<{ logs: LogsApi; objects: ObjectStore }> {
  const [{ CloudWatchLogsClient }, { S3Client }] = await Promise.all([
    import('@aws-sdk/client-cloudwatch-logs'),
    import('@aws-sdk/client-s3'),
  ]);
  // Adaptive retries back off on ThrottlingException / SlowDown before the run sees them.
  const options = { region, retryMode: 'adaptive', maxAttempts: 5 };
  return {
    logs: await sdkLogsApi(new CloudWatchLogsClient(options)),
    objects: await sdkObjectStore(new S3Client(options), bucket),
  };
}
