import { AppError } from '../runtime/errors';

/**
 * The decompressed data is not what Firehose writes (garbage, truncation, an oversized record).
 * `offset` is the byte offset in the decompressed stream where the problem starts.
 */
export class SplitFormatError extends AppError {
  constructor(
    readonly problem: string,
    readonly offset: number,
    options?: { cause?: unknown },
  ) {
    super(`${problem} at byte ${offset} of the decompressed data`, options);
  }
}

/** A gzip layer is corrupt or truncated; `offset` is how much it had decompressed before the fault. */
export class GzipLayerError extends AppError {
  constructor(
    readonly layer: number,
    readonly offset: number,
    options?: { cause?: unknown },
  ) {
    // Duck-typed: zlib's errors may come from another realm (jest's vm), where instanceof fails.
    const message = (options?.cause as { message?: unknown } | undefined)?.message;
    const reason = typeof message === 'string' ? message : 'corrupt data';
    super(`gzip layer ${layer} is corrupt or truncated (${reason})`, options);
  }
}

/** Where the bytes being split come from: an S3 object, or a file for the CLI. */
export interface SplitSource {
  /** `s3://bucket/key` or `file://<name>`. */
  uri: string;
  bucket?: string;
  key?: string;
}

/**
 * One object could not be split to the end. Documents before the fault were delivered; the
 * invocation fails so S3's event is retried (deterministic ids: no duplicates) and then kept
 * by the on-failure queue. Names the object and where it broke, never its content.
 */
export class SplitFaultError extends AppError {
  readonly bucket?: string;
  readonly key?: string;

  constructor(
    source: SplitSource,
    /** Byte offset in the decompressed data where splitting stopped. */
    readonly offset: number,
    /** Bytes of the stored object read when it stopped. */
    readonly objectOffset: number,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(
      `${source.uri}: ${problem} (decompressed byte offset ${offset}, object byte offset ${objectOffset})`,
      options,
    );
    this.bucket = source.bucket;
    this.key = source.key;
  }
}

/** The Lambda's remaining time ran low: stopped between batches so the retry can start over cleanly. */
export class TimeBudgetError extends AppError {}
