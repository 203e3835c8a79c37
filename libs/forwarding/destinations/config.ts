import { join } from 'node:path';
import { boolVar, enumVar, intVar, optionalString, urlVar, type Env } from '../../runtime/env';
import { ConfigError } from '../../runtime/errors';
import { AUTH_KINDS, DEAD_LETTER_PREFIX, DESTINATION_KINDS } from '../../runtime/stack-constants';
import { parseSecretRef, type SecretRef } from '../../runtime/secrets';
import { regionFromHost, sigV4ServiceFor, type SigV4Service } from './auth';
import type { RetryPolicy } from './delivery';

export { AUTH_KINDS, DESTINATION_KINDS };

export interface DestinationConfig {
  kind: (typeof DESTINATION_KINDS)[number];
  url?: URL;
  auth:
    | { kind: 'none' }
    | { kind: 'basic' | 'apikey'; secret: SecretRef }
    | { kind: 'sigv4'; service: SigV4Service; region: string };
  gzip: boolean;
  maxBatchDocs: number;
  maxBatchBytes: number;
  concurrency: number;
  requestTimeoutMs: number;
  retry: RetryPolicy;
  deadLetter?: { bucket: string; prefix: string };
  /**
   * A run on this machine (`sls invoke local` sets IS_LOCAL): dead letters that cannot reach
   * the bucket (or with no bucket) are written under this folder instead (local-dead-letter.ts).
   */
  localDeadLetterDir?: string;
}

/** Reads and validates the destination variables (see the configuration table in the README). */
export function loadDestinationConfig(env: Env): DestinationConfig {
  const url = urlVar(env, 'DESTINATION_URL');
  const kind = enumVar(env, 'DESTINATION_KIND', DESTINATION_KINDS, url ? 'elasticsearch' : 'stdout');
  if (kind !== 'stdout' && url === undefined) {
    throw new ConfigError('DESTINATION_URL', `is required when DESTINATION_KIND is ${kind}`);
  }
  const authKind = enumVar(env, 'DESTINATION_AUTH', AUTH_KINDS, 'none');
  let auth: DestinationConfig['auth'] = { kind: 'none' };
  if (authKind === 'basic' || authKind === 'apikey') {
    const credentials = optionalString(env, 'DESTINATION_CREDENTIALS');
    if (credentials === undefined) {
      throw new ConfigError('DESTINATION_CREDENTIALS', `is required when DESTINATION_AUTH is ${authKind}`);
    }
    auth = { kind: authKind, secret: parseSecretRef('DESTINATION_CREDENTIALS', credentials) };
  } else if (authKind === 'sigv4') {
    const host = url?.hostname ?? '';
    const region =
      optionalString(env, 'DESTINATION_REGION') ?? regionFromHost(host) ?? optionalString(env, 'AWS_REGION');
    if (region === undefined)
      throw new ConfigError('DESTINATION_REGION', 'is required for sigv4 (not in the URL, no AWS_REGION)');
    const service = enumVar(env, 'DESTINATION_SIGV4_SERVICE', ['es', 'aoss'] as const, sigV4ServiceFor(host));
    auth = { kind: 'sigv4', service, region };
  }
  const deadLetterBucket = optionalString(env, 'DEAD_LETTER_BUCKET');
  return {
    kind,
    url,
    auth,
    gzip: boolVar(env, 'DESTINATION_GZIP', true),
    maxBatchDocs: intVar(env, 'BATCH_MAX_DOCS', 500, { min: 1, max: 10000 }),
    maxBatchBytes: intVar(env, 'BATCH_MAX_BYTES', 5 * 1024 * 1024, { min: 1024, max: 100 * 1024 * 1024 }),
    concurrency: intVar(env, 'DESTINATION_CONCURRENCY', 4, { min: 1, max: 64 }),
    requestTimeoutMs: intVar(env, 'DESTINATION_TIMEOUT_MS', 30000, { min: 100 }),
    retry: {
      baseDelayMs: intVar(env, 'RETRY_BASE_DELAY_MS', 200, { min: 1 }),
      maxDelayMs: intVar(env, 'RETRY_MAX_DELAY_MS', 10000, { min: 1 }),
      maxAttempts: intVar(env, 'RETRY_MAX_ATTEMPTS', 8, { min: 1, max: 100 }),
    },
    deadLetter:
      deadLetterBucket === undefined
        ? undefined
        : {
            bucket: deadLetterBucket,
            prefix: optionalString(env, 'DEAD_LETTER_PREFIX') ?? DEAD_LETTER_PREFIX,
          },
    localDeadLetterDir: boolVar(env, 'IS_LOCAL', false)
      ? // The shell's directory (PWD): `sls invoke local` runs the handler from .esbuild/.build.
        (optionalString(env, 'LOCAL_DEAD_LETTER_DIR') ??
        join(optionalString(env, 'PWD') ?? '.', '.dead-letters'))
      : undefined,
  };
}
