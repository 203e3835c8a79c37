import { intVar, optionalString, stringVar, type Env } from '../runtime/env';
import { ConfigError } from '../runtime/errors';

export interface ArchiveConfig {
  bucket: string;
  /** Key prefix without leading or trailing slash, e.g. `archive`. */
  prefix: string;
}

export interface SplitterConfig {
  /** Largest record (or extracted line) accepted, in decompressed bytes. */
  maxRecordBytes: number;
  /** Stop reading when the Lambda has less than this left, so delivery can finish cleanly. */
  timeReserveMs: number;
  /** Where Firehose writes: objects there trigger the splitter; nothing may be written there. */
  rawBucket?: string;
  rawPrefix: string;
  archive?: ArchiveConfig;
}

const trimSlashes = (value: string) => value.replace(/^\/+|\/+$/g, '');

/** Reads and validates the splitter's own variables (the destination ones are the forwarder's). */
export function loadSplitterConfig(env: Env): SplitterConfig {
  const rawBucket = optionalString(env, 'RAW_LOGS_BUCKET');
  const rawPrefix = trimSlashes(stringVar(env, 'RAW_LOGS_PREFIX', ''));
  const archiveBucket = optionalString(env, 'ARCHIVE_BUCKET');
  let archive: ArchiveConfig | undefined;
  if (archiveBucket !== undefined) {
    const prefix = trimSlashes(stringVar(env, 'ARCHIVE_PREFIX', 'archive'));
    if (prefix === '') throw new ConfigError('ARCHIVE_PREFIX', 'must not be empty');
    // Archive objects under the triggering prefix would trigger the splitter again: recursion.
    if (archiveBucket === rawBucket && (rawPrefix === '' || `${prefix}/`.startsWith(`${rawPrefix}/`))) {
      throw new ConfigError(
        'ARCHIVE_PREFIX',
        `"${prefix}" in ${archiveBucket} is under the triggering prefix "${rawPrefix}": the archive would trigger the splitter again`,
      );
    }
    archive = { bucket: archiveBucket, prefix };
  }
  const timeReserveMs = intVar(env, 'SPLIT_TIME_RESERVE_MS', 15000, { min: 0 });
  const deliveryReserveMs = intVar(env, 'TIME_RESERVE_MS', 3000, { min: 0 });
  if (timeReserveMs > 0 && timeReserveMs <= deliveryReserveMs) {
    throw new ConfigError(
      'SPLIT_TIME_RESERVE_MS',
      `must be larger than TIME_RESERVE_MS (${deliveryReserveMs}): in-flight batches need time to finish`,
    );
  }
  return {
    maxRecordBytes: intVar(env, 'SPLIT_MAX_RECORD_BYTES', 16 * 1024 * 1024, {
      min: 1024,
      max: 256 * 1024 * 1024,
    }),
    timeReserveMs,
    rawBucket,
    rawPrefix,
    archive,
  };
}
