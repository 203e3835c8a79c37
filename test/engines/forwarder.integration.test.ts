/* eslint-disable @typescript-eslint/no-explicit-any -- documents and answers read field by field */
import type { S3Event } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { decodeSubscriptionEvent } from '../../libs/forwarding/decoding/subscription';
import { documentsFromLogsData } from '../../libs/forwarding/documents/build';
import { documentOptions, loadDocumentConfig } from '../../libs/forwarding/documents/config';
import { describeEachEngine, engineUrl } from '../peers/engine-env';
import { coldStart, type Handler } from '../support/cold-start';
import { EngineClient } from '../support/engine-client';
import { MIXED_START, mixedSubscription } from '../support/mixed-payload';
import { LocalS3 } from '../support/s3';
import { eventId, logsData, subscriptionEvent } from '../support/subscription';
import { emfMetricsOf } from '../support/logging';
import { lambdaContext } from '../support/lambda';

/**
 * The deployed forwarder (functions/forwarder/handler.ts, loaded as Lambda loads it, configured
 * by its environment) and the splitter against real OpenSearch and Elasticsearch nodes.
 */
const EVENTS = 10_000;
/** Index prefixes unique to this run: a node reused across runs (`npm run engine`) keeps old data. */
const RUN = Date.now().toString(36);
const DEAD = 'logpipe-dead-letters-test';
const RAW = 'logpipe-raw-logs-test';
const context = lambdaContext({
  remainingMs: 300_000,
  awsRequestId: 'engine-test',
  functionName: 'logpipe-test-forwarder',
});
const seedFixture = JSON.parse(
  readFileSync(join(__dirname, '../fixtures/forwarder/lambda-console-lines.json'), 'utf8'),
) as unknown;
const s3PutFixture = JSON.parse(
  readFileSync(join(__dirname, '../fixtures/splitter/s3-put.json'), 'utf8'),
) as S3Event;

