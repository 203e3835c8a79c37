import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  PutMetricFilterCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { Context, SNSEvent } from 'aws-lambda';
import { alarmEvent } from '../support/alarm-ledger';
import { MOTO_ACCOUNT, MOTO_REGION, useMoto } from '../support/moto';
import { lambdaContext } from '../support/lambda';

/**
 * An alarm of another account, run as the Lambda handler runs it (module-scope config from the
 * environment, SDK clients of its own pointed at moto): with ALARM_ACCOUNT_ROLES naming a role
 * there, the notifier assumes it (moto's STS gives credentials of that account) and shows that
 * account's lines, not this account's same-named ones.
 */
const moto = useMoto();
const OTHER = '222233334444';
const ROLE = `arn:aws:iam::${OTHER}:role/logpipe-alarm-lines`;
const GROUP = '/aws/lambda/cross-account';

const ddmmyy = (t: number) => {
  const d = new Date(t);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCFullYear() % 100)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:00`;
};

/** A Logs client of `account` on moto (its own account, or one reached through AssumeRole). */
async function logsOf(account: string): Promise<CloudWatchLogsClient> {
  if (account === MOTO_ACCOUNT) return new CloudWatchLogsClient(moto.clientConfig);
  const sts = new STSClient(moto.clientConfig);
  const { Credentials: c } = await sts.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/setup`, RoleSessionName: 'setup' }),
  );
  return new CloudWatchLogsClient({
    ...moto.clientConfig,
    credentials: {
      accessKeyId: c!.AccessKeyId!,
      secretAccessKey: c!.SecretAccessKey!,
      sessionToken: c!.SessionToken,
    },
  });
}

/** The same log group, metric filter and metric in both accounts, with different lines. */
async function seed(account: string, periodStart: number, line: string) {
  const logs = await logsOf(account);
  await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: 's' }));
  await logs.send(
    new PutMetricFilterCommand({
      logGroupName: GROUP,
      filterName: 'errors',
      filterPattern: 'ERROR',
      metricTransformations: [
        { metricName: 'xacct-errors', metricNamespace: 'logpipe/dev', metricValue: '1' },
      ],
    }),
  );
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: GROUP,
      logStreamName: 's',
      logEvents: [{ timestamp: periodStart + 5_000, message: line }],
    }),
  );
}

function eventOf(account: string, changed: number, periodStart: number, id: string): SNSEvent {
  const event = alarmEvent({
    name: 'cross-account',
    state: 'ALARM',
    oldState: 'OK',
    time: new Date(changed).toISOString(),
    messageId: id,
    account,
  });
  const sns = event.Records[0]!.Sns;
  const alarm = JSON.parse(sns.Message) as Record<string, unknown>;
  sns.Message = JSON.stringify({
    ...alarm,
    NewStateReason: `Threshold Crossed: 1 out of the last 1 datapoints [1.0 (${ddmmyy(periodStart)})] was greater than or equal to the threshold (1.0).`,
    Trigger: {
      ...(alarm.Trigger as object),
      MetricName: 'xacct-errors',
      Namespace: 'logpipe/dev',
      Period: 60,
    },
  });
  return event as unknown as SNSEvent;
}

/** The handler module loaded fresh with `env`, as a cold start reads it; stdout collected. */
async function runHandler(env: Record<string, string>, event: SNSEvent): Promise<string> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const out: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  try {
    let handler: ((e: SNSEvent, c: Context) => Promise<unknown>) | undefined;
    jest.isolateModules(() => {
      // A fresh module: the handler reads its configuration once, at module scope.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      handler = (require('../../functions/notifier/handler') as { handler: typeof handler }).handler;
    });
    await handler!(
      event,
      lambdaContext({
        awsRequestId: 'r1',
        invokedFunctionArn: `arn:aws:lambda:${MOTO_REGION}:${MOTO_ACCOUNT}:function:logpipe-dev-notifier`,
        remainingMs: 25_000,
      }),
    );
  } finally {
    write.mockRestore();
    process.env = saved;
  }
  return out.join('');
}

const awsEnv = () => ({
  STAGE: 'dev',
  AWS_ENDPOINT_URL: moto.endpoint,
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_REGION: MOTO_REGION,
});

const changed = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
const periodStart = changed - 3 * 60_000;

beforeAll(async () => {
  await seed(OTHER, periodStart, 'ERROR in the other account');
  await seed(MOTO_ACCOUNT, periodStart, 'ERROR in the notifier account, same names');
});

it('reads the other account’s lines through the role ALARM_ACCOUNT_ROLES names', async () => {
  const printed = await runHandler(
    { ...awsEnv(), ALARM_ACCOUNT_ROLES: `${OTHER}=${ROLE}` },
    eventOf(OTHER, changed, periodStart, 'x-1'),
  );
  expect(printed).toContain('ERROR in the other account');
  expect(printed).not.toContain('same names');
  expect(printed).toContain('logs-insights'); // the Logs Insights link of that account's group
  expect(printed).not.toContain('Log lines unavailable');
}, 60_000);

it('without a role for the account, says where the lines are and shows none', async () => {
  const printed = await runHandler(
    { ...awsEnv(), ALARM_ACCOUNT_ROLES: `999900001111=arn:aws:iam::999900001111:role/r` },
    eventOf(OTHER, changed, periodStart, 'x-2'),
  );
  expect(printed).toContain(`the alarm is in account ${OTHER}: its lines are in that account`);
  expect(printed).not.toContain('ERROR in the');
}, 60_000);

it('an alarm of its own account still reads with the function’s credentials', async () => {
  const printed = await runHandler(
    { ...awsEnv(), ALARM_ACCOUNT_ROLES: `${OTHER}=${ROLE}` },
    eventOf(MOTO_ACCOUNT, changed, periodStart, 'x-3'),
  );
  expect(printed).toContain('same names');
  expect(printed).not.toContain('ERROR in the other account');
}, 60_000);
