import type { S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { parseFlags } from '../cli-args';
import { intVar, type Env } from '../../libs/runtime/env';
import {
  createTransport,
  loadDestinationConfig,
  type DestinationDeps,
} from '../../libs/forwarding/destinations';
import { S3DeadLetterSink } from '../../libs/forwarding/destinations/dead-letter';
import { ConfigError } from '../../libs/runtime/errors';
import type { Logger } from '../../libs/runtime/logger';
import { loadDocumentStep } from '../../libs/forwarding/pipeline/document-step';
import type { FunctionConfigReader } from '../replay/aws';
import { FileCheckpoint } from './checkpoint';
import { engineSearch } from './hot-index';
import { LAYOUTS, parseGroupSelector, parseSource, type Layout, type TimeRange } from './layout';
import { detectLayout } from './plan';
import { describeSummary, progressLine } from './progress';
import {
  RehydrateError,
  rehydrate,
  type RehydrateOptions,
  type RehydrateProgress,
  type RehydrateSource,
} from './rehydrate';
import { s3SourceStore } from './store';

export const USAGE = `usage: npm run rehydrate -- --source s3://<bucket>/<prefix> --log-group <name | prefix*> --from <time> --to <time>
       [--stage <stage> | --destination-url <url>] [--index-prefix <prefix>] [--dry-run] [--concurrency <n>]
       [--layout archive|exports|firehose] [--account <id>] [--checkpoint <file>] [--restart]
       [--export-span-days <n>] [--late-hours <n>] [--region <region>] [--service <name>]
  Reads the splitter's archive, the exporter's exports or raw Firehose objects back into the search
  engine, as the forwarder would have indexed them (same documents, same _id: idempotent).
  --source        repeatable; the layout under the prefix is detected (or --layout)
  --log-group     repeatable; a name, or a prefix ending in *
  --from, --to    the range [from, to): a date (YYYY-MM-DD, UTC midnight) or an ISO 8601 time
  --stage         the deployed <service>-<stage>-forwarder's settings (destination, index, rules file,
                  dead-letter bucket); otherwise DESTINATION_URL, INDEX_PREFIX, RULES_FILE... from the environment
  --index-prefix  write to <prefix>-YYYY.MM.DD instead of the forwarder's indices
  --dry-run       list the objects that would be read; read and send nothing
  --concurrency   objects read at once (default 4)
  --checkpoint    the file of objects done (default .rehydrate/<hash of the arguments>); a run
                  started again with the same arguments skips them; --restart forgets it
  --account       the account id written in exported events' documents (exports do not say)
  --export-span-days  exports: days before the range whose dt= partitions may hold it (default 7)
  --late-hours    firehose: hours after the range whose arrivals are read too (default 2)`;

export interface RehydrateCliOptions {
  sources: string[];
  groups: string[];
  range: TimeRange;
  stage?: string;
  service: string;
  region?: string;
  destinationUrl?: string;
  indexPrefix?: string;
  dryRun: boolean;
  concurrency: number;
  layout?: Layout;
  account: string;
  checkpoint?: string;
  restart: boolean;
  exportSpanDays: number;
  lateHours: number;
}

function parseTime(flag: string, text: string | undefined): number {
  if (text === undefined || text === '') throw new ConfigError(flag, 'is required');
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(ms))
    throw new ConfigError(flag, `must be a date (YYYY-MM-DD) or an ISO 8601 time, got "${text}"`);
  return ms;
}

function parseCount(
  flag: string,
  text: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigError(flag, `must be a whole number from ${min} to ${max}, got "${text}"`);
  return n;
}

