import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  PutMetricFilterCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '../../libs/runtime/logger';
import { loadNotifierConfig } from '../../libs/notifier/config';
import { createNotifierRuntime } from '../../libs/notifier/runtime';
import { alarmEvent } from '../support/alarm-ledger';
import { MOTO_REGION, useMoto } from '../support/moto';
import { lambdaContext } from '../support/lambda';

/**
 * The lines that made the alarm fire, with CloudWatch's real timing: the breaching period ended
 * two minutes before the state change (CloudWatch evaluates a period after it ends). The
 * notifier, run on moto's CloudWatch Logs, shows that period's lines (the reason names it),
 * not those of the minute before the change.
 */
const moto = useMoto();
const GROUP = '/aws/lambda/window-test';
const root = join(__dirname, '..', '..');

const ddmmyy = (t: number) => {
  const d = new Date(t);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCFullYear() % 100)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:00`;
};

it('shows the lines of a period that ended two minutes before the state change (sls invoke local)', async () => {
  const logs = new CloudWatchLogsClient(moto.clientConfig);
  const changed = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
  const periodStart = changed - 3 * 60_000;
  await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: 's' }));
  await logs.send(
    new PutMetricFilterCommand({
      logGroupName: GROUP,
      filterName: 'errors',
      filterPattern: 'ERROR',
      metricTransformations: [
        { metricName: 'window-errors', metricNamespace: 'logpipe/dev', metricValue: '1' },
      ],
    }),
  );
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: GROUP,
      logStreamName: 's',
      logEvents: [
        { timestamp: periodStart + 5_000, message: 'ERROR breaching line one' },
        { timestamp: periodStart + 40_000, message: 'ERROR breaching line two' },
        { timestamp: changed - 30_000, message: 'ERROR a later line, not evaluated yet' },
      ],
    }),
  );
  const event = alarmEvent({
    name: 'window-test',
    state: 'ALARM',
    oldState: 'OK',
    time: new Date(changed).toISOString(),
    messageId: 'window-1',
  });
  const sns = event.Records[0]!.Sns;
  const alarm = JSON.parse(sns.Message) as Record<string, unknown>;
  sns.Message = JSON.stringify({
    ...alarm,
    NewStateReason: `Threshold Crossed: 1 out of the last 1 datapoints [2.0 (${ddmmyy(periodStart)})] was greater than or equal to the threshold (1.0).`,
    Trigger: {
      ...(alarm.Trigger as object),
      MetricName: 'window-errors',
      Namespace: 'logpipe/dev',
      Period: 60,
    },
  });
  // As a developer runs it: `sls invoke local` (the dev stage prints what it would post), with
  // the SDK pointed at moto.
  const file = join(mkdtempSync(join(tmpdir(), 'notifier-window-')), 'event.json');
  writeFileSync(file, JSON.stringify(event));
  const invoked = execFileSync(
    join(root, 'node_modules', '.bin', 'sls'),
    ['invoke', 'local', '-f', 'notifier', '-p', file, '--stage', 'dev'],
    {
      cwd: root,
      env: {
        ...process.env,
        SLS_TELEMETRY_DISABLED: '1',
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_REGION: MOTO_REGION,
      },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 240_000,
    },
  );
  expect(invoked).toContain('ERROR breaching line one');
  expect(invoked).toContain('ERROR breaching line two');
  expect(invoked).not.toContain('not evaluated yet');
  // And through the runtime in this process (what the Lambda handler runs).
  const printed: string[] = [];
  const runtime = createNotifierRuntime(loadNotifierConfig({ STAGE: 'dev', LOG_LINES_MAX: '10' }), {
    logsClientFor: async () => logs,
    print: (line) => printed.push(line),
    log: new Logger({}, 'error', { write: () => undefined }),
  });
  await runtime.handle(event, lambdaContext({ remainingMs: 20_000 }));
  expect(printed).toHaveLength(1);
  expect(printed[0]).toContain('ERROR breaching line one');
  expect(printed[0]).toContain('ERROR breaching line two');
  expect(printed[0]).not.toContain('not evaluated yet');
}, 300_000);
