import { boolVar, enumVar, intVar, listVar, optionalString, stringVar, type Env } from '../runtime/env';
import { ConfigError } from '../runtime/errors';
import { serviceDimensions } from '../runtime/metrics';
import { EXPORT_PREFIX, EXPORT_STATE_PREFIX, PRUNE_MODES } from '../runtime/stack-constants';
import { ALLOWED_RETENTION_DAYS, DAY_MS, EXPORTABLE_DELAY_MS, HOUR_MS } from './time';

export { PRUNE_MODES };
export type PruneMode = (typeof PRUNE_MODES)[number];

export interface ExporterConfig {
  bucket: string | undefined;
  names: string[];
  prefixes: string[];
  excludes: string[];
  exportPrefix: string;
  statePrefix: string;
  taskNamePrefix: string;
  lagMs: number;
  maxWindowMs: number;
  minWindowMs: number;
  pruneMode: PruneMode;
  pruneMarginMs: number;
  retentionDays: number;
  maxStreamDeletesPerRun: number;
  dryRun: boolean;
  /** EMF dimensions: Service (METRICS_SERVICE) and Function, as every function publishes them. */
  metricDimensions: Record<string, string>;
  region: string;
}

function trimSlashes(value: string): string {
  return value.replace(/^\/+|\/+$/g, '');
}

/** Reads and validates every EXPORT_* variable once, at cold start. */
export function loadExporterConfig(env: Env): ExporterConfig {
  const lagHours = intVar(env, 'EXPORT_LAG_HOURS', 24, { min: EXPORTABLE_DELAY_MS / HOUR_MS });
  const marginHours = intVar(env, 'EXPORT_PRUNE_MARGIN_HOURS', 6, { min: 2 });
  const retentionDays = intVar(env, 'EXPORT_RETENTION_DAYS', 14, { min: 1 });
  if (!ALLOWED_RETENTION_DAYS.includes(retentionDays)) {
    throw new ConfigError(
      'EXPORT_RETENTION_DAYS',
      `must be one of ${ALLOWED_RETENTION_DAYS.join(', ')}, got ${retentionDays}`,
    );
  }
  if (retentionDays * DAY_MS < (lagHours + marginHours) * HOUR_MS) {
    throw new ConfigError(
      'EXPORT_RETENTION_DAYS',
      `must cover EXPORT_LAG_HOURS + EXPORT_PRUNE_MARGIN_HOURS (${lagHours + marginHours} h), got ${retentionDays} days`,
    );
  }
  const maxWindowHours = intVar(env, 'EXPORT_MAX_WINDOW_HOURS', 168, { min: 1, max: 24 * 366 });
  const minWindowHours = intVar(env, 'EXPORT_MIN_WINDOW_HOURS', 1, { min: 1, max: maxWindowHours });
  const config: ExporterConfig = {
    bucket: optionalString(env, 'EXPORT_BUCKET'),
    names: listVar(env, 'EXPORT_LOG_GROUP_NAMES'),
    prefixes: listVar(env, 'EXPORT_LOG_GROUP_PREFIXES'),
    excludes: listVar(env, 'EXPORT_LOG_GROUP_EXCLUDES'),
    exportPrefix: trimSlashes(stringVar(env, 'EXPORT_PREFIX', EXPORT_PREFIX)),
    statePrefix: trimSlashes(stringVar(env, 'EXPORT_STATE_PREFIX', EXPORT_STATE_PREFIX)),
    taskNamePrefix: stringVar(env, 'EXPORT_TASK_NAME_PREFIX', 'logpipe-export'),
    lagMs: lagHours * HOUR_MS,
    maxWindowMs: maxWindowHours * HOUR_MS,
    minWindowMs: minWindowHours * HOUR_MS,
    pruneMode: enumVar(env, 'EXPORT_PRUNE_MODE', PRUNE_MODES, 'none'),
    pruneMarginMs: marginHours * HOUR_MS,
    retentionDays,
    maxStreamDeletesPerRun: intVar(env, 'EXPORT_MAX_STREAM_DELETES_PER_RUN', 200, { min: 0, max: 10000 }),
    dryRun: boolVar(env, 'EXPORT_DRY_RUN', true),
    metricDimensions: serviceDimensions(env),
    region: stringVar(env, 'AWS_REGION', 'us-east-1'),
  };
  if (config.exportPrefix === '') throw new ConfigError('EXPORT_PREFIX', 'must not be empty');
  if (config.statePrefix === '' || config.statePrefix === config.exportPrefix) {
    // The logs service may write anywhere under the export prefix; state must live elsewhere.
    throw new ConfigError('EXPORT_STATE_PREFIX', 'must be non-empty and differ from EXPORT_PREFIX');
  }
  if (isConfigured(config) && config.bucket === undefined) {
    throw new ConfigError('EXPORT_BUCKET', 'is required when log groups are configured');
  }
  return config;
}

export function isConfigured(config: Pick<ExporterConfig, 'names' | 'prefixes'>): boolean {
  return config.names.length > 0 || config.prefixes.length > 0;
}

export function prunesStreams(mode: PruneMode): boolean {
  return mode === 'streams' || mode === 'both';
}

export function setsRetention(mode: PruneMode): boolean {
  return mode === 'retention' || mode === 'both';
}
