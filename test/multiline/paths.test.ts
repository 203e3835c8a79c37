import type { S3Event } from 'aws-lambda';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { CloudWatchLogsData } from '../../libs/forwarding/decoding/subscription';
import type { DeadLetter } from '../../libs/forwarding/destinations';
import type { IndexNamer } from '../../libs/forwarding/documents/index-name';
import type { LogDocument } from '../../libs/forwarding/documents/types';
import type { RejectedEvent } from '../../libs/forwarding/documents/guard';
import { DocumentStep, loadDocumentStep } from '../../libs/forwarding/pipeline/document-step';
import { createPipeline } from '../../libs/forwarding/pipeline/pipeline';
import { createKinesisSource, forwardKinesis } from '../../libs/forwarding/sources/kinesis';
import { createSplitter, splitS3Event } from '../../libs/splitter/s3-object-source';
import { forwardSubscription } from '../../libs/forwarding/sources/subscription';
import { BulkServer, type StoredDocument } from '../support/bulk-server';
import { fixture } from '../support/fixtures';
import { kinesisEvent } from '../support/kinesis';
import { quiet } from '../support/logging';
import { LocalS3 } from '../support/s3';
import { subscriptionEvent } from '../support/subscription';
import { testInvocation } from '../support/lambda';

// The ECS fixture: six payloads as a Firehose object holds them. orders-api task 1's Java trace
// is cut between payloads 0 and 4 (the batch boundary); another task of the same service, the
// Python worker, a Lambda group without a rule and the Node.js gateway come between.
const payloads = fixture<CloudWatchLogsData[]>('multiline', 'ecs-payloads.json');
const [java1, , python, , java2, node] = payloads.map((data) => data.logEvents);
const context = testInvocation({ remainingMs: 600000, awsRequestId: 'multiline' });
const env = { AWS_REGION: 'ap-northeast-2', RULES_FILE: 'test/fixtures/multiline/rules.json' };
const RAW = 'raw-logs';
const ARCHIVE = 'archive';

const lines = (events: Array<{ message: string }>) => events.map((event) => event.message).join('\n');
type Source = StoredDocument['source'] & { message: string; tags?: string[]; severity?: string };
const sourceOf = (server: BulkServer, id: string) => server.documents.get(id)?.source as Source | undefined;

/** The documents every path builds for payloads whose groups do not cross a payload. */
function expectJoinedTraces(server: BulkServer, javaTrace = lines(java1!.slice(1, 8))): void {
  // Java: the trace (the 7 lines of payload 0 where the paths cut it there) with the first id
  // and time, rules applied.
  const javaHead = sourceOf(server, java1![1]!.id)!;
  expect(javaHead.message).toBe(javaTrace);
  expect(javaHead['@timestamp']).toBe(new Date(java1![1]!.timestamp).toISOString());
  expect(javaHead).toMatchObject({
    severity: 'ERROR',
    thread: 'nio-8080-exec-3',
    logger: 'c.e.orders.web.ErrorHandler',
  });
  expect(javaHead).toMatchObject({ aws: { cloudwatch: { event_id: java1![1]!.id } } });
  // Python: the error line and both chained tracebacks, one document.
  expect(sourceOf(server, python![1]!.id)!.message).toBe(lines(python!.slice(1, 14)));
  expect(sourceOf(server, python![14]!.id)!.message).toBe(python![14]!.message);
  // Node.js: winston's error line and the stack.
  expect(sourceOf(server, node![1]!.id)!.message).toBe(lines(node!.slice(1, 9)));
  // Continuation lines are not documents of their own.
  for (const event of [...java1!.slice(2), ...python!.slice(2, 14), ...node!.slice(2, 9)])
    expect(server.documents.has(event.id)).toBe(false);
}

async function withServer<T>(
  run: (server: BulkServer) => Promise<T>,
  options?: ConstructorParameters<typeof BulkServer>[0],
): Promise<T> {
  const server = await new BulkServer(options).start();
  try {
    return await run(server);
  } finally {
    await server.stop();
  }
}

