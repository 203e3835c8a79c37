import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * test/fixtures/splitter/firehose-object, the sample the docs split (docs/splitter.md, "Local
 * use"): what Firehose writes for CloudWatch Logs subscriptions, the payloads as they arrive
 * (each its own gzip member) one after the other. Built from the forwarder's fixtures, so the
 * two paths are tried on the same events.
 */
const fixtures = join(__dirname, '..', 'fixtures');
const PAYLOADS = [
  'lambda-console-lines',
  'lambda-invocation',
  'go-service-json-lines',
  'ecs-json-lines',
  'control-message',
];

it('is the forwarder fixtures’ payloads, concatenated as Firehose writes them', () => {
  const payloads = PAYLOADS.map((name) => {
    const event = JSON.parse(readFileSync(join(fixtures, 'forwarder', `${name}.json`), 'utf8')) as {
      awslogs: { data: string };
    };
    return Buffer.from(event.awslogs.data, 'base64');
  });
  const sample = readFileSync(join(fixtures, 'splitter', 'firehose-object'));
  expect(sample.equals(Buffer.concat(payloads))).toBe(true);
  // Every member is gzip (1f 8b) and holds one subscription payload.
  const records = gunzipSync(sample).toString('utf8');
  expect(records.match(/"messageType":"(DATA_MESSAGE|CONTROL_MESSAGE)"/g)).toHaveLength(PAYLOADS.length);
});
