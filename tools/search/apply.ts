import {
  fingerprintOf,
  ilmPolicy,
  indexTemplate,
  ismPolicy,
  policyName,
  templateName,
  usesDataStreamLifecycle,
  type SearchSettings,
} from './artifacts';
import type { ApiClient, ApiRequest } from './cluster';
import { describeError } from '../../libs/runtime/errors';
import { engineFromRootInfo, SearchSetupError, type Engine } from './engine';
import { attachExistingIndices } from './existing-indices';
import type { Outcome, PlannedWrite, SetupReport, StepResult } from './report';
import { importRequestBody, savedObjectsNdjson } from './saved-objects';

export type { Outcome, PlannedWrite, SetupReport, StepResult } from './report';

export interface SetupOptions {
  settings: SearchSettings;
  /** Read (GET) only; the writes are returned in the report instead of being sent. */
  dryRun: boolean;
  /** Kibana or OpenSearch Dashboards; without it the saved objects are not imported. */
  dashboards?: ApiClient;
}

/** The writer for one run: sends, or on a dry run only records. */
class Writer {
  readonly writes: PlannedWrite[] = [];
  /** The writes the cluster or Dashboards accepted, in order: what a failure leaves in place. */
  readonly done: PlannedWrite[] = [];
  constructor(private readonly dryRun: boolean) {}

  async write(client: ApiClient, target: PlannedWrite['target'], request: ApiRequest): Promise<unknown> {
    const body = request.raw ? request.raw.body.toString('utf8') : request.body;
    const write = { target, method: request.method, url: client.urlFor(request.path).href, body };
    this.writes.push(write);
    if (this.dryRun) return undefined;
    const answer = (await client.expectOk(request)).json;
    this.done.push(write);
    return answer;
  }
}

/**
 * A run that stopped part-way: its message ends with what was already written (each write is a
 * whole artifact, so a rerun compares and writes only what is missing or different).
 */
export class SearchSetupIncompleteError extends SearchSetupError {
  constructor(
    failure: unknown,
    readonly written: readonly PlannedWrite[],
  ) {
    const done =
      written.length === 0
        ? 'nothing was written before it'
        : `already written before it: ${written.map((w) => `${w.method} ${new URL(w.url).pathname}`).join(', ')}`;
    super(`${describeError(failure).message} (${done}; a rerun writes only what is missing)`, {
      cause: failure instanceof Error ? failure.cause : undefined,
    });
  }
}

/**
 * Applies the retention policy, the index template, the policy on existing indices and
 * (optionally) the saved objects. Each artifact carries a fingerprint of its content: a re-run
 * reads, compares and writes nothing that is already in place.
 */
export async function applySearchSetup(cluster: ApiClient, options: SetupOptions): Promise<SetupReport> {
  const writer = new Writer(options.dryRun);
  try {
    return await applySteps(cluster, options, writer);
  } catch (error) {
    throw new SearchSetupIncompleteError(error, writer.done);
  }
}

async function applySteps(cluster: ApiClient, options: SetupOptions, writer: Writer): Promise<SetupReport> {
  const engine = engineFromRootInfo((await cluster.expectOk({ method: 'GET', path: '/' })).json);
  const steps: StepResult[] = [];
  if (options.settings.withoutRetention) {
    steps.push({ step: 'retention policy', outcome: 'skipped', detail: '--no-retention' });
    steps.push(await putTemplate(cluster, writer, options.settings, engine));
  } else if (usesDataStreamLifecycle(options.settings, engine)) {
    // Elasticsearch 8.14+: retention is the template's data stream lifecycle (no ILM needed).
    steps.push({
      step: 'retention policy',
      outcome: 'skipped',
      detail: `data stream lifecycle in the template: data_retention ${options.settings.retentionDays}d`,
    });
    steps.push(await putTemplate(cluster, writer, options.settings, engine));
  } else if (options.settings.dataStream) {
    steps.push(await putRetentionPolicy(cluster, writer, options.settings, engine));
    steps.push(await putTemplate(cluster, writer, options.settings, engine));
    // A stream's write index takes the policy only when it is created: a stream that existed
    // before gets it at its next rollover (docs/search.md).
    steps.push({
      step: 'existing data streams',
      outcome: 'skipped',
      detail: 'streams created before this run take the policy at their next rollover',
    });
  } else {
    const policy = await putRetentionPolicy(cluster, writer, options.settings, engine);
    steps.push(policy);
    steps.push(await putTemplate(cluster, writer, options.settings, engine));
    steps.push(
      await attachExistingIndices(cluster, (request) => writer.write(cluster, 'cluster', request), {
        engine,
        settings: options.settings,
        policyUpdated: policy.outcome === 'updated',
      }),
    );
  }
  if (options.dashboards !== undefined) {
    steps.push(await importSavedObjects(options.dashboards, writer, options.settings, engine));
  } else {
    steps.push({ step: 'saved objects', outcome: 'skipped', detail: 'no --dashboards-url' });
  }
  return { engine, steps, writes: writer.writes };
}

function outcomeFor(existing: string | undefined, wanted: string): Outcome {
  if (existing === undefined) return 'created';
  return existing === wanted ? 'unchanged' : 'updated';
}

/**
 * A cluster without the retention plugin (ILM is a module of Elasticsearch's default
 * distribution, ISM a plugin of OpenSearch's) has no route for its API: both engines answer 400
 * "no handler found for uri".
 */
