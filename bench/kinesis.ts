/**
 * Kinesis input benchmark. The same 10,000 access-log lines, three ways, measured in
 * alternation in one process (ratios matter, absolute rates drift):
 * - plain: the forwarder's subscription path, decode + documentsFromLogsData + encode, no rules;
 * - subscription+rules: the same payload arriving as a Kinesis record, parsed and routed by a
 *   logGroup rule (nginx_combined regex, strptime time, integer types, monthly index);
 * - fluent-bit+rules: 10,000 Kinesis records of Fluent Bit JSON lines, routed by logtype.
 * Then both whole paths end to end to the loopback _bulk sink, through the forwarder's handler
 * module as deployed (its cold start composes the pipeline from the environment).
 */
import type {
  CloudWatchLogsEvent,
  Context,
  KinesisStreamBatchResponse,
  KinesisStreamEvent,
} from 'aws-lambda';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { decodeSubscriptionEvent } from '../libs/forwarding/decoding/subscription';
import { noAuth } from '../libs/forwarding/destinations/auth';
import { ElasticsearchTransport } from '../libs/forwarding/destinations/elasticsearch';
import { HttpClient } from '../libs/forwarding/destinations/http';
import { documentsFromLogsData, type LogDocument } from '../libs/forwarding/documents';
import { documentOptions, loadDocumentConfig } from '../libs/forwarding/documents/config';
import { recordLineDocument } from '../libs/forwarding/documents/lines';
import { decodeRecordData, recordOrigin } from '../libs/forwarding/decoding/kinesis-records';
import { applyRules, rulesFromText } from '../libs/forwarding/rules-file';
import { deployedForwarder } from './support/deployed';
import { compare, fmt, startSink } from './support/measure';

const LINES = 10_000;
const RULES = JSON.stringify({
  rules: [
    {
      name: 'accesslog',
      match: { fields: [{ field: 'logtype', equals: 'accesslog' }] },
      parse: { type: 'regex', pattern: 'nginx_combined' },
      index: { prefix: 'accesslog', date: 'monthly' },
    },
    {
      name: 'eks-access',
      match: { logGroup: '/aws/eks/*/access' },
      parse: { type: 'regex', pattern: 'nginx_combined' },
      index: { prefix: 'accesslog', date: 'monthly' },
    },
  ],
});

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

function accessLine(i: number): string {
  const t = new Date(Date.UTC(2024, 10, 20, 17, 0, 0) + i * 1000);
  const stamp = `${pad(t.getUTCDate())}/${MONTHS[t.getUTCMonth()]}/${t.getUTCFullYear()}:${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())} +0000`;
  const code = [200, 200, 200, 201, 304, 404, 500][i % 7]!;
  const size = code === 304 ? '-' : String(200 + ((i * 37) % 5000));
  return `10.0.${i % 256}.${(i * 7) % 256} - - [${stamp}] "GET /api/v1/items/${i}?page=${i % 9} HTTP/1.1" ${code} ${size} "https://shop.example.com/" "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0"`;
}

const lines = Array.from({ length: LINES }, (_, i) => accessLine(i));
const logsData = {
  messageType: 'DATA_MESSAGE',
  owner: '123456789012',
  logGroup: '/aws/eks/shop/access',
  logStream: 'web-7d9f/access',
  subscriptionFilters: ['bench'],
  logEvents: lines.map((message, i) => ({
    id: `3862762795548481885276809816848983329890423124536${String(i).padStart(7, '0')}`,
    timestamp: Date.UTC(2024, 10, 20, 17) + i * 1000,
    message,
  })),
};
const gzipped = gzipSync(JSON.stringify(logsData));
const subscriptionEvent = { awslogs: { data: gzipped.toString('base64') } };
const record = (data: Buffer, n: number) => ({
  kinesis: {
    kinesisSchemaVersion: '1.0',
    partitionKey: 'pk',
    sequenceNumber: `4959033827149025660855969253836157109592157598${String(n).padStart(10, '0')}`,
    data: data.toString('base64'),
    approximateArrivalTimestamp: 1732122000 + n / 1000,
  },
  eventSource: 'aws:kinesis',
  eventVersion: '1.0',
  eventID: `shardId-000000000000:${n}`,
  eventName: 'aws:kinesis:record',
  invokeIdentityArn: 'arn:aws:iam::123456789012:role/bench',
  awsRegion: 'ap-northeast-2',
  eventSourceARN: 'arn:aws:kinesis:ap-northeast-2:123456789012:stream/bench',
});
const subscriptionInStream = { Records: [record(gzipped, 0)] } as KinesisStreamEvent;
const fluentBitEvent = {
  Records: lines.map((log, n) =>
    record(
      Buffer.from(
        JSON.stringify({
          log,
          logtype: 'accesslog',
          az: 'ap-northeast-2a',
          ec2_instance_id: 'i-0123456789abcdef0',
        }) + '\n',
      ),
      n,
    ),
  ),
} as KinesisStreamEvent;

