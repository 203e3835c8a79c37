import type { KinesisStreamBatchResponse } from 'aws-lambda';
import { gzipSync } from 'node:zlib';
import { BulkServer } from '../support/bulk-server';
import { coldStart } from '../support/cold-start';
import { ACCESS_LINE, fluentBitLine, kinesisEvent, documentId } from '../support/kinesis';
import { logsData, subscriptionEvent } from '../support/subscription';
import { lambdaContext } from '../support/lambda';

const context = lambdaContext({ awsRequestId: 'req-forwarder-1', remainingMs: 60_000 });

/** The handler module as Lambda loads it: configuration (and RULES_FILE) read from process.env at import. */
const loadHandler = async (env: Record<string, string>) => coldStart('forwarder', env);

describe('forwarder handler', () => {
  const saved = { ...process.env };
  let server: BulkServer;
  let logged: string[];
  beforeEach(async () => {
    server = await new BulkServer().start();
    logged = [];
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (logged.push(String(chunk)), true));
  });
  afterEach(async () => {
    process.env = { ...saved };
    jest.restoreAllMocks();
    jest.resetModules();
    await server.stop();
  });
  const logLine = (msg: string) =>
    logged.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === msg);

  it('forwards a subscription event and a Kinesis batch through the same rules', async () => {
    const handler = await loadHandler({
      DESTINATION_URL: server.url,
      RULES_FILE: 'test/fixtures/rules/access-and-orders.json',
    });
    const data = logsData([{ message: ACCESS_LINE }], { logGroup: '/aws/eks/web/access' });
    await expect(handler(subscriptionEvent(data), context)).resolves.toBeUndefined();
    expect(server.documents.get(data.logEvents[0]!.id)).toMatchObject({
      index: 'access-200010',
      source: { code: 200, remote: '127.0.0.1' },
    });
    expect(logLine('forwarded')).toMatchObject({ function_request_id: 'req-forwarder-1', delivered: 1 });

    const batch = kinesisEvent([gzipSync(JSON.stringify(data)), fluentBitLine({ log: 'plain line' })]);
    const response = (await handler(batch, context)) as KinesisStreamBatchResponse;
    expect(response.batchItemFailures).toEqual([]);
    expect(server.documents.get(documentId(1))).toMatchObject({ source: { message: 'plain line' } });
    // The subscription record's event was already indexed: the same id, answered 409.
    expect(logLine('kinesis batch forwarded')).toMatchObject({ duplicates: 1, delivered: 1 });
  });

  it('a payload that is not gzip fails the invocation (Lambda retries, then the on-failure queue)', async () => {
    const handler = await loadHandler({ DESTINATION_URL: server.url });
    await expect(handler({ awslogs: { data: 'bm90IGd6aXA=' } }, context)).rejects.toThrow(/gzip/);
    expect(logLine('subscription event rejected')).toMatchObject({ stage: 'compression' });
    expect(server.requests).toHaveLength(0);
  });

  it('fails the cold start naming a bad variable', async () => {
    await expect(loadHandler({ INDEX_PREFIX: 'Logs' })).rejects.toThrow(/INDEX_PREFIX/);
    jest.resetModules();
    await expect(loadHandler({ INDEX_PREFIX: 'logs', RULES_FILE: 'missing-rules.json' })).rejects.toThrow(
      /RULES_FILE/,
    );
  });
});
