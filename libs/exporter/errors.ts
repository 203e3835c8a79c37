import { AppError } from '../runtime/errors';

/** A conditional write lost against another run; the caller re-reads on its next run. */
export class CheckpointConflictError extends AppError {}

/** A checkpoint object exists but is not ours or not readable; never overwrite it blindly. */
export class CheckpointCorruptError extends AppError {}

/** CreateExportTask was refused because the bucket does not let the logs service write. */
export class BucketPolicyError extends AppError {}

/** A run ended with a fault an operator must see (sent to the on-failure queue). */
export class ExportRunError extends AppError {}

export function errorName(error: unknown): string {
  if (error && typeof error === 'object' && 'name' in error) return String((error as { name: unknown }).name);
  return typeof error;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Names the SDK uses for throttling across CloudWatch Logs and S3. */
export function isThrottling(error: unknown): boolean {
  const name = errorName(error);
  return name === 'ThrottlingException' || name === 'TooManyRequestsException' || name === 'SlowDown';
}

/**
 * CreateExportTask reports a bucket it may not write to as InvalidParameterException
 * ("GetBucketAcl call on the given bucket failed..."), a missing bucket likewise.
 */
export function isBucketAccessProblem(error: unknown): boolean {
  if (errorName(error) !== 'InvalidParameterException') return false;
  return /bucket|GetBucketAcl|PutObject|permission|access/i.test(errorMessage(error));
}
