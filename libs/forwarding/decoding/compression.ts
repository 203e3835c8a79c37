import { gunzipSync, inflateSync } from 'node:zlib';
import { AppError } from '../../runtime/errors';
import { isGzip } from './gzip';

/**
 * The two framings CloudWatch Logs and Fluent Bit compress with, told apart by their first bytes
 * (never by a name or a setting): gzip (RFC 1952, `1f 8b`) and zlib (RFC 1950: deflate with a
 * two-byte header whose first byte is 0x78 for a 32 KiB window, and whose 16-bit value is a
 * multiple of 31). Log groups subscribed by an account-level policy have been seen delivering
 * zlib; group-level subscriptions deliver gzip.
 */
export type Compression = 'gzip' | 'zlib';

/** True when the bytes start with a zlib header (window 32 KiB, valid header checksum). */
export function isZlib(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x78 && ((bytes[0] << 8) | bytes[1]!) % 31 === 0;
}

/** The framing the bytes start with, or undefined for anything else (plain text, JSON...). */
export function compressionOf(bytes: Uint8Array): Compression | undefined {
  return isGzip(bytes) ? 'gzip' : isZlib(bytes) ? 'zlib' : undefined;
}

/**
 * The most one payload (a Kinesis record, a subscription event) may inflate to: 16 MiB, the
 * splitter's default record limit (SPLIT_MAX_RECORD_BYTES) too. CloudWatch Logs payloads and
 * Fluent Bit records are far smaller (a PutLogEvents batch is at most 1 MiB); what inflates past
 * this is a compression bomb or a misconfigured producer, and without a cap a few hundred KB of
 * gzip took the forwarder past Lambda's memory and failed the whole batch.
 */
export const MAX_INFLATED_BYTES = 16 * 1024 * 1024;

/** The payload inflates past the limit; decompression stopped there (nothing more is held). */
export class InflateLimitError extends AppError {
  constructor(
    readonly compression: Compression,
    readonly compressedBytes: number,
    readonly limit: number,
    options?: { cause?: unknown },
  ) {
    super(
      `${compression} data of ${compressedBytes} bytes inflates past the limit of ${limit} bytes (${(limit / 1024 / 1024).toFixed(0)} MiB) per payload`,
      options,
    );
  }
}

/**
 * Decompresses bytes of the given framing, at most `limit` bytes of output. zlib inflates in
 * chunks and stops at the first past the limit, so an oversized payload costs at most `limit`
 * bytes of memory before InflateLimitError; corrupt or truncated data throws zlib's own error.
 */
export function decompress(bytes: Buffer, compression: Compression, limit = MAX_INFLATED_BYTES): Buffer {
  const options = { maxOutputLength: limit };
  try {
    return compression === 'gzip' ? gunzipSync(bytes, options) : inflateSync(bytes, options);
  } catch (error) {
    // Duck-typed: the error may come from another realm (jest's vm), where instanceof fails.
    if ((error as { code?: string } | null)?.code === 'ERR_BUFFER_TOO_LARGE')
      throw new InflateLimitError(compression, bytes.length, limit, { cause: error });
    throw error;
  }
}