async function transforms() {
  const options = documentOptions(loadDocumentConfig({}));
  const rules = rulesFromText(RULES, 'bench');
  const transport = new ElasticsearchTransport(new URL('http://unused'), new HttpClient(1), noAuth, false);
  const routedBody = (docs: Iterable<LogDocument>) => {
    let body = '';
    for (const doc of docs) {
      const outcome = applyRules(rules, doc);
      if (outcome.kind !== 'excluded') body += transport.encode(outcome.doc);
    }
    return body;
  };
  return compare(
    LINES,
    {
      plain: () => {
        let body = '';
        for (const doc of documentsFromLogsData(
          decodeSubscriptionEvent(subscriptionEvent),
          options,
          () => {},
        ))
          body += transport.encode(doc);
        return body;
      },
      subscriptionRules: () => {
        const decoded = decodeRecordData(subscriptionInStream.Records[0]!.kinesis.data);
        if (!decoded.ok || decoded.payload.kind !== 'subscription')
          throw new Error('bench payload did not decode');
        return routedBody(documentsFromLogsData(decoded.payload.data, options, () => {}));
      },
      fluentBitRules: () =>
        routedBody(
          (function* () {
            for (const item of fluentBitEvent.Records) {
              const decoded = decodeRecordData(item.kinesis.data);
              if (!decoded.ok || decoded.payload.kind !== 'lines')
                throw new Error('bench record did not decode');
              const origin = recordOrigin(item);
              for (const line of decoded.payload.lines) yield recordLineDocument(line, origin, options);
            }
          })(),
        ),
    },
    15,
  );
}

/** Through the forwarder's handler module as deployed (bench/support/deployed.ts). */
async function endToEnd(url: string) {
  const context = { getRemainingTimeInMillis: () => 60000, awsRequestId: 'bench' } as Context;
  const plain = deployedForwarder({ DESTINATION_URL: url });
  const dir = mkdtempSync(join(tmpdir(), 'rules-'));
  writeFileSync(join(dir, 'rules.json'), RULES);
  const withRules = deployedForwarder({ DESTINATION_URL: url, RULES_FILE: join(dir, 'rules.json') });
  return compare(LINES, {
    plain: () => plain(subscriptionEvent as CloudWatchLogsEvent, context),
    fluentBitRules: async () => {
      const response = (await withRules(fluentBitEvent, context)) as KinesisStreamBatchResponse;
      if (response.batchItemFailures.length > 0) throw new Error('bench batch had failures');
    },
  });
}

export async function run(): Promise<void> {
  // Sanity: every line parses (a benchmark of failing regexes would flatter the rules).
  const rules = rulesFromText(RULES, 'bench');
  const options = documentOptions(loadDocumentConfig({}));
  const sample = [...documentsFromLogsData(logsData as never, options, () => {})].map((doc) =>
    applyRules(rules, doc),
  );
  const failed = sample.filter((outcome) => outcome.kind === 'routed' && outcome.failed).length;
  console.log(
    `payload: ${fmt(LINES)} access-log lines (${fmt(gzipped.length / 1024)} KiB gzip); parse failures: ${failed}`,
  );

  const t = await transforms();
  console.log('\ndecode+transform+encode (lines/s)');
  console.log(`  plain subscription path (no rules)    ${fmt(t.plain).padStart(10)}`);
  console.log(
    `  subscription in Kinesis + rules       ${fmt(t.subscriptionRules).padStart(10)}   ${fmt(t.subscriptionRules / t.plain, 2)}x plain`,
  );
  console.log(
    `  Fluent Bit records + rules            ${fmt(t.fluentBitRules).padStart(10)}   ${fmt(t.fluentBitRules / t.plain, 2)}x plain`,
  );

  const sink = await startSink();
  try {
    const e2e = await endToEnd(sink.url);
    console.log('\nend to end to a loopback _bulk sink (lines/s)');
    console.log(`  plain subscription path               ${fmt(e2e.plain).padStart(10)}`);
    console.log(
      `  Fluent Bit records + rules            ${fmt(e2e.fluentBitRules).padStart(10)}   ${fmt(e2e.fluentBitRules / e2e.plain, 2)}x plain`,
    );
  } finally {
    sink.stop();
  }
}