describe('multiline on the subscription path (one payload per invocation)', () => {
  it('joins each trace within its payload; a trace cut by the payload boundary gives a head and a tail, nothing lost', () =>
    withServer(async (server) => {
      const pipeline = createPipeline({ ...env, DESTINATION_URL: server.url });
      for (const data of payloads)
        await forwardSubscription(pipeline, subscriptionEvent(data), context, quiet);
      expectJoinedTraces(server);
      // The tail (payload 4) is its own document, with its own first id: the rule's regex did not
      // match its first line (a stack frame), so it is tagged as a parse failure, still indexed.
      const tail = sourceOf(server, java2![0]!.id)!;
      expect(tail.message).toBe(lines(java2!.slice(0, 4)));
      expect(tail.tags).toEqual(['_parse_failure']);
      expect(sourceOf(server, java2![4]!.id)!.message).toBe(java2![4]!.message);
      // 14 documents from 42 events: every line is in a document.
      expect(server.documents.size).toBe(14);
      const all = [...server.documents.values()].map((doc) => (doc.source as Source).message).join('\n');
      for (const event of payloads.flatMap((data) => data.logEvents)) expect(all).toContain(event.message);
    }));

  it('a redelivered payload gives the same _ids: nothing is indexed twice', () =>
    withServer(async (server) => {
      const pipeline = createPipeline({ ...env, DESTINATION_URL: server.url });
      for (const data of payloads)
        await forwardSubscription(pipeline, subscriptionEvent(data), context, quiet);
      const first = new Map([...server.documents].map(([id, doc]) => [id, JSON.stringify(doc)]));
      const again = await forwardSubscription(pipeline, subscriptionEvent(payloads[0]), context, quiet);
      expect(again).toMatchObject({ received: 2, delivered: 0, duplicates: 2 });
      for (const data of payloads.slice(1))
        await forwardSubscription(pipeline, subscriptionEvent(data), context, quiet);
      expect(new Map([...server.documents].map(([id, doc]) => [id, JSON.stringify(doc)]))).toEqual(first);
    }));
});

describe('multiline on the Kinesis path (joined within each record)', () => {
  it('joins within a record; consecutive records of one stream are not joined, so each document belongs to one record', () =>
    withServer(async (server) => {
      const kinesis = createKinesisSource(createPipeline({ ...env, DESTINATION_URL: server.url }));
      const event = kinesisEvent(payloads.map((data) => gzipSync(JSON.stringify(data))));
      expect(await forwardKinesis(kinesis, event, context, quiet)).toEqual({ batchItemFailures: [] });
      expectJoinedTraces(server);
      expect(sourceOf(server, java2![0]!.id)!.message).toBe(lines(java2!.slice(0, 4)));
      expect(server.documents.size).toBe(14);

      // The retried batch (same records): the same ids, all duplicates.
      const before = JSON.stringify([...server.documents]);
      expect(await forwardKinesis(kinesis, event, context, quiet)).toEqual({ batchItemFailures: [] });
      expect(JSON.stringify([...server.documents])).toBe(before);
    }));

  it('a payload in two records of one batch (a producer retry) gives the same documents twice: one indexed, nothing failed', () =>
    withServer(async (server) => {
      const kinesis = createKinesisSource(createPipeline({ ...env, DESTINATION_URL: server.url }));
      const once = kinesisEvent(payloads.map((data) => gzipSync(JSON.stringify(data))));
      expect(await forwardKinesis(kinesis, once, context, quiet)).toEqual({ batchItemFailures: [] });
      const expected = JSON.stringify([...server.documents].sort());
      server.documents.clear();
      const twice = kinesisEvent([0, 1, 2, 3, 4, 0, 4, 5].map((i) => gzipSync(JSON.stringify(payloads[i]))));
      expect(await forwardKinesis(kinesis, twice, context, quiet)).toEqual({ batchItemFailures: [] });
      expect(JSON.stringify([...server.documents].sort())).toBe(expected);
    }));

  it('a record whose joined document is not delivered is failed, the others are not', () =>
    withServer(
      async (server) => {
        const kinesis = createKinesisSource(
          createPipeline({
            ...env,
            DESTINATION_URL: server.url,
            RETRY_MAX_ATTEMPTS: '1',
            RETRY_BASE_DELAY_MS: '1',
          }),
        );
        const event = kinesisEvent(payloads.map((data) => gzipSync(JSON.stringify(data))));
        const response = await forwardKinesis(kinesis, event, context, quiet);
        expect(response.batchItemFailures).toEqual([
          { itemIdentifier: event.Records[2]!.kinesis.sequenceNumber },
        ]);
      }, // The destination answers 503 for the Python trace's document: only its record is retried.
      { itemFault: (item) => (item.id === python![1]!.id ? 503 : undefined) },
    ));
});

