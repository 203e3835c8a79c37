import { createPipeline } from '../../libs/forwarding/pipeline/pipeline';
import type { KinesisStreamEvent } from 'aws-lambda';
import { gzipSync } from 'node:zlib';
import type { DeadLetter, DeadLetterSink } from '../../libs/forwarding/destinations';
import { forwardSubscription } from '../../libs/forwarding/sources/subscription';
import { createKinesisSource, forwardKinesis, isKinesisEvent } from '../../libs/forwarding/sources/kinesis';
import { BulkServer, type BulkServerOptions } from '../support/bulk-server';
import { ACCESS_LINE, fluentBitLine, kinesisEvent, sequenceNumber, documentId } from '../support/kinesis';
import { logsData, subscriptionEvent } from '../support/subscription';
import { quiet } from '../support/logging';
import { fixture as loadFixture } from '../support/fixtures';
import { testInvocation } from '../support/lambda';

const context = testInvocation({ remainingMs: 60000, awsRequestId: 'req-1' });
const fixture = (name: string) => loadFixture<KinesisStreamEvent>('forwarder', `${name}.json`);

/** Dead letters kept in memory; `fail` makes put() throw like an S3 outage. */
class MemorySink implements DeadLetterSink {
  readonly entries: DeadLetter[] = [];
  constructor(private readonly fail = false) {}
  async put(entries: readonly DeadLetter[]): Promise<string> {
    if (this.fail) throw new Error('s3 unavailable');
    this.entries.push(...entries);
    return 'memory://dead-letters';
  }
}

async function run(
  options: BulkServerOptions,
  events: KinesisStreamEvent[],
  setup: { deadLetters?: DeadLetterSink; env?: Record<string, string> } = {},
) {
  const server = await new BulkServer(options).start();
  try {
    const kinesis = createKinesisSource(
      createPipeline(
        {
          DESTINATION_URL: server.url,
          DESTINATION_GZIP: 'false',
          RETRY_BASE_DELAY_MS: '1',
          RETRY_MAX_DELAY_MS: '2',
          RETRY_MAX_ATTEMPTS: '3',
          BATCH_MAX_DOCS: '2',
          RULES_FILE: 'test/fixtures/rules/fluent-bit-logtypes.json',
          ...setup.env,
        },
        { deadLetters: setup.deadLetters },
      ),
    );
    const responses = [];
    for (const event of events) responses.push(await forwardKinesis(kinesis, event, context, quiet));
    return { server, responses };
  } finally {
    await server.stop();
  }
}

const failed = (response: { batchItemFailures: Array<{ itemIdentifier: string }> }) =>
  response.batchItemFailures.map((item) => item.itemIdentifier);

