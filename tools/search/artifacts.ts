import { createHash } from 'node:crypto';
import { atLeast, type Engine } from './engine';
import { documentMappings } from './mappings';

/** What the artifacts are built from: the stage's index prefix and retention. */
export interface SearchSettings {
  indexPrefix: string;
  retentionDays: number;
  /** No ILM / ISM policy (the cluster has no such plugin, or retention is managed elsewhere). */
  withoutRetention?: boolean;
  /** INDEX_MODE=datastream: data streams `logs-<dataset>-<namespace>` instead of daily indices. */
  dataStream?: { namespace: string };
}

export const MANAGED_BY = 'logpipe search:setup';

export function indexPattern(settings: SearchSettings): string {
  return settings.dataStream ? `logs-*-${settings.dataStream.namespace}` : `${settings.indexPrefix}-*`;
}

/** What the artifacts are named after: the index prefix, or `logs-<namespace>` for data streams. */
export function artifactBase(settings: SearchSettings): string {
  return settings.dataStream ? `logs-${settings.dataStream.namespace}` : settings.indexPrefix;
}

export function templateName(settings: SearchSettings): string {
  return `logpipe-${artifactBase(settings)}`;
}

export function policyName(settings: SearchSettings): string {
  return `logpipe-${artifactBase(settings)}-retention`;
}

/**
 * Elasticsearch 8.14+ keeps data streams with the data stream lifecycle (`lifecycle` in the
 * template, part of the server, no ILM needed); before, data streams roll over and expire by ILM.
 */
export function usesDataStreamLifecycle(settings: SearchSettings, engine: Engine): boolean {
  return (
    settings.dataStream !== undefined && engine.kind === 'elasticsearch' && atLeast(engine.version, 8, 14)
  );
}

/** Rollover of a data stream's write index by the ILM / ISM policy: daily, or at 50 GB a shard. */
const ROLLOVER_AGE = '1d';
const ROLLOVER_SHARD_SIZE = '50gb';

/**
 * `cwl-*` also matches `cwl-dev-2024.11.20`: two stages sharing a cluster have overlapping
 * patterns, which both engines refuse at equal priority. A longer prefix is more specific, so
 * it gets the higher priority and wins for its own indices.
 */
export function templatePriority(settings: SearchSettings): number {
  // Data streams: above Elasticsearch's built-in `logs-*-*` template (100) and above any daily
  // prefix's (an index prefix is at most 255 bytes), so `logs-*-<namespace>` always wins.
  if (settings.dataStream) return 500;
  return 200 + settings.indexPrefix.length;
}

/** A short digest of what we would write, stored with it: a re-run compares instead of rewriting. */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

/** The composable index template (`PUT _index_template/<name>`). */
export function indexTemplate(settings: SearchSettings, engine: Engine): Record<string, unknown> {
  const indexSettings: Record<string, unknown> = {
    // Daily log indices are small: one shard each keeps the shard count (and heap) down.
    number_of_shards: 1,
    refresh_interval: '5s',
  };
  const dataStreamLifecycle = usesDataStreamLifecycle(settings, engine);
  // ISM attaches itself through the policy's ism_template; ILM is named in the index settings.
  if (engine.kind === 'elasticsearch' && !settings.withoutRetention && !dataStreamLifecycle) {
    indexSettings['lifecycle.name'] = policyName(settings);
  }
  const template: Record<string, unknown> = {
    settings: { index: indexSettings },
    mappings: documentMappings(engine),
  };
  if (dataStreamLifecycle && !settings.withoutRetention)
    template.lifecycle = { data_retention: `${settings.retentionDays}d` };
  const body = {
    index_patterns: [indexPattern(settings)],
    ...(settings.dataStream ? { data_stream: {} } : {}),
    priority: templatePriority(settings),
    template,
  };
  return { ...body, _meta: { managed_by: MANAGED_BY, fingerprint: fingerprint(body) } };
}

/** Elasticsearch ILM (`PUT _ilm/policy/<name>`): delete an index N days after it was created. */
export function ilmPolicy(settings: SearchSettings): Record<string, unknown> {
  const remove = { min_age: `${settings.retentionDays}d`, actions: { delete: {} } };
  // A data stream's backing index is deleted N days after its rollover (ILM counts from it).
  const phases = settings.dataStream
    ? {
        hot: {
          actions: { rollover: { max_age: ROLLOVER_AGE, max_primary_shard_size: ROLLOVER_SHARD_SIZE } },
        },
        delete: remove,
      }
    : { delete: remove };
  return { policy: { phases, _meta: { managed_by: MANAGED_BY, fingerprint: fingerprint(phases) } } };
}

/**
 * OpenSearch ISM (`PUT _plugins/_ism/policies/<id>`). The ism_template attaches the policy to
 * every new index of the pattern (index settings can no longer name an ISM policy). ISM returns
 * the policy with fields it adds itself, so the fingerprint travels in the description.
 */
export function ismPolicy(settings: SearchSettings): Record<string, unknown> {
  const days = settings.retentionDays;
  // Data streams: ISM rolls the write index over (no alias needed) and deletes a backing index N
  // days after its rollover; the ism_template matches the stream's name.
  const hot = settings.dataStream
    ? {
        name: 'hot',
        actions: [{ rollover: { min_index_age: ROLLOVER_AGE, min_primary_shard_size: ROLLOVER_SHARD_SIZE } }],
        transitions: [{ state_name: 'delete', conditions: { min_rollover_age: `${days}d` } }],
      }
    : {
        name: 'hot',
        actions: [],
        transitions: [{ state_name: 'delete', conditions: { min_index_age: `${days}d` } }],
      };
  const content = {
    default_state: 'hot',
    states: [hot, { name: 'delete', actions: [{ delete: {} }], transitions: [] }],
    ism_template: [{ index_patterns: [indexPattern(settings)], priority: templatePriority(settings) }],
  };
  const when = settings.dataStream ? 'rollover' : 'creation';
  const description = `${indexPattern(settings)}: delete ${days} days after ${when} (${MANAGED_BY} ${fingerprint(content)})`;
  return { policy: { description, ...content } };
}

/** The fingerprint stored in an artifact body we built. */
export function fingerprintOf(body: Record<string, unknown>): string {
  const meta = (body._meta ?? (body.policy as { _meta?: unknown } | undefined)?._meta) as
    { fingerprint?: string } | undefined;
  if (meta?.fingerprint !== undefined) return meta.fingerprint;
  const description = (body.policy as { description?: string } | undefined)?.description ?? '';
  return /([0-9a-f]{16})\)$/.exec(description)?.[1] ?? '';
}
