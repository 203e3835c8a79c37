import { gunzipSync, inflateSync } from 'node:zlib';
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

/** Decompresses bytes of the given framing; throws zlib's own error when they are corrupt or truncated. */
export function decompress(bytes: Buffer, compression: Compression): Buffer {
  return compression === 'gzip' ? gunzipSync(bytes) : inflateSync(bytes);
}
