import { CheckpointConflictError } from '../../../libs/exporter/errors';
import type { ObjectStore, PutCondition } from '../../../libs/exporter/types';

/**
 * An S3 bucket in memory that enforces conditional writes the way S3 does since 2024
 * (If-None-Match: * fails when the key exists, If-Match fails when the ETag differs).
 * s3rver 3.7 ignores both headers, so checkpoint tests run against this model instead.
 */
export class ObjectStoreModel implements ObjectStore {
  readonly objects = new Map<string, { body: string; etag: string }>();
  private version = 0;

  async get(key: string): Promise<{ body: string; etag: string } | undefined> {
    const found = this.objects.get(key);
    return found ? { ...found } : undefined;
  }

  async put(key: string, body: string, condition: PutCondition): Promise<{ etag: string }> {
    const existing = this.objects.get(key);
    if ('ifNoneMatch' in condition && existing) throw new CheckpointConflictError(`412 on ${key}: exists`);
    if ('ifMatch' in condition && existing?.etag !== condition.ifMatch) {
      throw new CheckpointConflictError(`412 on ${key}: etag differs`);
    }
    return { etag: this.write(key, body) };
  }

  async list(prefix: string, maxKeys: number): Promise<string[]> {
    return [...this.objects.keys()]
      .filter((key) => key.startsWith(prefix))
      .sort()
      .slice(0, maxKeys);
  }

  /** Unconditional write, as the logs service does for export objects. */
  write(key: string, body: string): string {
    const etag = `"${++this.version}"`;
    this.objects.set(key, { body, etag });
    return etag;
  }
}
