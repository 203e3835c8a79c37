/**
 * Resends dead-lettered documents once their cause is fixed (docs/replay.md):
 *
 *   npm run replay -- --stage prod [--since 2026-11-01] [--reason mapper_parsing] [--dry-run]
 *
 * The destination and the dead-letter bucket are the deployed forwarder's (its environment), or
 * --destination-url / --bucket. Credentials and region: the default AWS chain, --region or
 * AWS_REGION. Exit code 0 when done, 1 when a document could not be delivered (the run stopped,
 * that object unchanged) or on any error, 2 on usage errors.
 */
import './quiet-sdk-warning';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { ConfigError, describeError } from '../libs/runtime/errors';
import { logger } from '../libs/runtime/logger';
import { runReplay, USAGE } from './replay/run';

runReplay(process.argv.slice(2), {
  env: process.env,
  readFunctionConfig: (functionName, region) =>
    new LambdaClient({ region }).send(new GetFunctionConfigurationCommand({ FunctionName: functionName })),
  s3: (region) => new S3Client({ region }),
  print: (text) => process.stdout.write(`${text}\n`),
  log: logger,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const { name, message } = describeError(error);
    process.stderr.write(`replay failed: ${name}: ${message}\n`);
    if (error instanceof ConfigError) process.stderr.write(`${USAGE}\n`);
    process.exitCode = error instanceof ConfigError ? 2 : 1;
  },
);
