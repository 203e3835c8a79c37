/**
 * Reads archived, exported or raw Firehose logs back into the search engine (docs/rehydrate.md):
 *
 *   npm run rehydrate -- --source s3://<bucket>/archive --log-group /aws/lambda/orders \
 *     --from 2026-03-01 --to 2026-03-02 --stage prod [--index-prefix rehydrated] [--dry-run]
 *
 * Credentials and region: the default AWS chain, --region or AWS_REGION. Ctrl-C stops starting
 * objects and lets those being read finish; the same command resumes. Exit code 0 when every
 * object is done, 1 when one failed or the run stopped (run it again), 2 on usage errors.
 */
import './quiet-sdk-warning';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { ConfigError, describeError } from '../libs/runtime/errors';
import { logger } from '../libs/runtime/logger';
import { runRehydrate, USAGE } from './rehydrate/run';

const interrupt = new AbortController();
process.once('SIGINT', () => {
  process.stderr.write('\ninterrupted: finishing the objects being read (Ctrl-C again to quit now)\n');
  interrupt.abort();
  process.once('SIGINT', () => process.exit(130));
});

runRehydrate(process.argv.slice(2), {
  env: process.env,
  readFunctionConfig: (functionName, region) =>
    new LambdaClient({ region }).send(new GetFunctionConfigurationCommand({ FunctionName: functionName })),
  s3: (region) => new S3Client({ region }),
  print: (text) => process.stdout.write(`${text}\n`),
  progress: process.stderr,
  log: logger,
  signal: interrupt.signal,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const { name, message } = describeError(error);
    process.stderr.write(`rehydrate failed: ${name}: ${message}\n`);
    if (error instanceof ConfigError) process.stderr.write(`${USAGE}\n`);
    process.exitCode = error instanceof ConfigError ? 2 : 1;
  },
);