describeEachEngine('forwarder and splitter into a real node', (kind) => {
  let engine: EngineClient;
  let s3: LocalS3;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    engine = new EngineClient(await engineUrl(kind));
    s3 = await new LocalS3([DEAD, RAW]).start();
    Object.assign(process.env, {
      ...s3.clientEnv,
      AWS_LAMBDA_FUNCTION_NAME: 'logpipe-test-forwarder',
      LOG_LEVEL: 'error',
    });
  }, 330_000);
  afterAll(async () => {
    process.env = savedEnv;
    await s3?.stop();
  });

  it('search:setup writes a template the engine holds: closed mapping, json as one flat field', async () => {
    const { runSearchSetup } = await import('../../tools/search/run');
    const printed: string[] = [];
    const deps = {
      env: { DESTINATION_URL: engine.url, INDEX_PREFIX: `setup-${RUN}` },
      printStage: async () => ({}),
      print: (text: string) => printed.push(text),
    };
    // Neither retention plugin is among the published jars: the run says so and writes nothing.
    await expect(runSearchSetup([], deps)).rejects.toThrow(
      kind === 'elasticsearch' ? /no ILM/ : /no ISM plugin/,
    );
    expect((await engine.request('GET', `/_index_template/logpipe-setup-${RUN}`)).status).toBe(404);

    expect(await runSearchSetup(['--no-retention'], deps)).toBe(0);
    const held = await engine.ok('GET', `/_index_template/logpipe-setup-${RUN}`);
    const template = held.index_templates[0].index_template;
    expect(template.index_patterns).toEqual([`setup-${RUN}-*`]);
    expect(template.template.mappings.dynamic).toBe(false);
    expect(template.template.mappings.properties.json.type).toBe(
      kind === 'elasticsearch' ? 'flattened' : 'flat_object',
    );
    // A second run compares fingerprints and writes nothing.
    expect(await runSearchSetup(['--no-retention'], deps)).toBe(0);
    expect(printed.at(-1)).toContain(`index template logpipe-setup-${RUN}: unchanged`);
  });

  describe('the deployed forwarder', () => {
    const prefix = `fwd-${kind.slice(0, 2)}-${RUN}`;
    let forward: Handler;

    beforeAll(async () => {
      const { runSearchSetup } = await import('../../tools/search/run');
      await runSearchSetup(['--no-retention'], {
        env: { DESTINATION_URL: engine.url, INDEX_PREFIX: prefix },
        printStage: async () => ({}),
        print: () => undefined,
      });
      forward = coldStart('forwarder', {
        DESTINATION_URL: engine.url,
        INDEX_PREFIX: prefix,
        DEAD_LETTER_BUCKET: DEAD,
      });
    });

    it('indexes a real Lambda console payload: the document the engine holds is the one built', async () => {
      await forward(seedFixture, context);
      expect(await engine.count(`${prefix}-*`)).toBe(1);
      const doc = await engine.ok(
        'GET',
        `/${prefix}-2024.11.20/_doc/38627627955484818852768098168489833298904231245367279618`,
      );
      expect(doc._source.log.level).toBe('info');
      expect(doc._source.aws.lambda.request_id).toBe('830e95c2-4983-4e72-99f1-1aa410a0ffb0');
    });

    it('indexes 10,000 mixed events exactly once; the engine’s own queries prove the types', async () => {
      const payload = mixedSubscription(EVENTS);
      const built = [
        ...documentsFromLogsData(
          decodeSubscriptionEvent(payload),
          documentOptions(loadDocumentConfig({ INDEX_PREFIX: prefix })),
          () => undefined,
        ),
      ];
      const first = await emfMetricsOf(() => forward(payload, context));
      const pattern = `${prefix}-2024.11.*`;
      expect(await engine.count(pattern)).toBe(EVENTS + 1);
      expect(first.at(-1)).toMatchObject({ EventsIn: EVENTS, Delivered: EVENTS, Duplicates: 0 });

      const firstHour = {
        range: {
          '@timestamp': {
            gte: new Date(MIXED_START).toISOString(),
            lt: new Date(MIXED_START + 1000_000).toISOString(),
          },
        },
      };
      expect(await engine.count(pattern, firstHour)).toBe(1000);
      const slowReports = built.filter(
        (d) => Number((d._source as any).aws?.lambda?.report?.duration_ms) >= 500,
      ).length;
      expect(slowReports).toBe(500);
      expect(await engine.count(pattern, { range: { 'aws.lambda.report.duration_ms': { gte: 500 } } })).toBe(
        slowReports,
      );
      const errors = built.filter((d) => (d._source as any).log?.level === 'error').length;
      expect(errors).toBeGreaterThan(1000);
      expect(await engine.count(pattern, { term: { 'log.level': 'error' } })).toBe(errors);
      expect(await engine.count(pattern, { match: { 'json.orderId': 'order-13' } })).toBe(1);
      expect(await engine.count(pattern, { match: { message: '주문이' } })).toBe(EVENTS / 10);

      // Lambda's retry of the same payload: nothing new, every document answered as a duplicate.
      const again = await emfMetricsOf(() => forward(payload, context));
      expect(await engine.count(pattern)).toBe(EVENTS + 1);
      expect(again.at(-1)).toMatchObject({ EventsIn: EVENTS, Delivered: 0, Duplicates: EVENTS });
    });

    it('dead-letters what the engine refuses (400, with its reason) and indexes every other event', async () => {
      // Without search:setup the engine maps JSON keys dynamically: `status` becomes a long from
      // the first line, and a later line with text there is refused with mapper_parsing_exception.
      const untemplated = `raw-${kind.slice(0, 2)}-${RUN}`;
      const refusing = coldStart('forwarder', {
        DESTINATION_URL: engine.url,
        INDEX_PREFIX: untemplated,
        DEAD_LETTER_BUCKET: DEAD,
        DEAD_LETTER_PREFIX: `dead-letter/${kind}-${RUN}/`,
      });
      await refusing(subscriptionEvent(logsData([{ id: eventId(100), message: '{"status":200}' }])), context);
      const events = Array.from({ length: 50 }, (_, i) => ({
        message: i === 20 ? '{"status":"not a number"}' : `{"status":${200 + i}}`,
      }));
      const [metrics] = await emfMetricsOf(() =>
        refusing(subscriptionEvent(logsData(events, { logStream: 'second' })), context),
      );
      expect(metrics).toMatchObject({ EventsIn: 50, DeadLettered: 1 });
      expect(await engine.count(`${untemplated}-*`)).toBe(50);
      const keys = await s3.keys(DEAD, `dead-letter/${kind}-${RUN}/`);
      expect(keys).toHaveLength(1);
      const [letter] = gunzipSync(await s3.get(DEAD, keys[0]!))
        .toString('utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(letter.document._source.message).toBe('{"status":"not a number"}');
      expect(letter.reason).toMatch(/mapper_parsing_exception|document_parsing_exception/);
      expect(letter.reason).toMatch(/status/);
    });

    it('a JSON value over 32 KiB: cut under json (the whole line in message), indexed by both engines', async () => {
      // A day of its own, so the November counts of the other tests stay exact.
      const DECEMBER = Date.UTC(2024, 11, 1);
      // flat_object takes no ignore_above: a term over 32,766 bytes made OpenSearch refuse the
      // whole document ("immense term in field=json._value"). Long strings are now cut at build.
      const long = 'y'.repeat(39_999) + '😀';
      const events = [
        { id: eventId(500), timestamp: DECEMBER, message: `{"level":"info","payload":"${long}"}` },
        {
          id: eventId(501),
          timestamp: DECEMBER,
          message: `{"level":"info","items":["${'가'.repeat(12_000)}"]}`,
        },
        { id: eventId(502), timestamp: DECEMBER, message: '{"level":"info","payload":"small"}' },
      ];
      const [metrics] = await emfMetricsOf(() =>
        forward(subscriptionEvent(logsData(events, { logStream: 'immense' })), context),
      );
      expect(metrics).toMatchObject({ Delivered: 3, DeadLettered: 0 });
      const stored = await engine.count(`${prefix}-2024.12.*`, {
        term: { 'aws.cloudwatch.log_stream': 'immense' },
      });
      expect(stored).toBe(3);
      const doc = await engine.ok('GET', `/${prefix}-2024.12.01/_doc/${eventId(500)}`);
      expect(doc._source.message).toBe(events[0]!.message);
      expect(doc._source.json.payload).toMatch(
        /^y{8000}…\[cut: 40001 chars, the whole line is in message\]$/,
      );
      expect(await engine.count(`${prefix}-2024.12.*`, { match: { message: 'small' } })).toBe(1);
    });

    it('the splitter on a Firehose object of the same events adds no documents (same _id)', async () => {
      const data = decodeSubscriptionEvent(mixedSubscription(EVENTS));
      const key = 'firehose/2024/11/20/17/logpipe-logs-1-2024-11-20-17-05-01-3f1c2b7e.gz';
      await s3.put(RAW, key, gzipSync(JSON.stringify(data)));
      const split = coldStart('splitter', {
        DESTINATION_URL: engine.url,
        INDEX_PREFIX: prefix,
        RAW_LOGS_BUCKET: RAW,
        RAW_LOGS_PREFIX: 'firehose/',
      });
      const event = structuredClone(s3PutFixture);
      event.Records[0]!.s3.bucket.name = RAW;
      event.Records[0]!.s3.object.key = key;
      event.Records[0]!.s3.object.size = 1;
      await split(event, context);
      expect(await engine.count(`${prefix}-2024.11.*`)).toBe(EVENTS + 1);
    });
  });
});
