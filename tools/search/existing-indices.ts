import type { StepResult } from './report';
import { policyName, type SearchSettings } from './artifacts';
import type { ApiClient, ApiRequest } from './cluster';
import { SearchSetupError, type Engine } from './engine';

/** Index names per request: keeps URLs short on clusters with years of daily indices. */
const NAMES_PER_REQUEST = 50;

/**
 * The stage's own indices: `cwl-2024.11.20`, not `cwl-dev-2024.11.20` (which `cwl-*` also
 * matches but belongs to another stage with its own policy).
 */
export function ownIndexName(settings: SearchSettings): RegExp {
  const escaped = settings.indexPrefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped}-\\d{4}`);
}

function chunks(names: string[]): string[][] {
  const result: string[][] = [];
  for (let i = 0; i < names.length; i += NAMES_PER_REQUEST)
    result.push(names.slice(i, i + NAMES_PER_REQUEST));
  return result;
}

interface Context {
  engine: Engine;
  settings: SearchSettings;
  /** The ISM policy changed: indices already on it keep the old version until told to change. */
  policyUpdated: boolean;
}

type Write = (request: ApiRequest) => Promise<unknown>;

/**
 * A template and an ism_template only reach indices created after them. Indices the forwarder
 * wrote before the first setup would never be deleted, so the policy is put on them here.
 */
export async function attachExistingIndices(
  cluster: ApiClient,
  write: Write,
  context: Context,
): Promise<StepResult> {
  return context.engine.kind === 'elasticsearch'
    ? attachIlm(cluster, write, context.settings)
    : attachIsm(cluster, write, context);
}

async function attachIlm(cluster: ApiClient, write: Write, settings: SearchSettings): Promise<StepResult> {
  const policy = policyName(settings);
  const response = await cluster.send({
    method: 'GET',
    path: `/${settings.indexPrefix}-*/_settings/index.lifecycle.name?flat_settings=true`,
  });
  if (response.status < 200 || response.status >= 300) {
    throw new SearchSetupError(`GET ${settings.indexPrefix}-*/_settings answered ${response.status}`);
  }
  const indices = (response.json ?? {}) as Record<string, { settings?: Record<string, string> }>;
  const own = ownIndexName(settings);
  const missing = Object.keys(indices)
    .filter((name) => own.test(name) && indices[name]?.settings?.['index.lifecycle.name'] === undefined)
    .sort();
  for (const names of chunks(missing)) {
    await write({
      method: 'PUT',
      path: `/${names.join(',')}/_settings`,
      body: { 'index.lifecycle.name': policy },
    });
  }
  return {
    step: 'existing indices',
    outcome: missing.length > 0 ? 'updated' : 'unchanged',
    detail: `${missing.length} index(es) without a lifecycle policy given ${policy}`,
  };
}

function ismPolicyId(explained: unknown): string | null | undefined {
  const entry = explained as Record<string, unknown> | undefined;
  const id = entry?.['index.plugins.index_state_management.policy_id'] ?? entry?.['policy_id'];
  return typeof id === 'string' ? id : id === null ? null : undefined;
}

async function attachIsm(cluster: ApiClient, write: Write, context: Context): Promise<StepResult> {
  const policy = policyName(context.settings);
  const response = await cluster.send({
    method: 'GET',
    path: `/_plugins/_ism/explain/${context.settings.indexPrefix}-*`,
  });
  // No index of the pattern yet: OpenSearch may answer 404 index_not_found.
  if (response.status === 404)
    return { step: 'existing indices', outcome: 'unchanged', detail: 'no indices yet' };
  if (response.status < 200 || response.status >= 300) {
    throw new SearchSetupError(`GET _plugins/_ism/explain answered ${response.status}`);
  }
  const explained = (response.json ?? {}) as Record<string, unknown>;
  const own = ownIndexName(context.settings);
  const names = Object.keys(explained)
    .filter((name) => own.test(name))
    .sort();
  const unmanaged = names.filter((name) => !ismPolicyId(explained[name]));
  const onOurPolicy = names.filter((name) => ismPolicyId(explained[name]) === policy);
  for (const batch of chunks(unmanaged)) {
    await write({
      method: 'POST',
      path: `/_plugins/_ism/add/${batch.join(',')}`,
      body: { policy_id: policy },
    });
  }
  if (context.policyUpdated) {
    for (const batch of chunks(onOurPolicy)) {
      await write({
        method: 'POST',
        path: `/_plugins/_ism/change_policy/${batch.join(',')}`,
        body: { policy_id: policy },
      });
    }
  }
  const changed = unmanaged.length + (context.policyUpdated ? onOurPolicy.length : 0);
  return {
    step: 'existing indices',
    outcome: changed > 0 ? 'updated' : 'unchanged',
    detail:
      `${unmanaged.length} unmanaged index(es) given ${policy}` +
      (context.policyUpdated ? `, ${onOurPolicy.length} moved to the new policy version` : ''),
  };
}
