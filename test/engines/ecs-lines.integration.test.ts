import { describeEachEngine, engineUrl } from '../peers/engine-env';
import { coldStart } from '../support/cold-start';
import { EngineClient } from '../support/engine-client';
import { fixture } from '../support/fixtures';
import { lambdaContext } from '../support/lambda';

/**
 * ECS-formatted lines (dotted top-level keys such as "log.level" beside nested objects such as
 * "log": {"logger"}) through the deployed forwarder into real nodes, with the index template of
 * search:setup: `json` is one flattened / flat_object field, and the dotted keys stay as logged.
 */
const RUN = Date.now().toString(36);
const context = lambdaContext({ remainingMs: 300_000, awsRequestId: 'ecs-engine-test' });

describeEachEngine('ECS-formatted JSON lines into a real node', (kind) => {
  const prefix = `ecs-${kind.slice(0, 2)}-${RUN}`;
  const savedEnv = { ...process.env };
  let engine: EngineClient;

  beforeAll(async () => {
    engine = new EngineClient(await engineUrl(kind));
    const { runSearchSetup } = await import('../../tools/search/run');
    await runSearchSetup(['--no-retention'], {
      env: { DESTINATION_URL: engine.url, INDEX_PREFIX: prefix },
      printStage: async () => ({}),
      print: () => undefined,
    });
    Object.assign(process.env, { AWS_REGION: 'ap-northeast-2', LOG_LEVEL: 'error' });
  }, 330_000);
  afterAll(() => {
    process.env = savedEnv;
  });

  it('indexes every line; the level, the line’s own time and its dotted keys are all searchable', async () => {
    const forward = coldStart('forwarder', { DESTINATION_URL: engine.url, INDEX_PREFIX: prefix });
    await forward(fixture('forwarder', 'ecs-json-lines.json'), context);
    // Indices are the CloudWatch event's day: the line written before midnight and received
    // after it is in the next day's index, with its own time as @timestamp.
    expect(await engine.count(`${prefix}-2024.11.20`)).toBe(7);
    const late = await engine.ok(
      'GET',
      `/${prefix}-2024.11.21/_doc/38941132837173842453164329578204884573849188220000000007`,
    );
    expect(late._source['@timestamp']).toBe('2024-11-20T23:59:59.998Z');

    const all = `${prefix}-*`;
    expect(await engine.count(all, { term: { 'log.level': 'error' } })).toBe(3);
    expect(await engine.count(all, { term: { 'log.level': 'warn' } })).toBe(1);
    // The day of 2024-11-20 by the lines' own times holds all eight.
    const nov20 = { range: { '@timestamp': { gte: '2024-11-20T00:00:00Z', lt: '2024-11-21T00:00:00Z' } } };
    expect(await engine.count(all, nov20)).toBe(8);
    // A dotted key and a nested object are the same path inside json: "log.level" written dotted
    // (Node, Java) and "log": {"logger"} written nested (Python) are both found under json.log.*.
    expect(await engine.count(all, { term: { 'json.log.level': 'ERROR' } })).toBe(1);
    expect(await engine.count(all, { term: { 'json.log.logger': 'orders.worker' } })).toBe(1);
    expect(await engine.count(all, { term: { 'json.service.name': 'orders-api' } })).toBe(3);
    expect(await engine.count(all, { term: { 'json.trace.id': '4bf92f3577b34da6a3ce929d0e0e4736' } })).toBe(
      1,
    );
  });
});
