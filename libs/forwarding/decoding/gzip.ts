/** gzip's magic bytes (RFC 1952): how every reader recognises gzip, never by a name or a setting. */
export const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** True when the bytes start with gzip's magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}
