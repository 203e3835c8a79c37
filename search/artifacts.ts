import { createHash } from 'node:crypto';
import type { Engine } from './engine';
import { documentMappings } from './mappings';

/** What the artifacts are built from: the stage's index prefix and retention. */
export interface SearchSettings {
  indexPrefix: string;
  retentionDays: number;
  /** No ILM / ISM policy (the cluster has no such plugin, or retention is managed elsewhere). */
  withoutRetention?: boolean;
}

export const MANAGED_BY = 'logpipe search:setup';

export function indexPattern(settings: SearchSettings): string {
  return `${settings.indexPrefix}-*`;
}

export function templateName(settings: SearchSettings): string {
  return `logpipe-${settings.indexPrefix}`;
}

export function policyName(settings: SearchSettings): string {
  return `logpipe-${settings.indexPrefix}-retention`;
}

/**
 * `cwl-*` also matches `cwl-dev-2024.11.20`: two stages sharing a cluster have overlapping
 * patterns, which both engines refuse at equal priority. A longer prefix is more specific, so
 * it gets the higher priority and wins for its own indices.
 */
export function templatePriority(settings: SearchSettings): number {
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
  // ISM attaches itself through the policy's ism_template; ILM is named in the index settings.
  if (engine.kind === 'elasticsearch' && !settings.withoutRetention) {
    indexSettings['lifecycle.name'] = policyName(settings);
  }
  const body = {
    index_patterns: [indexPattern(settings)],
    priority: templatePriority(settings),
    template: { settings: { index: indexSettings }, mappings: documentMappings(engine) },
  };
  return { ...body, _meta: { managed_by: MANAGED_BY, fingerprint: fingerprint(body) } };
}

/** Elasticsearch ILM (`PUT _ilm/policy/<name>`): delete an index N days after it was created. */
export function ilmPolicy(settings: SearchSettings): Record<string, unknown> {
  const phases = { delete: { min_age: `${settings.retentionDays}d`, actions: { delete: {} } } };
  return { policy: { phases, _meta: { managed_by: MANAGED_BY, fingerprint: fingerprint(phases) } } };
}

/**
 * OpenSearch ISM (`PUT _plugins/_ism/policies/<id>`). The ism_template attaches the policy to
 * every new index of the pattern (index settings can no longer name an ISM policy). ISM returns
 * the policy with fields it adds itself, so the fingerprint travels in the description.
 */
export function ismPolicy(settings: SearchSettings): Record<string, unknown> {
  const days = settings.retentionDays;
  const content = {
    default_state: 'hot',
    states: [
      {
        name: 'hot',
        actions: [],
        transitions: [{ state_name: 'delete', conditions: { min_index_age: `${days}d` } }],
      },
      { name: 'delete', actions: [{ delete: {} }], transitions: [] },
    ],
    ism_template: [{ index_patterns: [indexPattern(settings)], priority: templatePriority(settings) }],
  };
  const description = `${indexPattern(settings)}: delete ${days} days after creation (${MANAGED_BY} ${fingerprint(content)})`;
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
