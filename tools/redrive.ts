/**
 * Redrives a function's on-failure queue once the cause is fixed (docs/deploy.md "Redrive"):
 *
 *   npx tsx tools/redrive.ts --stage dev --function forwarder [--dry-run] [--max 100]
 *
 * Reads the messages of `<service>-<stage>-<function>-failures`, re-invokes the function
 * asynchronously with each record's `requestPayload` (the original event) and deletes the
 * message only after Lambda accepted the invoke. Messages that are not a destination record
 * for this function stay. --dry-run lists what would be redriven and changes nothing (the
 * listed messages are hidden for --visibility seconds, then visible again).
 * Credentials and region: the default AWS chain (AWS_PROFILE, ...), --region or AWS_REGION.
 * Exit code 0 when every received message was redriven or listed, 1 when some were skipped
 * or an invoke / delete failed, 2 on usage errors.
 */
import './quiet-sdk-warning';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { parseArgs } from 'node:util';
import { lambdaInvoker, queueUrlOf, sqsQueue } from './redrive/aws';
import { redrive, type MessageReport } from './redrive/redrive';

/** The functions that have an on-failure queue (serverless.yml). */
const FUNCTIONS = ['forwarder', 'splitter', 'notifier', 'exporter'];

const USAGE =
  `usage: npx tsx tools/redrive.ts --stage <stage> --function <${FUNCTIONS.join('|')}>\n` +
  '       [--dry-run] [--max N (default 1000)] [--visibility SECONDS (default 300)]\n' +
  '       [--region REGION] [--service NAME (default logpipe)] [--queue-url URL]';

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        stage: { type: 'string' },
        function: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        max: { type: 'string', default: '1000' },
        visibility: { type: 'string', default: '300' },
        region: { type: 'string' },
        service: { type: 'string', default: 'logpipe' },
        'queue-url': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const max = Number(values.max);
  const visibility = Number(values.visibility);
  if (
    values.help ||
    !values.stage ||
    !values.function ||
    !Number.isInteger(max) ||
    max < 1 ||
    !Number.isInteger(visibility) ||
    visibility < 0 ||
    visibility > 43200
  ) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  // Checked before any AWS call: a typo would otherwise surface as a missing queue.
  if (!FUNCTIONS.includes(values.function)) {
    process.stderr.write(`--function ${values.function}: not one of ${FUNCTIONS.join(', ')}\n${USAGE}\n`);
    return 2;
  }
  const region = values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const prefix = `${values.service}-${values.stage}`;
  const functionName = `${prefix}-${values.function}`;
  const sqs = new SQSClient({ region });
  const queueUrl = values['queue-url'] ?? (await queueUrlOf(sqs, `${functionName}-failures`));
  const lambda = lambdaInvoker(new LambdaClient({ region }));

  process.stderr.write(
    `${values['dry-run'] ? 'dry run: listing' : 'redriving'} ${queueUrl} -> ${functionName} (${region})\n`,
  );
  const summary = await redrive({
    queue: sqsQueue(sqs, queueUrl),
    lambda,
    functionName,
    dryRun: values['dry-run'],
    max,
    visibilityTimeoutSeconds: visibility,
    report: (line: MessageReport) => process.stdout.write(JSON.stringify(line) + '\n'),
  });
  process.stderr.write(
    `received ${summary.received}, redriven ${summary.redriven}, listed ${summary.listed}, skipped ${summary.skipped}` +
      (summary.failure ? `\nstopped: ${summary.failure}` : '') +
      '\n',
  );
  return summary.failure || summary.skipped > 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    process.exitCode = 1;
  },
);
