import { execFile } from 'node:child_process';
import { parseArgs } from 'node:util';
import { intVar, type Env } from '../../libs/runtime/env';
import { loadDestinationConfig, type DestinationConfig } from '../../libs/forwarding/destinations';
import { loadDocumentConfig } from '../../libs/forwarding/documents/config';
import { loadDataStreamConfig } from '../../libs/forwarding/documents/data-stream';
import { ConfigError } from '../../libs/runtime/errors';
import { unfilledParams } from '../../resources/lib/placeholders';
import type { SearchSettings } from './artifacts';
import { SearchSetupError } from './engine';

export const USAGE = `usage: npm run search:setup -- [--stage <stage> [--region <region>]] [--retention-days <n>]
                            [--dashboards-url <url>] [--dry-run] [--out <dir>] [--no-retention]
  --stage           read the destination and index prefix from the stage (sls print); without it,
                    from DESTINATION_URL, DESTINATION_AUTH, DESTINATION_CREDENTIALS, INDEX_PREFIX, ...
                    (INDEX_MODE=datastream: the data streams logs-*-<DATA_STREAM_NAMESPACE> instead)
  --retention-days  days before a daily index is deleted (default: stage param searchRetentionDays,
                    env SEARCH_RETENTION_DAYS, else 30)
  --dashboards-url  Kibana or OpenSearch Dashboards base URL: also import the data view and saved search
  --dry-run         read the cluster, print every write instead of sending it
  --out <dir>       write the artifacts for both engines to <dir> and exit (no cluster needed)
  --no-retention    no ILM / ISM policy (a cluster without the plugin): the index template alone`;

export interface CliOptions {
  stage?: string;
  region?: string;
  retentionDays?: string;
  dashboardsUrl?: string;
  dryRun: boolean;
  out?: string;
  noRetention: boolean;
  help: boolean;
}

export function parseCliArgs(argv: string[]): CliOptions {
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        stage: { type: 'string' },
        region: { type: 'string' },
        'retention-days': { type: 'string' },
        'dashboards-url': { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        out: { type: 'string' },
        'no-retention': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    return {
      stage: values.stage,
      region: values.region,
      retentionDays: values['retention-days'],
      dashboardsUrl: values['dashboards-url'],
      dryRun: values['dry-run'] ?? false,
      out: values.out,
      noRetention: values['no-retention'] ?? false,
      help: values.help ?? false,
    };
  } catch (cause) {
    throw new ConfigError('arguments', (cause as Error).message, { cause });
  }
}

/** The part of `sls print --format json` this command reads. */
export interface PrintedService {
  provider?: { region?: string };
  params?: Record<string, Record<string, unknown> | undefined>;
  functions?: Record<string, { environment?: Record<string, unknown> } | undefined>;
}

export type StagePrinter = (stage: string, region: string | undefined) => Promise<PrintedService>;

/** Resolves the stage's configuration offline with the framework itself (params, ${...} variables). */
export const printStageWithServerless: StagePrinter = (stage, region) =>
  new Promise((resolve, reject) => {
    const args = [
      'sls',
      'print',
      '--stage',
      stage,
      '--format',
      'json',
      ...(region ? ['--region', region] : []),
    ];
    execFile('npx', args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        reject(
          new SearchSetupError(`sls print --stage ${stage} failed: ${stderr.slice(-500)}`, { cause: error }),
        );
        return;
      }
      try {
        resolve(JSON.parse(stdout.slice(stdout.indexOf('{'))) as PrintedService);
      } catch (cause) {
        reject(new SearchSetupError(`sls print --stage ${stage} did not print JSON`, { cause }));
      }
    });
  });

export interface Target {
  /** Where the settings came from, for the report: `stage prod` or `environment`. */
  source: string;
  /** The variables the forwarder reads (DESTINATION_*, INDEX_PREFIX, AWS_REGION). */
  vars: Env;
  /** What a user sets for a variable: the stage's param (`param destinationUrl of stage prod`), else the variable. */
  nameOf: (variable: string) => string;
  /** The stage's params that still hold the template's FILL-ME (`param destinationUrl of stage prod`). */
  unfilled: string[];
  settings: SearchSettings;
}

function stringValues(record: Record<string, unknown> | undefined): Env {
  const env: Env = {};
  for (const [key, value] of Object.entries(record ?? {})) {
    if (value !== undefined && value !== null) env[key] = String(value);
  }
  return env;
}

/**
 * The destination and index prefix the forwarder of a stage uses: the forwarder's own
 * environment as `sls print` resolves it, so the setup talks to exactly where documents go.
 * Without --stage, the same variables are read from the environment.
 */