describe('forwardKinesis end to end against a _bulk server', () => {
  it('indexes the Fluent Bit fixture: rules route each logtype to its monthly index', async () => {
    const { server, responses } = await run({}, [fixture('kinesis-fluent-bit')]);
    expect(failed(responses[0]!)).toEqual([]);
    const byId = Object.fromEntries([...server.documents].map(([id, d]) => [id, d]));
    expect(Object.keys(byId).sort()).toEqual([
      documentId(0),
      documentId(1),
      documentId(2),
      documentId(2, 1),
      documentId(3),
      documentId(4),
    ]);
    expect(byId[documentId(0)]).toMatchObject({
      index: 'accesslog-200010',
      source: { code: 200, size: 2326, remote: '127.0.0.1' },
    });
    expect(byId[documentId(1)]).toMatchObject({
      index: 'accesslog-202010',
      source: { code: 201 },
    });
    expect(byId[documentId(2)]!.index).toBe('api-requestlog-202010');
    expect(byId[documentId(2, 1)]).toMatchObject({
      index: 'api-responselog-202010',
      source: { a: 1, result: 'SUCCESS' },
    });
    expect(byId[documentId(3)]).toMatchObject({
      index: 'accesslog-202411',
      source: { tags: ['_parse_failure'] },
    });
    expect(byId[documentId(4)]).toMatchObject({
      index: 'cwl-2024.11.20',
      source: { log: { level: 'error' } },
    });
  });

  it('a subscription payload in a stream keeps the CloudWatch event ids; excluded lines are not failures', async () => {
    const event = kinesisEvent([
      gzipSync(
        JSON.stringify(
          logsData(
            [{ message: ACCESS_LINE }, { message: ACCESS_LINE.replace('/apache_pb.gif', '/healthz') }],
            {
              logGroup: '/aws/eks/web/access',
            },
          ),
        ),
      ),
    ]);
    const { server, responses } = await run({}, [event]);
    expect(failed(responses[0]!)).toEqual([]);
    const data = logsData([{}]);
    expect([...server.documents.keys()]).toEqual([data.logEvents[0]!.id]);
    expect(server.documents.get(data.logEvents[0]!.id)).toMatchObject({
      index: 'accesslog-200010',
      source: { remote: '127.0.0.1' },
    });
  });

  it('a retried batch indexes nothing twice (deterministic ids, 409 duplicates)', async () => {
    const event = fixture('kinesis-fluent-bit');
    const { server, responses } = await run({}, [event, event]);
    expect(responses.map(failed)).toEqual([[], []]);
    expect(server.documents.size).toBe(6);
  });

  it('only the poison record is reported; the records around it are indexed', async () => {
    const { server, responses } = await run({}, [fixture('kinesis-poison')]);
    expect(failed(responses[0]!)).toEqual([sequenceNumber(1)]);
    expect([...server.documents.keys()].sort()).toEqual([documentId(0), documentId(2)]);
  });

  it('a document that keeps failing (429) fails its record only', async () => {
    const event = kinesisEvent([
      fluentBitLine({ log: 'a' }),
      fluentBitLine({ log: 'b' }) + fluentBitLine({ log: 'stuck' }),
      fluentBitLine({ log: 'c' }),
    ]);
    const stuck = documentId(1, 1);
    const { server, responses } = await run({ itemFault: (item) => (item.id === stuck ? 429 : undefined) }, [
      event,
    ]);
    expect(failed(responses[0]!)).toEqual([sequenceNumber(1)]);
    expect(server.documents.has(documentId(1))).toBe(true);
    expect(server.documents.size).toBe(3);
    expect(server.attempts.get(stuck)).toBe(3);
  });

  it('a refused document (400) is dead-lettered and its record succeeds; without a sink it fails', async () => {
    const event = kinesisEvent([fluentBitLine({ log: 'ok' }), fluentBitLine({ log: 'mapping conflict' })]);
    const refuse = (item: { id: string }) => (item.id === documentId(1) ? 400 : undefined);
    const sink = new MemorySink();
    const withSink = await run({ itemFault: refuse }, [event], { deadLetters: sink });
    expect(failed(withSink.responses[0]!)).toEqual([]);
    expect(sink.entries.map((entry) => entry.document?._id)).toEqual([documentId(1)]);

    const withoutSink = await run({ itemFault: refuse }, [event]);
    expect(failed(withoutSink.responses[0]!)).toEqual([sequenceNumber(1)]);
    const failingSink = await run({ itemFault: refuse }, [event], { deadLetters: new MemorySink(true) });
    expect(failed(failingSink.responses[0]!)).toEqual([sequenceNumber(1)]);
  });

  it('a malformed CloudWatch event in a record is dead-lettered with the record position', async () => {
    const data = logsData([{ message: 'fine' }, { message: 'no id', id: '' }]);
    const sink = new MemorySink();
    const { responses } = await run({}, [kinesisEvent([gzipSync(JSON.stringify(data))])], {
      deadLetters: sink,
    });
    expect(failed(responses[0]!)).toEqual([]);
    expect(sink.entries).toEqual([
      expect.objectContaining({
        reason: 'log event has no string "id"',
        event: expect.objectContaining({ kinesis_sequence_number: sequenceNumber(0) }),
      }),
    ]);
    const noSink = await run({}, [kinesisEvent([gzipSync(JSON.stringify(data))])]);
    expect(failed(noSink.responses[0]!)).toEqual([sequenceNumber(0)]);
  });

  it('the destination down for the whole batch: every record is reported', async () => {
    const { responses } = await run({ requestFault: () => 503 }, [fixture('kinesis-fluent-bit')]);
    expect(failed(responses[0]!)).toEqual([0, 1, 2, 3, 4].map(sequenceNumber));
  });

  it('Logstash destination: ids and indices travel in @metadata', async () => {
    const { server, responses } = await run({}, [fixture('kinesis-fluent-bit')], {
      env: { DESTINATION_KIND: 'logstash' },
    });
    expect(failed(responses[0]!)).toEqual([]);
    expect(server.documents.get(documentId(0))!.index).toBe('accesslog-200010');
  });

  it('a CONTROL_MESSAGE and an empty record produce nothing and succeed', async () => {
    const control = logsData([], { messageType: 'CONTROL_MESSAGE' });
    const { server, responses } = await run({}, [kinesisEvent([gzipSync(JSON.stringify(control)), ''])]);
    expect(failed(responses[0]!)).toEqual([]);
    expect(server.documents.size).toBe(0);
  });
});

describe('isKinesisEvent', () => {
  it('tells Kinesis events from subscription events', () => {
    expect(isKinesisEvent(fixture('kinesis-fluent-bit'))).toBe(true);
    expect(isKinesisEvent({ awslogs: { data: 'x' } })).toBe(false);
    expect(isKinesisEvent({ Records: [] })).toBe(false);
    expect(isKinesisEvent({ Records: [{ eventSource: 'aws:sqs' }] })).toBe(false);
    expect(isKinesisEvent(null)).toBe(false);
  });
});

describe('rules on the subscription path', () => {
  it('a direct CloudWatch Logs subscription is routed by the same rules (logGroup match, exclude)', async () => {
    const server = await new BulkServer().start();
    try {
      const kinesis = createKinesisSource(
        createPipeline({
          DESTINATION_URL: server.url,
          RULES_FILE: 'test/fixtures/rules/fluent-bit-logtypes.json',
        }),
      );
      const data = logsData(
        [{ message: ACCESS_LINE }, { message: ACCESS_LINE.replace('/apache_pb.gif', '/health') }],
        {
          logGroup: '/aws/eks/web/access',
        },
      );
      const report = await forwardSubscription(kinesis.pipeline, subscriptionEvent(data), context, quiet);
      expect(report).toMatchObject({ received: 1, delivered: 1, failed: 0 });
      expect(server.documents.get(data.logEvents[0]!.id)).toMatchObject({
        index: 'accesslog-200010',
        source: { code: 200, remote: '127.0.0.1' },
      });
    } finally {
      await server.stop();
    }
  });

  it('without RULES_FILE the pipeline has no rules', () => {
    expect(createKinesisSource(createPipeline({})).pipeline.documents.rules).toEqual([]);
  });
});
