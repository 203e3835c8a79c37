import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Event } from 'aws-lambda';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { CloudWatchLogEvent } from '../../libs/forwarding/decoding/subscription';
import type { LogStreamContext } from '../../libs/forwarding/documents/build';
import type { LogDocument } from '../../libs/forwarding/documents/types';
import { GroupScreen } from '../../libs/forwarding/filters-and-masks/screen';
import { Logger } from '../../libs/runtime/logger';
import { loadDocumentStep, newRuleCounts } from '../../libs/forwarding/pipeline/document-step';
import { createPipeline } from '../../libs/forwarding/pipeline/pipeline';
import { createKinesisSource, forwardKinesis } from '../../libs/forwarding/sources/kinesis';
import { createSplitter, splitS3Event } from '../../libs/splitter/s3-object-source';
import { forwardSubscription } from '../../libs/forwarding/sources/subscription';
import { LocalS3 } from '../support/s3';
import { BulkServer } from '../support/bulk-server';
import { fluentBitLine, kinesisEvent } from '../support/kinesis';
import { logsData, subscriptionEvent } from '../support/subscription';
import { multiMember, newlineDelimited, split } from '../splitter/support';
import { testInvocation } from '../support/lambda';

const RULES = {
  rules: [
    {
      name: 'no-synthetic',
      match: { logGroup: '/aws/lambda/*' },
      exclude: [{ field: 'json.synthetic', equals: true }],
    },
  ],
  filters: [
    {
      name: 'drop-health-checks',
      logGroups: ['/aws/lambda/orders', '*'],
      exclude: ['GET /health', '^DEBUG '],
    },
  ],
  masks: [
    {
      name: 'pii',
      logGroups: ['*'],
      builtins: ['email', 'ipv4', 'card', 'aws-access-key-id'],
      custom: [{ name: 'session-cookie', pattern: 'session=[^;\\s]+', replacement: 'session=[MASKED]' }],
    },
  ],
};

const rulesFile = (() => {
  const dir = mkdtempSync(join(tmpdir(), 'logpipe-filters-'));
  const file = join(dir, 'rules.json');
  writeFileSync(file, JSON.stringify(RULES));
  return file;
})();

const context = testInvocation({ remainingMs: 60000, awsRequestId: 'req-1' });
const ENV = {
  RULES_FILE: rulesFile,
  DESTINATION_GZIP: 'false',
  METRICS_SERVICE: 'logpipe-dev',
  AWS_LAMBDA_FUNCTION_NAME: 'logpipe-dev-forwarder',
};

// The same six events on every path: two dropped by the filter, one by the rule, three masked.
const MESSAGES = [
  '10.0.0.7 - - "GET /health HTTP/1.1" 200',
  'DEBUG cache warmed',
  '{"level":"info","synthetic":true,"msg":"canary"}',
  'login ok for bob@example.com from 192.168.1.20; Cookie: session=abc123; theme=dark',
  '{"level":"error","user":{"email":"ana@example.com"},"card":"4111 1111 1111 1111","order":"4111111111111112"}',
  'key AKIAIOSFODNN7EXAMPLE rotated',
];
const MASKED = [
  'login ok for [EMAIL] from [IPV4]; Cookie: session=[MASKED]; theme=dark',
  '{"level":"error","user":{"email":"[EMAIL]"},"card":"[CARD]","order":"4111111111111112"}',
  'key [AWS_ACCESS_KEY_ID] rotated',
];
const data = logsData(MESSAGES.map((message) => ({ message })));
const ids = data.logEvents.map((event) => event.id);

/** Log lines and EMF lines of one invocation. */
function capture() {
  const logs: Array<Record<string, unknown>> = [];
  const metrics: Array<Record<string, unknown>> = [];
  const log = new Logger({}, 'info', { write: (line: string) => logs.push(JSON.parse(line)) });
  const sink = { write: (line: string) => metrics.push(JSON.parse(line)) };
  return { logs, metrics, log, sink };
}

function ruleMetrics(metrics: Array<Record<string, unknown>>) {
  return Object.fromEntries(
    metrics
      .filter((m) => 'Rule' in m)
      .map((m) => [
        m.Rule,
        {
          Dropped: m.Dropped,
          Masked: m.Masked,
          dims: (m._aws as never as EmfAws).CloudWatchMetrics[0]!.Dimensions,
        },
      ]),
  );
}
interface EmfAws {
  CloudWatchMetrics: Array<{ Dimensions: string[][] }>;
}

const EXPECTED_METRICS = {
  'drop-health-checks': { Dropped: 2, Masked: undefined, dims: [['Service', 'Function', 'Rule']] },
  'no-synthetic': { Dropped: 1, Masked: undefined, dims: [['Service', 'Function', 'Rule']] },
  pii: { Dropped: undefined, Masked: 3, dims: [['Service', 'Function', 'Rule']] },
};

