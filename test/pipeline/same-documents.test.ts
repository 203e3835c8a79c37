import type { S3Event } from 'aws-lambda';
import { gzipSync } from 'node:zlib';
import type { CloudWatchLogsData } from '../../libs/forwarding/decoding/subscription';
import { createPipeline } from '../../libs/forwarding/pipeline/pipeline';
import { createKinesisSource, forwardKinesis } from '../../libs/forwarding/sources/kinesis';
import { createSplitter, splitS3Event } from '../../libs/splitter/s3-object-source';
import { forwardSubscription } from '../../libs/forwarding/sources/subscription';
import { BulkServer } from '../support/bulk-server';
import { ACCESS_LINE, kinesisEvent } from '../support/kinesis';
import { LocalS3 } from '../support/s3';
import { eventId, logsData, subscriptionEvent } from '../support/subscription';
import { quiet } from '../support/logging';
import { testInvocation } from '../support/lambda';

// One set of CloudWatch Logs events, sent through the three sources of the pipeline: each must
// index byte-identical documents (`_id`, `_index`, `_source`), rules included.
const context = testInvocation({ remainingMs: 600000, awsRequestId: 'same-documents' });
const RAW = 'raw-logs';
const env = {
  AWS_REGION: 'ap-northeast-2',
  DESTINATION_GZIP: 'false',
  INDEX_TIMEZONE: 'Asia/Seoul',
  JSON_FIELDS_AT_ROOT: 'true',
  RULES_FILE: 'test/fixtures/rules/access-and-orders.json',
  // A central stage: this account's events keep their ids, a source account's are prefixed.
  SOURCE_ACCOUNTS: '111122223333',
};
const SOURCE_ACCOUNT = '111122223333';

const requestId = '830e95c2-4983-4e72-99f1-1aa410a0ffb0';
const payloads: CloudWatchLogsData[] = [
  logsData([
    { message: `START RequestId: ${requestId} Version: $LATEST\n` },
    { message: `2024-11-20T17:12:23.505Z\t${requestId}\tERROR\tpayment declined\n` },
    {
      message: '{"level":"warn","msg":"slow","order":{"id":7},"_id":"not metadata","log":"kept under json"}',
    },
    {
      message: `REPORT RequestId: ${requestId}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\t\n`,
    },
    // 23:59:59.999 UTC is the next day in Asia/Seoul: the index day is cut the same everywhere.
    { message: 'plain text at midnight', timestamp: Date.parse('2024-11-20T23:59:59.999Z') },
  ]),
  logsData(
    [
      { message: ACCESS_LINE, id: eventId(10) },
      { message: ACCESS_LINE.replace('/apache_pb.gif', '/health'), id: eventId(11) },
      { message: 'not an access line', id: eventId(12) },
    ],
    { logGroup: '/aws/eks/web/access' },
  ),
  // Another account's group of the same name, whose events have the same ids as the first
  // payload's (ids are unique within a log stream, not across accounts).
  logsData([{ message: 'from the source account' }, { message: 'second line' }], { owner: SOURCE_ACCOUNT }),
];

/** Each indexed document as its two bulk lines (action metadata, then `_source`), by `_id`. */
function indexedLines(server: BulkServer): Map<string, string> {
  const byId = new Map<string, string>();
  for (const request of server.requests) {
    const lines = request.body.toString('utf8').split('\n').filter(Boolean);
    for (let i = 0; i < lines.length; i += 2) {
      const action = JSON.parse(lines[i]!) as { create: { _id: string; _index: string } };
      byId.set(action.create._id, `${action.create._index}\n${lines[i + 1]}`);
    }
  }
  return byId;
}

async function throughSubscription(): Promise<Map<string, string>> {
  const server = await new BulkServer().start();
  try {
    const pipeline = createPipeline({ ...env, DESTINATION_URL: server.url });
    for (const data of payloads) await forwardSubscription(pipeline, subscriptionEvent(data), context, quiet);
    return indexedLines(server);
  } finally {
    await server.stop();
  }
}

async function throughKinesis(): Promise<Map<string, string>> {
  const server = await new BulkServer().start();
  try {
    const kinesis = createKinesisSource(createPipeline({ ...env, DESTINATION_URL: server.url }));
    // A log group subscribed to a stream: each record is the gzip of one subscription payload.
    const event = kinesisEvent(payloads.map((data) => gzipSync(JSON.stringify(data))));
    const response = await forwardKinesis(kinesis, event, context, quiet);
    expect(response.batchItemFailures).toEqual([]);
    return indexedLines(server);
  } finally {
    await server.stop();
  }
}

async function throughS3Object(): Promise<Map<string, string>> {
  const server = await new BulkServer().start();
  const s3 = await new LocalS3([RAW]).start();
  try {
    const splitter = createSplitter(
      { ...env, DESTINATION_URL: server.url, RAW_LOGS_BUCKET: RAW },
      { s3: s3.client },
    );
    // What Firehose writes: the payloads' gzip members concatenated.
    const key = 'firehose/2024/11/20/17/logs-1-2024-11-20-17-12-23-abc';
    await s3.put(RAW, key, Buffer.concat(payloads.map((data) => gzipSync(JSON.stringify(data)))));
    const event = {
      Records: [{ s3: { bucket: { name: RAW }, object: { key, size: 1 } } }],
    } as unknown as S3Event;
    await splitS3Event(splitter, event, context, quiet);
    return indexedLines(server);
  } finally {
    await s3.stop();
    await server.stop();
  }
}

describe('one pipeline: the same events become the same documents on every source', () => {
  it('subscription, Kinesis and S3 object index byte-identical documents, rules applied on each', async () => {
    const subscription = await throughSubscription();
    const kinesis = await throughKinesis();
    const object = await throughS3Object();

    // The rules ran: the /health line was excluded, the access line parsed and routed, the
    // Lambda lines routed to their own index, the midnight line cut in Asia/Seoul.
    expect(subscription.size).toBe(9);
    const foreign = JSON.parse(subscription.get(`${SOURCE_ACCOUNT}-${eventId(0)}`)!.split('\n')[1]!) as {
      message: string;
      cloud: unknown;
      aws: { cloudwatch: { event_id: string } };
    };
    expect(foreign).toMatchObject({
      message: 'from the source account',
      cloud: { account: { id: SOURCE_ACCOUNT }, region: 'ap-northeast-2' },
      aws: { cloudwatch: { event_id: eventId(0) } },
    });
    expect(subscription.get(eventId(0))).toContain('"account":{"id":"123456789012"}');
    const access = JSON.parse(subscription.get(eventId(10))!.split('\n')[1]!) as Record<string, unknown>;
    expect(subscription.get(eventId(10))!.split('\n')[0]).toBe('access-200010');
    expect(access).toMatchObject({ code: 200, size: 2326, remote: '127.0.0.1' });
    expect(subscription.get(eventId(4))!.split('\n')[0]).toBe('orders-2024.11.21');
    expect(JSON.parse(subscription.get(eventId(0))!.split('\n')[1]!)).toMatchObject({ service: 'orders' });

    expect([...kinesis.entries()].sort()).toEqual([...subscription.entries()].sort());
    expect([...object.entries()].sort()).toEqual([...subscription.entries()].sort());
  });
});
