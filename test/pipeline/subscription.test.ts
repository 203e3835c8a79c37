import { Writable } from 'node:stream';
import { deflateSync } from 'node:zlib';
import { DecodeError } from '../../libs/forwarding/decoding/subscription';
import { StdoutTransport } from '../../libs/forwarding/destinations/stdout';
import { loadDestinationConfig, type DeadLetter } from '../../libs/forwarding/destinations';
import { loadDocumentConfig } from '../../libs/forwarding/documents/config';
import { createPipeline } from '../../libs/forwarding/pipeline/pipeline';
import { forwardSubscription } from '../../libs/forwarding/sources/subscription';
import { Logger } from '../../libs/runtime/logger';
import { BulkServer } from '../support/bulk-server';
import { logsData, subscriptionEvent } from '../support/subscription';
import { quiet } from '../support/logging';
import { fixture as loadFixture } from '../support/fixtures';
import { testInvocation } from '../support/lambda';

const context = testInvocation({ remainingMs: 60000, awsRequestId: 'req-1' });
const fixture = (name: string): unknown => loadFixture('forwarder', name);

describe('forwardSubscription', () => {
  it('with no configuration, prints one JSON document per line on stdout', async () => {
    let out = '';
    const sink = new Writable({ write: (chunk, _enc, done) => ((out += String(chunk)), done()) });
    const forwarder = createPipeline({}, { transport: new StdoutTransport(sink) });
    await forwardSubscription(forwarder, fixture('lambda-invocation.json'), context, quiet);
    const lines = out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { _id: string; _index: string });
    expect(lines).toHaveLength(5);
    expect(lines[0]!._index).toBe('cwl-2024.11.20');
  });

  it('indexes a zlib payload of an account-level policy like any other, and logs its policy level', async () => {
    let out = '';
    const sink = new Writable({ write: (chunk, _enc, done) => ((out += String(chunk)), done()) });
    const lines: string[] = [];
    const log = new Logger({}, 'info', { write: (line: string) => lines.push(line) });
    const forwarder = createPipeline({}, { transport: new StdoutTransport(sink) });
    const data = logsData([{ message: 'from every group' }], { policyLevel: 'ACCOUNT_LEVEL_POLICY' });
    const event = { awslogs: { data: deflateSync(JSON.stringify(data)).toString('base64') } };
    await forwardSubscription(forwarder, event, context, log);
    const doc = JSON.parse(out) as { _id: string; _source: Record<string, unknown> };
    expect(doc._id).toBe(data.logEvents[0]!.id);
    // Not in the document: the same event is the same document whichever subscription brought it.
    expect(out).not.toContain('ACCOUNT_LEVEL_POLICY');
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({ msg: 'forwarded', policy_level: 'ACCOUNT_LEVEL_POLICY' }),
    );
  });

  it('delivers a subscription payload to _bulk and skips control messages', async () => {
    const server = await new BulkServer().start();
    try {
      const forwarder = createPipeline({
        DESTINATION_URL: server.url,
        INDEX_PREFIX: 'logs',
        INDEX_TIMEZONE: 'Asia/Seoul',
      });
      const report = await forwardSubscription(
        forwarder,
        fixture('lambda-console-lines.json'),
        context,
        quiet,
      );
      expect(report).toMatchObject({ received: 1, delivered: 1 });
      expect(server.documents.get('38627627955484818852768098168489833298904231245367279618')?.index).toBe(
        'logs-2024.11.21',
      );
      expect(
        await forwardSubscription(forwarder, fixture('control-message.json'), context, quiet),
      ).toBeUndefined();
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.stop();
    }
  });

  it('dead-letters a malformed log event and delivers the others', async () => {
    const server = await new BulkServer().start();
    const dead: DeadLetter[] = [];
    try {
      const forwarder = createPipeline(
        { DESTINATION_URL: server.url },
        { deadLetters: { put: async (entries) => (dead.push(...entries), 'memory') } },
      );
      const event = subscriptionEvent(logsData([{}, { id: 42 as unknown as string }, {}]));
      const report = await forwardSubscription(forwarder, event, context, quiet);
      expect(report).toMatchObject({ received: 3, delivered: 2, dead_lettered: 1 });
      expect(dead[0]).toMatchObject({
        reason: 'log event has no string "id"',
        logGroup: '/aws/lambda/orders',
      });
    } finally {
      await server.stop();
    }
  });

  it('fails the invocation on an undecodable payload and logs what was wrong, not the payload', async () => {
    const lines: string[] = [];
    const log = new Logger({}, 'info', { write: (line: string) => lines.push(line) });
    const forwarder = createPipeline({});
    await expect(
      forwardSubscription(forwarder, { awslogs: { data: 'bm90IGd6aXA=' } }, context, log),
    ).rejects.toThrow(DecodeError);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'error',
      msg: 'subscription event rejected',
      stage: 'compression',
    });
    expect(lines[0]).not.toContain('bm90IGd6aXA=');
  });
});

