import type { KinesisStreamEvent } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeEachEngine, engineUrl } from '../peers/engine-env';
import { coldStart } from '../support/cold-start';
import { EngineClient } from '../support/engine-client';
import { ACCESS_LINE, EC2_METADATA, fluentBitLine, kinesisEvent } from '../support/kinesis';
import { lambdaContext } from '../support/lambda';

/**
 * The deployed forwarder on Kinesis records with rules per Fluent Bit logtype (a Fluent Bit →
 * Kinesis → Logstash pipeline as rules, test/fixtures/rules): the indices the rules route to exist on a real node, with the types the rules
 * declare (integer conversions become numeric fields), and a line whose typed field does not
 * convert is indexed, not refused.
 */
const fixture = JSON.parse(
  readFileSync(join(__dirname, '../fixtures/forwarder/kinesis-fluent-bit.json'), 'utf8'),
) as KinesisStreamEvent;
const context = lambdaContext({ remainingMs: 300_000, awsRequestId: 'kinesis-engine-test' });

describeEachEngine('Kinesis with rules into a real node', (kind) => {
  let engine: EngineClient;
  const savedEnv = { ...process.env };

  beforeAll(async () => {
    engine = new EngineClient(await engineUrl(kind));
  }, 330_000);
  afterAll(() => {
    process.env = savedEnv;
  });

  it('creates the routed indices with the declared types; a bad value never reaches the mapping', async () => {
    const forward = coldStart('forwarder', {
      DESTINATION_URL: engine.url,
      RULES_FILE: join(__dirname, '../fixtures/rules/fluent-bit-logtypes.json'),
      INDEX_PREFIX: 'cwl-dev',
      LOG_LEVEL: 'error',
    });
    expect(await forward(fixture, context)).toEqual({ batchItemFailures: [] });

    const indices = (await engine.ok('GET', '/_cat/indices/accesslog-*,api-*?format=json&h=index')).map(
      (row: { index: string }) => row.index,
    );
    expect(indices).toEqual(
      expect.arrayContaining([
        'accesslog-200010',
        'accesslog-202010',
        'api-requestlog-202010',
        'api-responselog-202010',
      ]),
    );
    const mapping = await engine.ok('GET', '/accesslog-200010/_mapping');
    const fields = mapping['accesslog-200010'].mappings.properties;
    expect(fields.code.type).toBe('long');
    expect(fields.size.type).toBe('long');
    expect(fields['@timestamp'].type).toBe('date');

    // The same route with text where the rule says integer: the rule takes the value out of
    // `code` (kept in parse_errors), so the engine's long field never sees it.
    const bad = ACCESS_LINE.replace(' 200 ', ' abc ');
    const second = kinesisEvent([fluentBitLine({ log: bad, logtype: 'accesslog', ...EC2_METADATA })]);
    second.Records[0]!.kinesis.sequenceNumber = '49590338271490256608559692538361571095921575989999999999';
    second.Records[0]!.eventID = `shardId-000000000000:${second.Records[0]!.kinesis.sequenceNumber}`;
    expect(await forward(second, context)).toEqual({ batchItemFailures: [] });
    await engine.ok('POST', '/accesslog-*/_refresh');
    const found = await engine.ok('POST', '/accesslog-200010/_search', {
      query: {
        term: { _id: 'shardId-000000000000-49590338271490256608559692538361571095921575989999999999-0' },
      },
    });
    expect(found.hits.hits).toHaveLength(1);
    expect(found.hits.hits[0]._source.code).toBeUndefined();
    expect(found.hits.hits[0]._source.parse_errors).toEqual(['types: code "abc" is not an integer']);
  });
});
