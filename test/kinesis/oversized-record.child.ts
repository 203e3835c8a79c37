/**
 * Runs the forwarder's handler on one Kinesis event read from a file, in a process started with
 * Lambda's heap flags (see oversized-record.test.ts), and prints its answer and peak RSS as JSON
 * on stdout (the logger writes to stderr).
 */
import { readFileSync } from 'node:fs';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
// Configuration is read at import: the parent sets the environment when it starts this process.
import { handler } from '../../functions/forwarder/handler';

async function main(): Promise<void> {
  const event = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as KinesisStreamEvent;
  const context = { awsRequestId: 'oversized-record', getRemainingTimeInMillis: () => 60000 };
  const answer = (await handler(event, context as never)) as KinesisStreamBatchResponse;
  // maxRSS is in KiB on Linux.
  process.stdout.write(JSON.stringify({ answer, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
