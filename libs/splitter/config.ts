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
  /**
   * Stop reading when the invocation's deadline (the Lambda's end minus TIME_RESERVE_MS) is less
   * than this away: the batches in flight get this long to finish. 0 = never stop early.
   */
  drainMs: number;
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
  // Counted from the Lambda's end before TIME_RESERVE_MS was the one reserve (CHANGELOG "Unreleased"):
  // refused rather than ignored, so a stage that set it learns the new name and meaning.
  if (optionalString(env, 'SPLIT_TIME_RESERVE_MS') !== undefined)
    throw new ConfigError(
      'SPLIT_TIME_RESERVE_MS',
      'is replaced by SPLIT_DRAIN_MS, counted from the deadline (the Lambda end minus TIME_RESERVE_MS): SPLIT_DRAIN_MS = old value - TIME_RESERVE_MS',
    );
  return {
    maxRecordBytes: intVar(env, 'SPLIT_MAX_RECORD_BYTES', 16 * 1024 * 1024, {
      min: 1024,
      max: 256 * 1024 * 1024,
    }),
    // 15 s before the Lambda's end with the splitter's 3 s reserve, as before the one reserve.
    drainMs: intVar(env, 'SPLIT_DRAIN_MS', 12_000, { min: 0 }),
    rawBucket,
    rawPrefix,
    archive,
  };
}
