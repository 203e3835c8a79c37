import type { S3Event } from 'aws-lambda';
import { AppError } from '../runtime/errors';

export class S3EventError extends AppError {}

/** One object named by an S3 event notification, its key decoded. */
export interface ObjectRef {
  bucket: string;
  key: string;
  /** Size in bytes, when the event says. */
  size?: number;
}

/**
 * Keys in S3 event notifications are form-URL-encoded: a space arrives as `+`, a `+` as `%2B`.
 * Decode before GetObject, or objects with such names are never found.
 */
export function decodeEventKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch (cause) {
    throw new S3EventError(`object key is not valid URL encoding: ${JSON.stringify(encoded.slice(0, 200))}`, {
      cause,
    });
  }
}

/** The objects created according to an S3 event (other event types are ignored). */
export function objectsOf(event: S3Event): ObjectRef[] {
  if (!Array.isArray(event?.Records)) throw new S3EventError('expected an S3 event with Records[]');
  const objects: ObjectRef[] = [];
  for (const record of event.Records) {
    if (record?.s3?.bucket?.name === undefined || typeof record.s3.object?.key !== 'string') {
      throw new S3EventError('S3 event record without s3.bucket.name or s3.object.key');
    }
    if (typeof record.eventName === 'string' && !record.eventName.startsWith('ObjectCreated:')) continue;
    const size = record.s3.object.size;
    objects.push({
      bucket: record.s3.bucket.name,
      key: decodeEventKey(record.s3.object.key),
      size: typeof size === 'number' ? size : undefined,
    });
  }
  return objects;
}