/** Parses the arguments; a usage error is a ConfigError naming the flag. */
export function parseRehydrateArgs(argv: string[]): RehydrateCliOptions | 'help' {
  const values = parseFlags(argv, {
    source: { type: 'string', multiple: true },
    'log-group': { type: 'string', multiple: true },
    from: { type: 'string' },
    to: { type: 'string' },
    stage: { type: 'string' },
    service: { type: 'string', default: 'logpipe' },
    region: { type: 'string' },
    'destination-url': { type: 'string' },
    'index-prefix': { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    concurrency: { type: 'string' },
    layout: { type: 'string' },
    account: { type: 'string' },
    checkpoint: { type: 'string' },
    restart: { type: 'boolean', default: false },
    'export-span-days': { type: 'string' },
    'late-hours': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) return 'help';
  const sources = values.source ?? [];
  if (sources.length === 0) throw new ConfigError('--source', 'is required (s3://<bucket>/<prefix>)');
  sources.forEach(parseSource);
  const groups = values['log-group'] ?? [];
  if (groups.length === 0)
    throw new ConfigError('--log-group', 'is required (a name, or a prefix ending in *)');
  groups.forEach(parseGroupSelector);
  const range = { from: parseTime('--from', values.from), to: parseTime('--to', values.to) };
  if (range.to <= range.from) throw new ConfigError('--to', 'must be after --from');
  const layout = values.layout as Layout | undefined;
  if (layout !== undefined && !LAYOUTS.includes(layout))
    throw new ConfigError('--layout', `must be one of ${LAYOUTS.join(', ')}, got "${layout}"`);
  if (values.account !== undefined && !/^\d{12}$/.test(values.account))
    throw new ConfigError('--account', `must be a 12-digit AWS account id, got "${values.account}"`);
  return {
    sources,
    groups,
    range,
    stage: values.stage,
    service: values.service ?? 'logpipe',
    region: values.region,
    destinationUrl: values['destination-url'],
    indexPrefix: values['index-prefix'],
    dryRun: values['dry-run'] ?? false,
    concurrency: parseCount('--concurrency', values.concurrency, 4, 1, 64),
    layout,
    account: values.account ?? '',
    checkpoint: values.checkpoint,
    restart: values.restart ?? false,
    exportSpanDays: parseCount('--export-span-days', values['export-span-days'], 7, 0, 366),
    lateHours: parseCount('--late-hours', values['late-hours'], 2, 0, 24 * 15),
  };
}

export interface RehydrateRunDeps extends DestinationDeps {
  env: Env;
  /** Lambda GetFunctionConfiguration, for --stage. */
  readFunctionConfig: FunctionConfigReader;
  s3: (region: string) => S3Client;
  /** The summary and dry-run listing (stdout). */
  print: (text: string) => void;
  /** Where the progress bar is drawn when it is a terminal (stderr). */
  progress?: { isTTY?: boolean; write(text: string): unknown };
  log: Logger;
  signal?: AbortSignal;
  now?: () => number;
  /** Wraps each object's body (the tests cut a run off half-way through an object). */
  readBody?: RehydrateOptions['readBody'];
}

/** The deployed forwarder's whole environment (destination, INDEX_*, RULES_FILE, dead letters). */
async function deployedEnv(read: FunctionConfigReader, functionName: string, region: string): Promise<Env> {
  try {
    const config = await read(functionName, region);
    return { ...(config.Environment?.Variables ?? {}), AWS_REGION: region };
  } catch (cause) {
    throw new RehydrateError(
      `cannot read the deployed ${functionName} (is the stage deployed in ${region}?): ${(cause as Error).message}`,
      { cause },
    );
  }
}

/** The default checkpoint file: the same arguments find the same file. */
function checkpointPath(options: RehydrateCliOptions, destination: string, indexPrefix: string): string {
  const hash = createHash('sha256')
    .update(
      JSON.stringify([
        [...options.sources].sort(),
        [...options.groups].sort(),
        options.range,
        destination,
        indexPrefix,
        options.layout ?? '',
      ]),
    )
    .digest('hex')
    .slice(0, 16);
  return join('.rehydrate', `${hash}.txt`);
}

/** `npm run rehydrate`: resolves the settings, plans, reads and delivers, prints the summary; the exit code. */
export async function runRehydrate(argv: string[], deps: RehydrateRunDeps): Promise<number> {
  const options = parseRehydrateArgs(argv);
  if (options === 'help') {
    deps.print(USAGE);
    return 0;
  }
  const region = options.region ?? deps.env.AWS_REGION ?? deps.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  let env: Env =
    options.stage === undefined
      ? { AWS_REGION: region, ...deps.env }
      : await deployedEnv(deps.readFunctionConfig, `${options.service}-${options.stage}-forwarder`, region);
  if (options.destinationUrl !== undefined) env = { ...env, DESTINATION_URL: options.destinationUrl };
  if (options.indexPrefix !== undefined) env = { ...env, INDEX_PREFIX: options.indexPrefix };
  const destination = loadDestinationConfig(env);
  if (destination.kind === 'logstash')
    throw new ConfigError(
      'DESTINATION_KIND',
      'rehydrate needs an Elasticsearch / OpenSearch destination (or stdout): Logstash does not keep the _id that makes it idempotent',
    );
  const documents = loadDocumentStep(env);
  const maxRecordBytes = intVar(env, 'SPLIT_MAX_RECORD_BYTES', 16 * 1024 * 1024, { min: 1024 });
  const s3 = deps.s3(region);
  const sources: RehydrateSource[] = [];
  for (const text of options.sources) {
    const ref = parseSource(text);
    const store = s3SourceStore(s3, ref.bucket);
    const layout = options.layout ?? (await detectLayout(store, ref));
    if (layout === undefined) {
      deps.print(`${text}: nothing under this prefix (no log_group=, YYYY/ or group directories)`);
      continue;
    }
    sources.push({ ref, layout, store });
  }
  const indexPrefix = documents.options.indexNamer.prefix;
  const target = destination.url?.host ?? 'stdout';
  // A dry run reads the checkpoint (what a run would skip) and never writes it.
  const checkpoint = new FileCheckpoint(options.checkpoint ?? checkpointPath(options, target, indexPrefix));
  if (options.restart && !options.dryRun) await checkpoint.clear();
  deps.print(
    `${options.dryRun ? 'dry run: ' : ''}${sources.map((s) => `${s.layout} s3://${s.ref.bucket}/${s.ref.prefix}`).join(', ')}` +
      ` -> ${target} (${indexPrefix}-*), groups ${options.groups.join(' ')}, ` +
      `${new Date(options.range.from).toISOString()} to ${new Date(options.range.to).toISOString()}` +
      `, checkpoint ${checkpoint.path}`,
  );
  // Exports into the forwarder's own indices: what they already hold is looked up, not doubled.
  const hotIndex =
    options.indexPrefix === undefined &&
    destination.kind === 'elasticsearch' &&
    destination.url !== undefined &&
    sources.some((source) => source.layout === 'exports')
      ? engineSearch(destination, deps)
      : undefined;
  const now = deps.now ?? Date.now;
  const started = now();
  const terminal = deps.progress?.isTTY === true ? deps.progress : undefined;
  // Redrawn on a timer: the counts move while one large object is read.
  let latest: RehydrateProgress | undefined;
  const draw = () => {
    if (terminal !== undefined && latest !== undefined)
      terminal.write(`\r\x1b[2K${progressLine(latest, now() - started)}`);
  };
  const timer = terminal === undefined || options.dryRun ? undefined : setInterval(draw, 500);
  timer?.unref();
  const dead = destination.deadLetter;
  const summary = await rehydrate({
    sources,
    groups: options.groups.map(parseGroupSelector),
    range: options.range,
    exportSpanDays: options.exportSpanDays,
    lateHours: options.lateHours,
    documents,
    transport: createTransport(destination, deps),
    // What the destination refuses is kept where `npm run replay` finds it.
    deadLetters: dead && new S3DeadLetterSink(dead.bucket, `${dead.prefix}rehydrate/`, async () => s3),
    delivery: destination,
    concurrency: options.concurrency,
    checkpoint,
    dryRun: options.dryRun,
    owner: options.account,
    maxRecordBytes,
    hotIndex,
    log: deps.log,
    signal: deps.signal,
    readBody: deps.readBody,
    onProgress: (progress) => {
      latest = progress;
    },
  }).finally(() => clearInterval(timer));
  if (timer !== undefined) {
    draw();
    terminal!.write('\n');
  }
  deps.print(describeSummary(summary, now() - started, options.dryRun));
  return summary.failed > 0 || summary.stopped !== undefined ? 1 : 0;
}
