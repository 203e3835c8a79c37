/**
 * Regenerates the forwarder's Kinesis fixture events (test/fixtures/forwarder/kinesis-*.json)
 * from readable records. Run: npx tsx test/support/make-kinesis-fixtures.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  ACCESS_LINE,
  API_REQUEST_LINE,
  API_RESPONSE_LINE,
  EC2_METADATA,
  fluentBitLine,
  kinesisEvent,
} from './kinesis';
import { logsData } from './subscription';

const dir = join(__dirname, '..', 'test', 'fixtures', 'forwarder');
const write = (name: string, event: unknown) =>
  writeFileSync(join(dir, name), JSON.stringify(event, null, 2) + '\n');

// Fluent Bit tails the web app's logs on EKS and writes to Kinesis (append_newline).
write(
  'kinesis-fluent-bit.json',
  kinesisEvent([
    // Raw line shipped as is (no Fluent Bit parser): the forwarder's rules parse it.
    fluentBitLine({ log: ACCESS_LINE, logtype: 'accesslog', ...EC2_METADATA }),
    // Fluent Bit already parsed the line; the rules convert types and route.
    fluentBitLine({
      remote: '10.0.2.15',
      host: '-',
      user: '-',
      time: '20/Oct/2020:03:56:08 +0900',
      method: 'POST',
      path: '/api/v1/orders',
      code: '201',
      size: '-',
      referer: '-',
      agent: 'okhttp/4.9.0',
      logtype: 'accesslog',
      ...EC2_METADATA,
    }),
    // Two lines in one record.
    fluentBitLine({ log: API_REQUEST_LINE, logtype: 'api-requestlog', ...EC2_METADATA }) +
      fluentBitLine({ log: API_RESPONSE_LINE, logtype: 'api-responselog', ...EC2_METADATA }),
    // A line that does not match its parser: indexed, tagged _parse_failure.
    fluentBitLine({ log: 'GET /health 200', logtype: 'accesslog', ...EC2_METADATA }),
    // An application's own JSON log, no rule for it: the default index.
    fluentBitLine({
      log: '{"level":"error","msg":"payment declined","order":"A-1001"}',
      kubernetes: { namespace_name: 'shop', pod_name: 'payments-7d9f' },
    }),
  ]),
);

// A CloudWatch Logs subscription whose destination is a Kinesis stream: gzip, as CloudWatch writes it.
write(
  'kinesis-subscription.json',
  kinesisEvent([
    gzipSync(
      JSON.stringify(
        logsData(
          [{ message: `${ACCESS_LINE}\n` }, { message: '{"level":"warn","msg":"slow query","ms":1234}\n' }],
          { logGroup: '/aws/eks/web/access', logStream: 'web-7d9f/access' },
        ),
      ),
    ),
  ]),
);

// A poison record (truncated gzip) between two good ones: only it is reported as a batch item failure.
write(
  'kinesis-poison.json',
  kinesisEvent([
    fluentBitLine({ log: API_REQUEST_LINE, logtype: 'api-requestlog' }),
    gzipSync(fluentBitLine({ log: 'cut short' })).subarray(0, 12),
    fluentBitLine({ log: API_RESPONSE_LINE, logtype: 'api-responselog' }),
  ]),
);
