/**
 * Runs in a process started with Lambda's heap flags (see oversized-record.test.ts) and prints
 * JSON on stdout with its peak RSS (the logger writes to stderr):
 * - `handler <event file>`: the forwarder's handler on one Kinesis event, and its answer;
 * - `lines <event file>`: decodes the event's first record and reads all its lines, counting them.
 */
import { readFileSync } from 'node:fs';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
// Configuration is read at import: the parent sets the environment when it starts this process.
import { handler } from '../../functions/forwarder/handler';
import { decodeRecordData } from '../../libs/forwarding/decoding/kinesis-records';
import { lambdaContext } from '../support/lambda';

// maxRSS is in KiB on Linux.
const maxRssMb = () => process.resourceUsage().maxRSS / 1024;

async function main(): Promise<void> {
  const [mode, file] = process.argv.slice(2);
  const event = JSON.parse(readFileSync(file!, 'utf8')) as KinesisStreamEvent;
  if (mode === 'lines') {
    const decoded = decodeRecordData(event.Records[0]!.kinesis.data);
    if (!decoded.ok || decoded.payload.kind !== 'lines') throw new Error('not a record of lines');
    let lines = 0;
    for (const line of decoded.payload.lines) if (line.text !== undefined) lines++;
    process.stdout.write(JSON.stringify({ lines, maxRssMb: maxRssMb() }));
    return;
  }
  const context = lambdaContext({ awsRequestId: 'oversized-record', remainingMs: 60000 });
  const answer = (await handler(event, context)) as KinesisStreamBatchResponse;
  process.stdout.write(JSON.stringify({ answer, maxRssMb: maxRssMb() }));
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