function missingPlugin(path: string, response: { status: number; text: string }, plugin: string): void {
  if (response.status === 400 && response.text.includes('no handler found for uri')) {
    throw new SearchSetupError(
      `the cluster has no ${plugin} (GET ${path} answered "no handler found"): install it, or run with ` +
        '--no-retention to apply the index template alone and manage retention yourself',
    );
  }
}

/** GET that treats 404 as "not there"; anything else but 2xx is an error. */
async function getIfExists(cluster: ApiClient, path: string, plugin?: string): Promise<unknown> {
  const response = await cluster.send({ method: 'GET', path });
  if (response.status === 404) return undefined;
  if (plugin !== undefined) missingPlugin(path, response, plugin);
  if (response.status < 200 || response.status >= 300) {
    throw new SearchSetupError(`GET ${path} answered ${response.status}: ${response.text.slice(0, 300)}`);
  }
  return response.json;
}

/** The engine's retention policy: ILM on Elasticsearch, ISM on OpenSearch. */
function putRetentionPolicy(
  cluster: ApiClient,
  writer: Writer,
  settings: SearchSettings,
  engine: ReturnType<typeof engineFromRootInfo>,
) {
  return engine.kind === 'elasticsearch'
    ? putIlmPolicy(cluster, writer, settings)
    : putIsmPolicy(cluster, writer, settings);
}

async function putIlmPolicy(cluster: ApiClient, writer: Writer, settings: SearchSettings) {
  const name = policyName(settings);
  const body = ilmPolicy(settings);
  const existing = (await getIfExists(
    cluster,
    `/_ilm/policy/${name}`,
    'ILM (index lifecycle management)',
  )) as Record<string, { policy?: { _meta?: { fingerprint?: string } } }> | undefined;
  const current = existing === undefined ? undefined : (existing[name]?.policy?._meta?.fingerprint ?? '');
  const outcome = outcomeFor(current, fingerprintOf(body));
  if (outcome !== 'unchanged')
    await writer.write(cluster, 'cluster', { method: 'PUT', path: `/_ilm/policy/${name}`, body });
  return { step: `ILM policy ${name}`, outcome, detail: `delete after ${settings.retentionDays} days` };
}

async function putIsmPolicy(cluster: ApiClient, writer: Writer, settings: SearchSettings) {
  const name = policyName(settings);
  const body = ismPolicy(settings);
  const existing = (await getIfExists(
    cluster,
    `/_plugins/_ism/policies/${name}`,
    'ISM plugin (index state management)',
  )) as { _seq_no?: number; _primary_term?: number; policy?: { description?: string } } | undefined;
  const current = existing === undefined ? undefined : fingerprintOf({ policy: existing.policy ?? {} });
  const outcome = outcomeFor(current, fingerprintOf(body));
  if (outcome !== 'unchanged') {
    // ISM refuses to overwrite a policy unless told which version it replaces.
    const query =
      existing === undefined
        ? ''
        : `?if_seq_no=${existing._seq_no}&if_primary_term=${existing._primary_term}`;
    await writer.write(cluster, 'cluster', {
      method: 'PUT',
      path: `/_plugins/_ism/policies/${name}${query}`,
      body,
    });
  }
  return { step: `ISM policy ${name}`, outcome, detail: `delete after ${settings.retentionDays} days` };
}

async function putTemplate(cluster: ApiClient, writer: Writer, settings: SearchSettings, engine: Engine) {
  const name = templateName(settings);
  const body = indexTemplate(settings, engine);
  const existing = (await getIfExists(cluster, `/_index_template/${name}`)) as
    { index_templates?: Array<{ index_template?: { _meta?: { fingerprint?: string } } }> } | undefined;
  const current =
    existing === undefined
      ? undefined
      : (existing.index_templates?.[0]?.index_template?._meta?.fingerprint ?? '');
  const outcome = outcomeFor(current, fingerprintOf(body));
  if (outcome !== 'unchanged')
    await writer.write(cluster, 'cluster', { method: 'PUT', path: `/_index_template/${name}`, body });
  const json =
    engine.kind === 'elasticsearch' ? 'flattened' : engine.flatJson ? 'flat_object' : 'not indexed';
  const applies = settings.dataStream ? 'data streams' : 'applies to new indices';
  return { step: `index template ${name}`, outcome, detail: `json as ${json}; ${applies}` };
}

async function importSavedObjects(
  dashboards: ApiClient,
  writer: Writer,
  settings: SearchSettings,
  engine: Engine,
): Promise<StepResult> {
  const ndjson = savedObjectsNdjson(settings, engine.kind);
  const raw = importRequestBody(ndjson, `${templateName(settings)}.ndjson`);
  // Kibana wants kbn-xsrf, OpenSearch Dashboards osd-xsrf on every write.
  const headers: Record<string, string> =
    engine.kind === 'elasticsearch' ? { 'kbn-xsrf': 'true' } : { 'osd-xsrf': 'true' };
  const answer = (await writer.write(dashboards, 'dashboards', {
    method: 'POST',
    path: '/api/saved_objects/_import?overwrite=true',
    raw,
    headers,
  })) as { success?: boolean; successCount?: number; errors?: unknown[] } | undefined;
  if (answer !== undefined && answer.success !== true) {
    throw new SearchSetupError(
      `saved objects import failed: ${JSON.stringify(answer.errors ?? answer).slice(0, 500)}`,
    );
  }
  return {
    step: 'saved objects',
    outcome: 'updated',
    detail: 'data view and saved search, import overwrites by id',
  };
}
