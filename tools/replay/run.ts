import type { S3Client } from '@aws-sdk/client-s3';
import { parseFlags } from '../cli-args';
import type { Env } from '../../libs/runtime/env';
import {
  createTransport,
  loadDestinationConfig,
  type DestinationDeps,
} from '../../libs/forwarding/destinations';
import { S3DeadLetterSink } from '../../libs/forwarding/destinations/dead-letter';
import { ConfigError } from '../../libs/runtime/errors';
import type { Logger } from '../../libs/runtime/logger';
import { deployedForwarderEnv, s3ObjectStore, type FunctionConfigReader } from './aws';
import { DEAD_LETTER_ROOT, REPLAY_PREFIX } from './dead-letters';
import { replayDeadLetters, type ReplaySummary } from './replay';

export const USAGE = `usage: npm run replay -- --stage <stage> [--since <date>] [--reason <text>] [--dry-run]
       [--region <region>] [--service <name> (default logpipe)] [--bucket <name>] [--destination-url <url>]
  Resends dead-lettered documents with their original _id (after the cause, e.g. a mapping, is fixed).
  --since         only entries dead-lettered at or after this date (YYYY-MM-DD, UTC) or time (ISO 8601)
  --reason        only documents whose reason contains this text (case-insensitive)
  --dry-run       read and count by reason; send, write and delete nothing
  --bucket        the dead-letter bucket (default: the deployed forwarder's DEAD_LETTER_BUCKET)
  --destination-url  send here, with DESTINATION_AUTH / DESTINATION_CREDENTIALS from the environment
                  (default: the deployed forwarder's destination)`;

export interface ReplayCliOptions {
  stage: string;
  since?: Date;
  reason?: string;
  dryRun: boolean;
  region?: string;
  service: string;
  bucket?: string;
  destinationUrl?: string;
}

/** Parses the arguments; a usage error is a ConfigError naming the flag. */
export function parseReplayArgs(argv: string[]): ReplayCliOptions | 'help' {
  const values = parseFlags(argv, {
    stage: { type: 'string' },
    since: { type: 'string' },
    reason: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    region: { type: 'string' },
    service: { type: 'string', default: 'logpipe' },
    bucket: { type: 'string' },
    'destination-url': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) return 'help';
  if (values.stage === undefined || values.stage === '') throw new ConfigError('--stage', 'is required');
  let since: Date | undefined;
  if (values.since !== undefined) {
    const text = values.since;
    since = new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
    if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(since.getTime()))
      throw new ConfigError('--since', `must be a date (YYYY-MM-DD) or an ISO 8601 time, got "${text}"`);
  }
  if (values.reason !== undefined && values.reason.trim() === '')
    throw new ConfigError('--reason', 'must not be empty');
  return {
    stage: values.stage,
    since,
    reason: values.reason,
    dryRun: values['dry-run'] ?? false,
    region: values.region,
    service: values.service ?? 'logpipe',
    bucket: values.bucket,
    destinationUrl: values['destination-url'],
  };
}

export interface ReplayRunDeps extends DestinationDeps {
  env: Env;
  /** Lambda GetFunctionConfiguration, for the deployed forwarder's destination and bucket. */
  readFunctionConfig: FunctionConfigReader;
  s3: (region: string) => S3Client;
  print: (text: string) => void;
  log: Logger;
}

export function describeSummary(summary: ReplaySummary, dryRun: boolean): string {
  const lines = ['count  kind      reason'];
  for (const { count, kind, reason } of summary.reasons)
    lines.push(`${String(count).padStart(5)}  ${kind.padEnd(8)}  ${reason}`);
  lines.push(
    dryRun
      ? `dry run: ${summary.objects} objects, ${summary.chosen} documents would be replayed, ` +
          `${summary.skippedEvents} raw events / unreadable lines are not replayable (kept)`
      : `${summary.objects} objects: ${summary.chosen} documents replayed: ${summary.delivered} indexed, ` +
          `${summary.duplicates} already there (409), ${summary.refusedAgain} refused again (dead-lettered under ${REPLAY_PREFIX}); ` +
          `${summary.skippedEvents} raw events / unreadable lines skipped (kept); ${summary.objectsChanged} objects deleted or rewritten`,
  );
  if (summary.failure) lines.push(`stopped: ${summary.failure} (that object and the next are unchanged)`);
  return lines.join('\n');
}

/** `npm run replay`: resolves the stage, replays, prints the counts; returns the exit code. */
export async function runReplay(argv: string[], deps: ReplayRunDeps): Promise<number> {
  const options = parseReplayArgs(argv);
  if (options === 'help') {
    deps.print(USAGE);
    return 0;
  }
  const region = options.region ?? deps.env.AWS_REGION ?? deps.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const functionName = `${options.service}-${options.stage}-forwarder`;
  const deployed =
    options.bucket !== undefined && options.destinationUrl !== undefined
      ? {}
      : await deployedForwarderEnv(deps.readFunctionConfig, functionName, region);
  const vars: Env =
    options.destinationUrl !== undefined
      ? { ...deps.env, DESTINATION_URL: options.destinationUrl }
      : deployed;
  const destination = loadDestinationConfig({ AWS_REGION: region, ...vars });
  if (destination.kind !== 'elasticsearch') {
    throw new ConfigError(
      options.destinationUrl !== undefined ? '--destination-url' : 'DESTINATION_KIND',
      `replay needs an Elasticsearch / OpenSearch destination (kind ${destination.kind}): _bulk create keeps the original _id`,
    );
  }
  const bucket = options.bucket ?? deployed.DEAD_LETTER_BUCKET;
  if (bucket === undefined)
    throw new ConfigError('--bucket', `${functionName} has no DEAD_LETTER_BUCKET: name the bucket`);
  const s3 = deps.s3(region);
  const transport = createTransport(destination, deps);
  deps.print(
    `${options.dryRun ? 'dry run: ' : ''}s3://${bucket}/${DEAD_LETTER_ROOT} -> ${destination.url?.host} (auth ${destination.auth.kind})` +
      (options.since ? `, since ${options.since.toISOString()}` : '') +
      (options.reason ? `, reason containing "${options.reason}"` : ''),
  );
  const { summary, objects } = await replayDeadLetters({
    store: s3ObjectStore(s3, bucket),
    transport,
    deadLetters: new S3DeadLetterSink(bucket, REPLAY_PREFIX, async () => s3),
    since: options.since,
    reason: options.reason,
    dryRun: options.dryRun,
    delivery: destination,
    log: deps.log,
  });
  for (const object of objects)
    if (object.outcome !== 'unchanged')
      deps.print(
        JSON.stringify({
          key: object.key,
          outcome: object.outcome,
          chosen: object.chosen,
          kept: object.kept,
        }),
      );
  deps.print(describeSummary(summary, options.dryRun));
  return summary.failure ? 1 : 0;
}
