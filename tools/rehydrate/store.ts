import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

/** One stored object as a listing gives it. */
export interface StoredObject {
  key: string;
  size: number;
  lastModified?: Date;
}

/** The source buckets, as a rehydration reads them (S3; moto's S3 in the tests). */
export interface SourceStore {
  /** Objects and sub-directories right under `prefix` (a listing by "/"). */
  listDirectory(prefix: string): Promise<{ directories: string[]; objects: StoredObject[] }>;
  /** Every object under `prefix`, in key order. */
  listAll(prefix: string): Promise<StoredObject[]>;
  /** The object's bytes, streaming. */
  read(key: string): Promise<AsyncIterable<Uint8Array>>;
}

async function list(
  client: S3Client,
  bucket: string,
  prefix: string,
  delimiter: string | undefined,
): Promise<{ directories: string[]; objects: StoredObject[] }> {
  const directories: string[] = [];
  const objects: StoredObject[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        Delimiter: delimiter,
        ContinuationToken: token,
      }),
    );
    for (const common of page.CommonPrefixes ?? []) if (common.Prefix) directories.push(common.Prefix);
    for (const item of page.Contents ?? [])
      if (item.Key) objects.push({ key: item.Key, size: item.Size ?? 0, lastModified: item.LastModified });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
  directories.sort();
  objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { directories, objects };
}

export function s3SourceStore(client: S3Client, bucket: string): SourceStore {
  return {
    listDirectory: (prefix) => list(client, bucket, prefix, '/'),
    listAll: async (prefix) => (await list(client, bucket, prefix, undefined)).objects,
    async read(key) {
      const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return object.Body as AsyncIterable<Uint8Array>;
    },
  };
}