describe('filters and masks on the subscription path', () => {
  it('drops and masks before the document, keeps the event id, counts by rule in the log line and EMF', async () => {
    const server = await new BulkServer().start();
    const { logs, metrics, log, sink } = capture();
    try {
      const pipeline = createPipeline({ ...ENV, DESTINATION_URL: server.url }, { metrics: sink });
      const report = await forwardSubscription(pipeline, subscriptionEvent(data), context, log);
      expect(report).toMatchObject({ received: 3, delivered: 3, dead_lettered: 0, failed: 0 });
    } finally {
      await server.stop();
    }
    // Masked before parsing: the JSON fields are masked too; the `_id` is still the event's id.
    expect([...server.documents.keys()]).toEqual(ids.slice(3));
    expect(ids.slice(3).map((id) => server.documents.get(id)!.source.message)).toEqual(MASKED);
    expect(server.documents.get(ids[4]!)!.source).toMatchObject({
      json: { user: { email: '[EMAIL]' }, card: '[CARD]' },
      log: { level: 'error' },
    });
    expect(logs.find((line) => line.msg === 'forwarded')).toMatchObject({
      dropped: 3,
      masked: 3,
      dropped_by_rule: { 'drop-health-checks': 2, 'no-synthetic': 1 },
      masked_by_rule: { pii: 3 },
    });
    expect(ruleMetrics(metrics)).toEqual(EXPECTED_METRICS);
  });
});

describe('one event whose screening fails never fails its payload', () => {
  it('a JSON message nested 20,000 levels deep with escapes is masked as text; a throwing screen dead-letters one event', async () => {
    const deep = '{"a":'.repeat(20_000) + '"\\u00e9 bob@example.com"' + '}'.repeat(20_000);
    const server = await new BulkServer().start();
    const dead: unknown[] = [];
    const spy = jest.spyOn(GroupScreen.prototype, 'droppedBy').mockImplementation(function (
      this: GroupScreen,
      message,
    ) {
      if (message === 'poison') throw new RangeError('Maximum call stack size exceeded');
      return undefined;
    });
    try {
      const pipeline = createPipeline(
        { ...ENV, DESTINATION_URL: server.url },
        { deadLetters: { put: async (entries) => (dead.push(...entries), 'memory') } },
      );
      const payload = logsData([
        { message: deep },
        { message: 'poison' },
        { message: 'mail ana@example.com' },
      ]);
      const report = await forwardSubscription(
        pipeline,
        subscriptionEvent(payload),
        context,
        new Logger({}, 'error'),
      );
      expect(report).toMatchObject({ received: 3, delivered: 2, dead_lettered: 1, failed: 0 });
      const [first, , third] = payload.logEvents.map(
        (event) => server.documents.get(event.id)?.source.message,
      );
      expect(String(first)).toContain('[EMAIL]');
      expect(third).toBe('mail [EMAIL]');
      expect(dead).toEqual([
        expect.objectContaining({ reason: 'screen: RangeError: Maximum call stack size exceeded' }),
      ]);
    } finally {
      spy.mockRestore();
      await server.stop();
    }
  });
});

describe('filters and masks on the Kinesis path', () => {
  it('screens subscription payloads in records and Fluent Bit lines ("*" groups), JSON fields deep', async () => {
    const server = await new BulkServer().start();
    const { logs, metrics, log, sink } = capture();
    try {
      const kinesis = createKinesisSource(
        createPipeline({ ...ENV, DESTINATION_URL: server.url }, { metrics: sink }),
      );
      const event = kinesisEvent([
        gzipSync(JSON.stringify(data)),
        fluentBitLine({ log: 'GET /health 200', pod: 'web-1' }) +
          fluentBitLine({ log: 'paid by 5500 0000 0000 0004', customer: { email: 'eve@example.org' } }) +
          'raw text line from 10.1.2.3\n',
      ]);
      const response = await forwardKinesis(kinesis, event, context, log);
      expect(response.batchItemFailures).toEqual([]);
    } finally {
      await server.stop();
    }
    const sources = [...server.documents.values()].map((doc) => doc.source);
    expect(ids.slice(3).map((id) => server.documents.get(id)!.source.message)).toEqual(MASKED);
    expect(sources).toHaveLength(5);
    expect(sources).toContainEqual(
      expect.objectContaining({ message: 'paid by [CARD]', customer: { email: '[EMAIL]' } }),
    );
    expect(sources).toContainEqual(expect.objectContaining({ message: 'raw text line from [IPV4]' }));
    expect(sources.some((source) => String(source.message).includes('/health'))).toBe(false);
    expect(logs.find((line) => line.msg === 'kinesis batch forwarded')).toMatchObject({
      dropped: 4,
      masked: 5,
      dropped_by_rule: { 'drop-health-checks': 3, 'no-synthetic': 1 },
    });
    expect(ruleMetrics(metrics)).toMatchObject({ 'drop-health-checks': { Dropped: 3 }, pii: { Masked: 5 } });
  });
});