describe('multiline in the splitter (joined per stream across the object)', () => {
  it('joins the trace cut between two payloads of the object into one document, other streams between', async () => {
    const server = await new BulkServer().start();
    const s3 = await new LocalS3([RAW, ARCHIVE]).start();
    try {
      const splitter = createSplitter(
        { ...env, DESTINATION_URL: server.url, RAW_LOGS_BUCKET: RAW, ARCHIVE_BUCKET: ARCHIVE },
        { s3: s3.client },
      );
      const key = 'firehose/2024/11/20/17/logs-1-2024-11-20-17-12-23-ecs';
      await s3.put(RAW, key, Buffer.concat(payloads.map((data) => gzipSync(JSON.stringify(data)))));
      const s3Event = {
        Records: [{ s3: { bucket: { name: RAW }, object: { key, size: 1 } } }],
      } as unknown as S3Event;
      await splitS3Event(splitter, s3Event, context, quiet);
      // Head and tail are one document here, under the head's first id; the tail has none of its own.
      expectJoinedTraces(server, lines([...java1!.slice(1), ...java2!.slice(0, 4)]));
      expect(server.documents.has(java2![0]!.id)).toBe(false);
      expect(server.documents.size).toBe(13);

      // The archive keeps the events as CloudWatch sent them: one line each, not joined.
      const archived: Array<{ id: string }> = [];
      for (const archiveKey of await s3.keys(ARCHIVE))
        archived.push(
          ...gunzipSync(await s3.get(ARCHIVE, archiveKey))
            .toString('utf8')
            .trimEnd()
            .split('\n')
            .map((line) => JSON.parse(line) as { id: string }),
        );
      expect(archived.map((event) => event.id).sort()).toEqual(
        payloads.flatMap((data) => data.logEvents.map((event) => event.id)).sort(),
      );

      // A re-delivered S3 event splits the object the same way: the same ids, nothing new.
      const before = JSON.stringify([...server.documents]);
      await splitS3Event(splitter, s3Event, context, quiet);
      expect(JSON.stringify([...server.documents])).toBe(before);
    } finally {
      await s3.stop();
      await server.stop();
    }
  });
  it.each([
    ['the head payload again after its continuation', [0, 1, 2, 3, 4, 0, 5]],
    ['the continuation payload twice', [0, 1, 2, 3, 4, 4, 5]],
    ['every payload twice, the second round reversed', [0, 1, 2, 3, 4, 5, 5, 4, 3, 2, 1, 0]],
  ])(
    'an object holding payloads twice (%s) gives the same documents as without repeats',
    async (_, order) => {
      const server = await new BulkServer().start();
      const s3 = await new LocalS3([RAW]).start();
      try {
        const splitter = createSplitter(
          { ...env, DESTINATION_URL: server.url, RAW_LOGS_BUCKET: RAW },
          { s3: s3.client },
        );
        const key = 'firehose/2024/11/20/17/logs-1-2024-11-20-17-12-23-repeats';
        await s3.put(RAW, key, Buffer.concat(order.map((i) => gzipSync(JSON.stringify(payloads[i])))));
        const s3Event = {
          Records: [{ s3: { bucket: { name: RAW }, object: { key, size: 1 } } }],
        } as unknown as S3Event;
        await splitS3Event(splitter, s3Event, context, quiet);
        expectJoinedTraces(server, lines([...java1!.slice(1), ...java2!.slice(0, 4)]));
        expect(server.documents.size).toBe(13);
        // Every event's line is in exactly one document.
        const indexed = [...server.documents.values()].flatMap((doc) =>
          (doc.source as Source).message.split('\n'),
        );
        expect(indexed.sort()).toEqual(
          payloads.flatMap((data) => data.logEvents.map((event) => event.message.replace(/\n$/, ''))).sort(),
        );
      } finally {
        await s3.stop();
        await server.stop();
      }
    },
  );
});

describe('a joined event that cannot become a document', () => {
  it('is dead-lettered raw, with its parts, like any event; the others go on', async () => {
    const step = loadDocumentStep(env);
    const failing = java1![1]!.timestamp;
    const namer = {
      nameFor: (ts: number) => {
        if (ts === failing) throw new RangeError('no index for this time');
        return step.options.indexNamer.nameFor(ts);
      },
    } as unknown as IndexNamer;
    const broken = new DocumentStep({ ...step.options, indexNamer: namer }, step.parts);
    const pushed: LogDocument[] = [];
    const rejected: RejectedEvent[] = [];
    const count = await broken.pushLogsData(payloads[0]!, {
      push: (doc) => void pushed.push(doc),
      reject: (entry) => void rejected.push(entry),
    });
    expect(count).toBe(1);
    expect(pushed.map((doc) => doc._id)).toEqual([java1![0]!.id]);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({
      reason: 'document: RangeError: no index for this time',
      logGroup: '/ecs/orders-api',
      event: { id: java1![1]!.id, message: lines(java1!.slice(1)), parts: java1!.slice(1) },
    });
  });

  it('reaches the dead-letter sink through the forwarder', () =>
    withServer(async (server) => {
      const dead: DeadLetter[] = [];
      const pipeline = createPipeline(
        { ...env, DESTINATION_URL: server.url },
        { deadLetters: { put: async (entries) => (dead.push(...entries), 'memory') } },
      );
      // Same id twice with different messages in one payload: the joined trace repeats its first
      // line's id, so it is refused (a broken producer) and kept raw with its parts.
      const data = { ...payloads[0]!, logEvents: [java1![1]!, ...java1!.slice(1)] };
      const report = await forwardSubscription(pipeline, subscriptionEvent(data), context, quiet);
      expect(report).toMatchObject({ dead_lettered: 1 });
      expect(dead[0]!.event).toMatchObject({ id: java1![1]!.id, parts: java1!.slice(1) });
    }));
});
