import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describeEachEngine, engineUrl } from '../peers/engine-env';
import { coldStart, type Handler } from '../support/cold-start';
import { EngineClient } from '../support/engine-client';
import { emfMetricsOf, quiet } from '../support/logging';
import { LocalS3 } from '../support/s3';
import { eventId, logsData, subscriptionEvent } from '../support/subscription';
import { lambdaContext } from '../support/lambda';

/**
 * INDEX_MODE=datastream against real nodes: search:setup's template makes `logs-*-<namespace>`
 * data streams, the deployed forwarder writes to them with `create`, and what exactly-once means
 * there: a redelivery is answered 409 within the same backing index, but after a rollover the
 * same `_id` lands in the new write index (a duplicate: the documented limit).
 */
const RUN = Date.now().toString(36);
const DEAD = 'logpipe-dead-letters-ds';
const context = lambdaContext({
  remainingMs: 300_000,
  awsRequestId: 'data-stream-test',
  functionName: 'logpipe-test-forwarder',
});

/** The last EMF metric line the function printed while `run` ran. */
const metricsOf = async (run: () => Promise<unknown>) => (await emfMetricsOf(run)).at(-1) ?? {};

describeEachEngine('data streams on a real node', (kind) => {
  const namespace = `ds${kind.slice(0, 2)}${RUN}`;
  const stream = `logs-aws.lambda.orders-${namespace}`;
  let engine: EngineClient;
  let s3: LocalS3;
  let forward: Handler;
  let rulesDir: string;
  const savedEnv = { ...process.env };
  const env = () => ({
    DESTINATION_URL: engine.url,
    INDEX_MODE: 'datastream',
    DATA_STREAM_NAMESPACE: namespace,
  });

  beforeAll(async () => {
    engine = new EngineClient(await engineUrl(kind));
    s3 = await new LocalS3([DEAD]).start();
    rulesDir = mkdtempSync(join(tmpdir(), 'ds-rules-'));
    // One rule routes access lines to their own dataset; another writes an object into a keyword field,
    // so the engine refuses those documents (dead letters in data stream mode).
    writeFileSync(
      join(rulesDir, 'rules.json'),
      JSON.stringify({
        rules: [
          {
            name: 'access',
            match: { fields: [{ field: 'message', regex: '^GET ' }] },
            index: { prefix: 'api-access', date: 'monthly' },
          },
          {
            name: 'refused',
            match: { fields: [{ field: 'message', equals: 'refuse me' }] },
            add: { 'log.level': { not: 'a keyword' } },
          },
        ],
      }),
    );
    Object.assign(process.env, {
      ...s3.clientEnv,
      AWS_LAMBDA_FUNCTION_NAME: 'logpipe-test-forwarder',
      LOG_LEVEL: 'error',
    });
  }, 330_000);
  afterAll(async () => {
    process.env = savedEnv;
    await s3?.stop();
    rmSync(rulesDir, { recursive: true, force: true });
  });

  it('search:setup installs the data stream template (and on Elasticsearch its lifecycle)', async () => {
    const { runSearchSetup } = await import('../../tools/search/run');
    const printed: string[] = [];
    const deps = { env: env(), printStage: async () => ({}), print: (text: string) => printed.push(text) };
    const name = `logpipe-logs-${namespace}`;
    if (kind === 'elasticsearch') {
      // Elasticsearch 9: retention is the data stream lifecycle, in the server: no ILM needed.
      expect(await runSearchSetup([], deps)).toBe(0);
      expect(printed.join('\n')).toMatch(/retention policy: skipped \(data stream lifecycle/);
    } else {
      await expect(runSearchSetup([], deps)).rejects.toThrow(/no ISM plugin/);
      expect(await runSearchSetup(['--no-retention'], deps)).toBe(0);
    }
    const held = (await engine.ok('GET', `/_index_template/${name}`)).index_templates[0].index_template;
    expect(held.index_patterns).toEqual([`logs-*-${namespace}`]);
    expect(held.data_stream).toBeDefined();
    expect(held.template.mappings.dynamic).toBe(false);
    if (kind === 'elasticsearch') expect(held.template.lifecycle.data_retention).toBe('30d');
    printed.length = 0;
    expect(await runSearchSetup(kind === 'elasticsearch' ? [] : ['--no-retention'], deps)).toBe(0);
    expect(printed.join('\n')).toContain(`index template ${name}: unchanged`);
  });

  it('a redelivery is one document (409 in the same backing index); after a rollover it is two', async () => {
    forward = coldStart('forwarder', { ...env(), DEAD_LETTER_BUCKET: DEAD, RULES_FILE: '' });
    const payload = subscriptionEvent(
      logsData([1, 2, 3].map((n) => ({ id: eventId(n, 1111111111), message: `order ${n}` }))),
    );
    const first = await metricsOf(() => forward(payload, context));
    expect(first).toMatchObject({ EventsIn: 3, Delivered: 3, Duplicates: 0 });
    expect(await engine.count(stream)).toBe(3);
    const backing = await engine.ok('GET', `/${stream}/_settings/index.number_of_shards`);
    expect(Object.keys(backing)).toHaveLength(1);
    expect(Object.keys(backing)[0]).toMatch(/^\.ds-logs-aws\.lambda\.orders-/);

    // Lambda's retry of the same payload: the write index holds those ids, every create is a 409.
    const again = await metricsOf(() => forward(payload, context));
    expect(again).toMatchObject({ EventsIn: 3, Delivered: 0, Duplicates: 3, DeadLettered: 0 });
    expect(await engine.count(stream)).toBe(3);

    // The known limit: `_id` is unique per backing index only. After a rollover, the same
    // redelivery lands in the new write index, which has never seen those ids.
    await engine.ok('POST', `/${stream}/_rollover`);
    const afterRollover = await metricsOf(() => forward(payload, context));
    expect(afterRollover).toMatchObject({ EventsIn: 3, Delivered: 3, Duplicates: 0 });
    expect(await engine.count(stream)).toBe(6);
    expect(await engine.count(stream, { term: { _id: eventId(1, 1111111111) } })).toBe(2);
    // And from then on the new write index answers 409 again.
    const third = await metricsOf(() => forward(payload, context));
    expect(third).toMatchObject({ Delivered: 0, Duplicates: 3 });
    expect(await engine.count(stream)).toBe(6);
  });

  it("a rule's index routing names the dataset; a refused document is dead-lettered with the stream, and replayed after the fix", async () => {
    const ruled = coldStart('forwarder', {
      ...env(),
      DEAD_LETTER_BUCKET: DEAD,
      DEAD_LETTER_PREFIX: `dead-letter/${namespace}/`,
      RULES_FILE: join(rulesDir, 'rules.json'),
    });
    const events = [
      { id: eventId(1, 2222222222), message: 'GET /orders 200' },
      { id: eventId(2, 2222222222), message: 'refuse me' },
      { id: eventId(3, 2222222222), message: 'plain' },
    ];
    const metrics = await metricsOf(() =>
      ruled(subscriptionEvent(logsData(events, { logGroup: '/ecs/shop' })), context),
    );
    expect(metrics).toMatchObject({ EventsIn: 3, Delivered: 2, DeadLettered: 1, Failed: 0 });
    expect(await engine.count(`logs-api_access-${namespace}`)).toBe(1);
    expect(await engine.count(`logs-ecs.shop-${namespace}`)).toBe(1);
    const keys = await s3.keys(DEAD, `dead-letter/${namespace}/`);
    expect(keys).toHaveLength(1);
    const letters = gunzipSync(await s3.get(DEAD, keys[0]!))
      .toString('utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(letters).toHaveLength(1);
    // The stream's name, not a backing index: a replay writes to whatever the write index is then.
    expect(letters[0].document._index).toBe(`logs-ecs.shop-${namespace}`);
    expect(letters[0].document._id).toBe(eventId(2, 2222222222));
    expect(letters[0].reason).toMatch(/^400 (mapper|document)_parsing_exception/);

    // The fix for a stream: a template whose mapping takes the field, then a rollover (the new
    // write index is made from it); the replay sends the document to the stream again, same _id.
    const name = `logpipe-logs-${namespace}`;
    const template = (await engine.ok('GET', `/_index_template/${name}`)).index_templates[0].index_template;
    template.template.mappings.properties.log = { type: 'object', enabled: false };
    // What the engine adds to a template it holds is not taken back.
    for (const key of [
      '_meta',
      'created_date',
      'created_date_millis',
      'modified_date',
      'modified_date_millis',
    ])
      delete template[key];
    await engine.ok('PUT', `/_index_template/${name}`, template);
    await engine.ok('POST', `/logs-ecs.shop-${namespace}/_rollover`);
    const { runReplay } = await import('../../tools/replay/run');
    const printed: string[] = [];
    const replay = () =>
      runReplay(['--stage', 'test', '--bucket', DEAD, '--destination-url', engine.url], {
        env: {},
        readFunctionConfig: () => Promise.reject(new Error('not called')),
        s3: () => s3.client,
        print: (text) => printed.push(text),
        log: quiet,
      });
    expect(await replay()).toBe(0);
    expect(printed.at(-1)).toMatch(/1 documents replayed: 1 indexed/);
    expect(await engine.count(`logs-ecs.shop-${namespace}`)).toBe(2);
    expect(await engine.count(`logs-ecs.shop-${namespace}`, { term: { _id: eventId(2, 2222222222) } })).toBe(
      1,
    );
    expect(await s3.keys(DEAD, `dead-letter/${namespace}/`)).toEqual([]);
    expect(await replay()).toBe(0);
    expect(printed.at(-1)).toMatch(/: 0 documents replayed/);
  });
});