describe('filters and masks in the splitter', () => {
  const documents = loadDocumentStep({ RULES_FILE: rulesFile });

  it('documents are filtered and masked; the archive keeps every event, masked', async () => {
    const archived: Array<{ context: LogStreamContext; event: CloudWatchLogEvent }> = [];
    const counts = newRuleCounts();
    const out = await split(multiMember([data]), {
      documents,
      counts,
      archive: { write: (context, event) => void archived.push({ context, event }) },
    });
    expect(out.error).toBeUndefined();
    expect(out.docs.map((doc: LogDocument) => doc._id)).toEqual(ids.slice(3));
    expect(out.docs.map((doc: LogDocument) => doc._source.message)).toEqual(MASKED);
    // The archive is the copy that never loses an event: filtered events stay, masked like the rest.
    expect(archived.map((a) => a.event.id)).toEqual(ids);
    expect(archived.map((a) => a.event.message)).toEqual([
      '[IPV4] - - "GET /health HTTP/1.1" 200',
      ...MESSAGES.slice(1, 3),
      ...MASKED,
    ]);
    // The filtered health check was masked for the archive: 4 events masked.
    expect(counts.tally.logFields()).toEqual({
      dropped: 3,
      masked: 4,
      dropped_by_rule: { 'drop-health-checks': 2, 'no-synthetic': 1 },
      masked_by_rule: { pii: 4 },
    });
  });

  it('masks extractedFields in the archive too', async () => {
    const withFields = logsData([
      { message: 'user bob@example.com', extractedFields: { user: 'bob@example.com', n: '1' } },
    ]);
    const archived: CloudWatchLogEvent[] = [];
    await split(multiMember([withFields]), {
      documents,
      archive: { write: (_context, event) => void archived.push(event) },
    });
    expect(archived[0]).toMatchObject({
      message: 'user [EMAIL]',
      extractedFields: { user: '[EMAIL]', n: '1' },
    });
  });

  it('raw lines of an object: "*" filters and masks apply', async () => {
    const counts = newRuleCounts();
    const body = Buffer.from('GET /health 200\nfrom 10.9.8.7 by x@y.io\n');
    const out = await split(body, { documents, counts });
    expect(out.docs.map((doc: LogDocument) => doc._source.message)).toEqual(['from [IPV4] by [EMAIL]']);
    expect(counts.tally.logFields()).toMatchObject({ dropped: 1, masked: 1 });
  });

  it('gives the same documents as the subscription path (same ids, same masked sources)', async () => {
    const out = await split(newlineDelimited([data]), { documents });
    const server = await new BulkServer().start();
    try {
      const pipeline = createPipeline({
        RULES_FILE: rulesFile,
        DESTINATION_URL: server.url,
        DESTINATION_GZIP: 'false',
      });
      await forwardSubscription(pipeline, subscriptionEvent(data), context, new Logger({}, 'error'));
    } finally {
      await server.stop();
    }
    for (const doc of out.docs)
      expect(server.documents.get(doc._id)).toEqual({ index: doc._index, source: doc._source });
    expect(out.docs).toHaveLength(server.documents.size);
  });
});

describe('filters and masks in the splitter function (s3rver, the real SDK, a _bulk server)', () => {
  it('indexes the screened documents, archives every event masked, publishes Dropped/Masked by rule', async () => {
    const s3 = await new LocalS3(['raw', 'archive']).start();
    const server = await new BulkServer().start();
    const { logs, metrics, log, sink } = capture();
    try {
      const splitter = createSplitter(
        {
          ...ENV,
          AWS_LAMBDA_FUNCTION_NAME: 'logpipe-dev-splitter',
          AWS_REGION: 'ap-northeast-2',
          DESTINATION_URL: server.url,
          RAW_LOGS_BUCKET: 'raw',
          ARCHIVE_BUCKET: 'archive',
          ARCHIVE_PREFIX: 'archive',
        },
        { s3: s3.client, metrics: sink },
      );
      await s3.put('raw', 'firehose/object-1', multiMember([data]));
      const event = {
        Records: [{ s3: { bucket: { name: 'raw' }, object: { key: 'firehose/object-1', size: 1 } } }],
      } as unknown as S3Event;
      await splitS3Event(splitter, event, context, log);
      const [key] = await s3.keys('archive');
      const archived = gunzipSync(await s3.get('archive', key!))
        .toString('utf8')
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as { id: string; message: string });
      expect(archived.map((line) => line.id)).toEqual(ids);
      expect(archived.map((line) => line.message).join('\n')).not.toMatch(/bob@|ana@|AKIA|10\.0\.0\.7/);
    } finally {
      await server.stop();
      await s3.stop();
    }
    expect([...server.documents.keys()]).toEqual(ids.slice(3));
    expect(logs.find((line) => line.msg === 'object split')).toMatchObject({
      dropped: 3,
      masked: 4,
      archived: 1,
    });
    expect(ruleMetrics(metrics)).toMatchObject({
      'drop-health-checks': { Dropped: 2 },
      'no-synthetic': { Dropped: 1 },
      pii: { Masked: 4 },
    });
  });
});