export async function resolveTarget(
  options: CliOptions,
  env: Env,
  printStage: StagePrinter,
): Promise<Target> {
  let vars: Env = env;
  // Named by where it came from, so a bad value's error points at the flag, param or variable.
  let retention: [string, unknown] = ['SEARCH_RETENTION_DAYS', env.SEARCH_RETENTION_DAYS];
  let source = 'environment';
  let nameOf = (variable: string) => variable;
  let unfilled: string[] = [];
  if (options.stage !== undefined) {
    const printed = await printStage(options.stage, options.region);
    const forwarderEnv = printed.functions?.forwarder?.environment;
    if (forwarderEnv === undefined) {
      throw new SearchSetupError(`sls print --stage ${options.stage}: no forwarder function environment`);
    }
    vars = { AWS_REGION: options.region ?? printed.provider?.region, ...stringValues(forwarderEnv) };
    const params = { ...printed.params?.default, ...printed.params?.[options.stage] };
    retention = ['searchRetentionDays', params.searchRetentionDays];
    source = `stage ${options.stage}`;
    const stage = options.stage;
    nameOf = (variable) => {
      const param = STAGE_PARAMS[variable];
      return param === undefined ? variable : `param ${param} of stage ${stage}`;
    };
    unfilled = unfilledParams(
      Object.fromEntries(Object.values(STAGE_PARAMS).map((param) => [param, params[param]])),
    ).map((param) => `param ${param} of stage ${stage}`);
    if (unfilled.includes(`param indexPrefix of stage ${stage}`)) throw unfilledError(unfilled, stage);
  }
  if (options.retentionDays !== undefined) retention = ['--retention-days', options.retentionDays];
  const [name, value] = retention;
  const retentionDays = intVar({ [name]: value === undefined ? undefined : String(value) }, name, 30, {
    min: 1,
    max: 36500,
  });
  const indexPrefix = named(nameOf, () => loadDocumentConfig(vars).indexPrefix);
  // INDEX_MODE=datastream: the template and lifecycle of the stage's data streams instead.
  const dataStream = named(nameOf, () => loadDataStreamConfig(vars));
  return {
    source,
    vars,
    nameOf,
    unfilled,
    settings: {
      indexPrefix,
      retentionDays,
      ...(options.noRetention ? { withoutRetention: true } : {}),
      ...(dataStream ? { dataStream } : {}),
    },
  };
}

/** The forwarder's variables a stage sets through its params (params.yml). */
const STAGE_PARAMS: Record<string, string> = {
  DESTINATION_URL: 'destinationUrl',
  DESTINATION_KIND: 'destinationKind',
  DESTINATION_AUTH: 'destinationAuth',
  DESTINATION_CREDENTIALS: 'destinationCredentials',
  INDEX_PREFIX: 'indexPrefix',
  INDEX_MODE: 'indexMode',
  DATA_STREAM_NAMESPACE: 'dataStreamNamespace',
};

const unfilledError = (params: string[], stage: string) =>
  new ConfigError(
    params.join(', '),
    `still FILL-ME: set it in params.yml under ${stage}: (docs/first-deploy.md)`,
  );

/** A configuration error of the forwarder's loaders, renamed to what the user sets. */
function named<T>(nameOf: (variable: string) => string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError) || nameOf(error.variable) === error.variable) throw error;
    const problem = error.message.slice(error.variable.length + 2);
    throw new ConfigError(nameOf(error.variable), problem, { cause: error.cause });
  }
}

/** The target's destination, when it is one this command can set up. */
export function destinationOf(target: Target): DestinationConfig & { url: URL } {
  if (target.unfilled.length > 0) throw unfilledError(target.unfilled, target.source.replace(/^stage /, ''));
  const destination = named(target.nameOf, () => loadDestinationConfig(target.vars));
  const source = target.source;
  if (destination.kind !== 'elasticsearch' || destination.url === undefined) {
    throw new ConfigError(
      target.nameOf(destination.url === undefined ? 'DESTINATION_URL' : 'DESTINATION_KIND'),
      `${source} does not send to Elasticsearch / OpenSearch (kind ${destination.kind}): ` +
        (destination.url === undefined ? 'set the URL of its cluster' : 'nothing to set up'),
    );
  }
  if (destination.auth.kind === 'sigv4' && destination.auth.service === 'aoss') {
    throw new ConfigError(
      'DESTINATION_SIGV4_SERVICE',
      'OpenSearch Serverless has no ISM and limited index APIs; see docs/search.md',
    );
  }
  return { ...destination, url: destination.url };
}

/** The Kibana / Dashboards base URL, validated like DESTINATION_URL. */
export function dashboardsUrl(options: CliOptions): URL | undefined {
  if (options.dashboardsUrl === undefined) return undefined;
  try {
    const url = new URL(options.dashboardsUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`protocol ${url.protocol}`);
    if (url.username || url.password) throw new Error('credentials in the URL');
    return url;
  } catch (cause) {
    throw new ConfigError('--dashboards-url', `must be an http(s) URL without credentials`, { cause });
  }
}