describe('configuration', () => {
  it.each([
    [
      { DESTINATION_KIND: 'elasticsearch' },
      'DESTINATION_URL: is required when DESTINATION_KIND is elasticsearch',
    ],
    [{ DESTINATION_URL: 'ftp://x' }, 'DESTINATION_URL: must use http or https (scheme not shown)'],
    [{ DESTINATION_URL: 'https://user:pw@x' }, 'DESTINATION_URL: must not contain credentials'],
    [
      { DESTINATION_URL: 'http://x', DESTINATION_KIND: 'kafka' },
      'DESTINATION_KIND: must be one of elasticsearch, logstash, stdout, got "kafka"',
    ],
    [
      { DESTINATION_URL: 'http://x', DESTINATION_AUTH: 'basic' },
      'DESTINATION_CREDENTIALS: is required when DESTINATION_AUTH is basic',
    ],
    [
      { DESTINATION_URL: 'http://x', DESTINATION_AUTH: 'apikey', DESTINATION_CREDENTIALS: 'vault:x' },
      'DESTINATION_CREDENTIALS: must look like',
    ],
    [
      { DESTINATION_URL: 'http://localhost', DESTINATION_AUTH: 'sigv4' },
      'DESTINATION_REGION: is required for sigv4',
    ],
    [{ BATCH_MAX_DOCS: '0' }, 'BATCH_MAX_DOCS: must be >= 1, got 0'],
    [{ DESTINATION_CONCURRENCY: 'four' }, 'DESTINATION_CONCURRENCY: must be an integer, got "four"'],
    [{ DESTINATION_GZIP: 'maybe' }, 'DESTINATION_GZIP: must be true or false, got "maybe"'],
  ])('%j fails with "%s"', (env, message) => {
    expect(() => loadDestinationConfig(env)).toThrow(message);
  });

  it('infers SigV4 service and region from an Amazon OpenSearch endpoint', () => {
    const es = loadDestinationConfig({
      DESTINATION_URL: 'https://search-logs-abc.ap-northeast-2.es.amazonaws.com',
      DESTINATION_AUTH: 'sigv4',
    });
    expect(es.auth).toEqual({ kind: 'sigv4', service: 'es', region: 'ap-northeast-2' });
    const aoss = loadDestinationConfig({
      DESTINATION_URL: 'https://abc123.us-east-1.aoss.amazonaws.com',
      DESTINATION_AUTH: 'sigv4',
    });
    expect(aoss.auth).toEqual({ kind: 'sigv4', service: 'aoss', region: 'us-east-1' });
  });

  it.each([
    [{ INDEX_PREFIX: 'Logs' }, 'INDEX_PREFIX: "Logs" is not a valid index name start'],
    [{ INDEX_TIMEZONE: 'Mars/Olympus' }, 'INDEX_TIMEZONE: is not a known IANA time zone: "Mars/Olympus"'],
  ])('documents config %j fails with "%s"', (env, message) => {
    expect(() => loadDocumentConfig(env)).toThrow(message);
  });
});

describe('metrics', () => {
  it('publishes one EMF line per invocation with the delivery counts', async () => {
    const server = await new BulkServer({
      itemFault: (item, attempt) => (item.id.endsWith('1') && attempt === 1 ? 429 : undefined),
    }).start();
    const lines: string[] = [];
    try {
      const forwarder = createPipeline(
        {
          DESTINATION_URL: server.url,
          RETRY_BASE_DELAY_MS: '1',
          METRICS_SERVICE: 'logpipe-dev',
          AWS_LAMBDA_FUNCTION_NAME: 'logpipe-dev-forwarder',
        },
        {
          metrics: { write: (line: string) => lines.push(line) },
          deadLetters: { put: async () => 'memory' },
        },
      );
      await forwardSubscription(
        forwarder,
        subscriptionEvent(logsData([{}, {}, { id: undefined }])),
        context,
        quiet,
      );
    } finally {
      await server.stop();
    }
    expect(lines).toHaveLength(1);
    const emf = JSON.parse(lines[0]!);
    expect(emf._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'logpipe',
      Dimensions: [['Service', 'Function']],
    });
    expect(emf).toMatchObject({
      Service: 'logpipe-dev',
      Function: 'forwarder',
      EventsIn: 3,
      Delivered: 2,
      Retried: 1,
      DeadLettered: 1,
      Failed: 0,
    });
  });
});
