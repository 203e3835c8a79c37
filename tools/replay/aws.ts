import type { GetFunctionConfigurationCommandOutput } from '@aws-sdk/client-lambda';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Env } from '../../libs/runtime/env';
import { ReplayError, type ObjectStore } from './replay';

/** The dead-letter bucket through S3 (tools/replay.ts; s3rver in the tests). */
export function s3ObjectStore(client: S3Client, bucket: string): ObjectStore {
  return {
    async list(prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const item of page.Contents ?? []) if (item.Key) keys.push(item.Key);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return keys.sort();
    },
    async get(key) {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from(await object.Body!.transformToByteArray());
    },
    async put(key, body) {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: 'application/x-ndjson',
          ContentEncoding: 'gzip',
        }),
      );
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
  };
}

/** Reads a deployed function's configuration (Lambda GetFunctionConfiguration). */
export type FunctionConfigReader = (
  functionName: string,
  region: string,
) => Promise<GetFunctionConfigurationCommandOutput>;

/** The variables the replay takes from the deployed forwarder: its destination and dead-letter bucket. */
const DEPLOYED_VARIABLES = [
  'DESTINATION_KIND',
  'DESTINATION_URL',
  'DESTINATION_AUTH',
  'DESTINATION_CREDENTIALS',
  'DESTINATION_SIGV4_SERVICE',
  'DESTINATION_REGION',
  'DESTINATION_GZIP',
  'DEAD_LETTER_BUCKET',
] as const;

/**
 * The stage's destination and dead-letter bucket as deployed: the environment of
 * `<service>-<stage>-forwarder`, which the stack set from the stage's params. So the replay
 * writes exactly where, and with the credentials with which, the forwarder writes.
 */
export async function deployedForwarderEnv(
  read: FunctionConfigReader,
  functionName: string,
  region: string,
): Promise<Env> {
  let config: GetFunctionConfigurationCommandOutput;
  try {
    config = await read(functionName, region);
  } catch (cause) {
    throw new ReplayError(
      `cannot read the deployed ${functionName} (is the stage deployed in ${region}?): ${(cause as Error).message}`,
      { cause },
    );
  }
  const variables = config.Environment?.Variables ?? {};
  const env: Env = { AWS_REGION: region };
  for (const name of DEPLOYED_VARIABLES) if (variables[name]) env[name] = variables[name];
  return env;
}
