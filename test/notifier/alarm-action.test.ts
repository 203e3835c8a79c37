import { CloudWatchLogsClient, DescribeMetricFiltersCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { describeComparison, describeCondition } from '../../libs/notifier/alarms/condition';
import { parseSnsMessage } from '../../libs/notifier/alarms/parse';
import type { AlarmNotification } from '../../libs/notifier/alarms/types';
import { Logger } from '../../libs/runtime/logger';
import { loadNotifierConfig } from '../../libs/notifier/config';
import { createNotifierRuntime } from '../../libs/notifier/runtime';
import { buildAlarmMessage } from '../../libs/notifier/slack/alarm-message';
import type { SlackMessage } from '../../libs/notifier/slack/blocks';
import { FakeSlack } from '../support/slack-server';
import { fixtureAlarm, loadEvent } from './fixtures';
import { lambdaContext } from '../support/lambda';

/**
 * Alarms that say what they compare (metric math: the expression, its label, the inputs, the
 * threshold or band), and alarm events CloudWatch hands to a Lambda alarm action directly
 * (`alarmData`, no SNS envelope), which are the same alarms with the same keys.
 */
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- fixtures edited field by field
const options = { stage: 'dev', timeZone: 'Asia/Seoul', maxLineChars: 500 };

const actionEvent = (name: string): Json => loadEvent(name) as unknown as Json;

function actionAlarm(event: unknown): AlarmNotification {
  const parsed = parseSnsMessage(JSON.stringify(event));
  if (parsed.type !== 'alarm') throw new Error('not parsed as an alarm');
  return parsed.alarm;
}

/** The text of the attachment's section that starts with `title`. */
function section(message: SlackMessage, title: string): string | undefined {
  for (const block of message.attachments?.[0]?.blocks ?? []) {
    const text = (block as { text?: { text?: string } }).text?.text;
    if (text?.startsWith(title)) return text;
  }
  return undefined;
}

function fieldTexts(message: SlackMessage): string[] {
  return (message.attachments?.[0]?.blocks ?? []).flatMap(
    (block) => (block as { fields?: Array<{ text: string }> }).fields?.map((field) => field.text) ?? [],
  );
}

describe('what a metric-math alarm compares', () => {
  it('SNS metric math: the expression with its label and the threshold, then every input by id', () => {
    const message = buildAlarmMessage(fixtureAlarm('metric-math-alarm'), options);
    expect(section(message, '*What is compared*')).toBe(
      [
        '*What is compared*',
        '• `e1` *Error rate (%)* = `100 * errors / invocations`, alarms when &gt; 5',
        '• `errors` = Sum of AWS/Lambda Errors (FunctionName=logpipe-dev-forwarder)',
        '• `invocations` = Sum of AWS/Lambda Invocations (FunctionName=logpipe-dev-forwarder)',
      ].join('\n'),
    );
    // The inputs are listed there, so the field that showed only the first of them is gone.
    expect(fieldTexts(message).some((text) => text.startsWith('*Metric*'))).toBe(false);
  });

  it('anomaly detection: the metric held against the band, and the band with its width', () => {
    const message = buildAlarmMessage(fixtureAlarm('anomaly-alarm'), options);
    expect(section(message, '*What is compared*')).toBe(
      [
        '*What is compared*',
        '• `m1` = p90 of AWS/Lambda Duration (FunctionName=logpipe-dev-forwarder), alarms when outside the band `ad1`',
        '• `ad1` *Duration (expected)* = `ANOMALY_DETECTION_BAND(m1, 2)`: the expected band, 2 standard deviations',
      ].join('\n'),
    );
  });

  it('m1*1 and labels that would break the markup: escaped, backticks cannot close the code span', () => {
    const alarm = fixtureAlarm('metric-math-alarm');
    alarm.trigger!.comparisonOperator = 'GreaterThanOrEqualToThreshold';
    alarm.trigger!.threshold = 1;
    alarm.trigger!.expression = 'm1*1';
    alarm.trigger!.queries = [
      { id: 'e1', expression: 'm1*1', label: 'errors <!channel>', returnData: true },
      { id: 'e2', expression: 'm1 `*` 2', returnData: false },
      { id: 'm1', metric: alarm.trigger!.metrics[0]!, returnData: false },
    ];
    const text = section(buildAlarmMessage(alarm, options), '*What is compared*')!;
    expect(text).toContain('• `e1` *errors &lt;!channel&gt;* = `m1*1`, alarms when &gt;= 1');
    expect(text).toContain("• `e2` = `m1 '*' 2`");
    expect(text).toContain('• `m1` = Sum of AWS/Lambda Errors');
  });

  it('a hundred inputs stay within the section limit, and say how many are left out', () => {
    const alarm = fixtureAlarm('metric-math-alarm');
    const metric = alarm.trigger!.metrics[0]!;
    alarm.trigger!.queries = [
      { id: 'e1', expression: 'SUM(METRICS())', label: 'all', returnData: true },
      ...Array.from({ length: 100 }, (_, i) => ({ id: `m${i}`, metric, returnData: false })),
    ];
    const text = section(buildAlarmMessage(alarm, options), '*What is compared*')!;
    expect(text.length).toBeLessThanOrEqual(3000);
    expect(text).toMatch(/\n… and \d+ more$/);
  });

  it('single-metric and composite alarms keep their Metric field / Rule, with no comparison section', () => {
    expect(describeComparison(fixtureAlarm('single-metric-alarm'))).toBeUndefined();
    expect(describeComparison(fixtureAlarm('composite-alarm'))).toBeUndefined();
    const message = buildAlarmMessage(fixtureAlarm('single-metric-alarm'), options);
    expect(section(message, '*What is compared*')).toBeUndefined();
    expect(fieldTexts(message)).toContain('*Metric*\nSum of logpipe/dev forwarder-logTypeError');
  });
});

describe('alarm events delivered straight to a Lambda alarm action', () => {
  it('metric math: name, ARN, states, time, and the comparison read from the reason CloudWatch wrote', () => {
    const alarm = actionAlarm(actionEvent('lambda-action-metric-math-alarm'));
    expect(alarm).toMatchObject({
      kind: 'metric-math',
      name: 'logpipe-dev-forwarder-errors-total',
      arn: 'arn:aws:cloudwatch:ap-northeast-2:123456789012:alarm:logpipe-dev-forwarder-errors-total',
      accountId: '123456789012',
      region: 'ap-northeast-2',
      partition: 'aws',
      newState: 'ALARM',
      oldState: 'OK',
      description: 'Errors of the forwarder: logged (metric filters) and thrown (Lambda)',
    });
    expect(alarm.stateChangeTime?.toISOString()).toBe('2026-11-21T10:15:00.123Z');
    expect(alarm.trigger).toMatchObject({
      period: 60,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      threshold: 2,
      expression: 'SUM(METRICS())',
    });
    expect(alarm.trigger?.metrics.map((metric) => metric.name)).toEqual([
      'forwarder-logTypeError',
      'forwarder-levelError',
      'Errors',
    ]);
    expect(describeCondition(alarm)).toBe('>= 2 for 2 of 3 periods of 1 minute');
  });

  it('renders as the alarm it is: header, condition, what is compared, reason', () => {
    const message = buildAlarmMessage(actionAlarm(actionEvent('lambda-action-metric-math-alarm')), options);
    expect(message.blocks[0]).toMatchObject({
      type: 'header',
      text: { text: ':rotating_light: ALARM: logpipe-dev-forwarder-errors-total' },
    });
    expect(fieldTexts(message)).toEqual(
      expect.arrayContaining([
        '*State*\nOK → ALARM',
        '*Condition*\n&gt;= 2 for 2 of 3 periods of 1 minute',
        '*Time (UTC)*\n2026-11-21 10:15:00 UTC',
        '*Account*\n123456789012',
      ]),
    );
    expect(section(message, '*What is compared*')).toBe(
      [
        '*What is compared*',
        '• `e1` *Forwarder errors, logged and thrown* = `SUM(METRICS())`, alarms when &gt;= 2',
        '• `m1` = Sum of logpipe/dev forwarder-logTypeError',
        '• `m2` = Sum of logpipe/dev forwarder-levelError',
        '• `m3` = Sum of AWS/Lambda Errors (FunctionName=logpipe-dev-forwarder)',
      ].join('\n'),
    );
    expect(section(message, '*Reason*')).toContain('was greater than or equal to the threshold (2.0)');
    expect(message.metadata).toEqual({
      event_type: 'alarm_state',
      event_payload: {
        alarm_arn: 'arn:aws:cloudwatch:ap-northeast-2:123456789012:alarm:logpipe-dev-forwarder-errors-total',
        state: 'ALARM',
        old_state: 'OK',
        time: '2026-11-21T10:15:00.123Z',
      },
    });
  });

  it('an OK takes the datapoints to alarm from the previous state’s reason, not its own ALARM -> OK minimum', () => {
    const alarm = actionAlarm(actionEvent('lambda-action-metric-math-ok'));
    expect(alarm).toMatchObject({ newState: 'OK', oldState: 'ALARM' });
    expect(describeCondition(alarm)).toBe('>= 2 for 2 of 3 periods of 1 minute');
    const event = actionEvent('lambda-action-metric-math-ok');
    delete event.alarmData.previousState;
    // Unknown is said as unknown: no "3 of 3" made up from the OK's own minimum.
    expect(describeCondition(actionAlarm(event))).toBe('>= 2 in periods of 1 minute');
  });

  it('anomaly detection and composite alarms: the band by its expression; the rule and the children', () => {
    const anomaly = actionAlarm(actionEvent('lambda-action-anomaly-alarm'));
    expect(anomaly.kind).toBe('anomaly');
    expect(anomaly.trigger).toMatchObject({
      thresholdMetricId: 'ad1',
      comparisonOperator: 'LessThanLowerOrGreaterThanUpperThreshold',
      threshold: undefined,
      period: 300,
    });
    const composite = actionAlarm(actionEvent('lambda-action-composite-alarm'));
    expect(composite).toMatchObject({
      kind: 'composite',
      rule: 'ALARM("logpipe-dev-forwarder-logTypeError") OR ALARM("logpipe-dev-forwarder-taskTimedOut")',
      triggeringChildren: [
        {
          arn: 'arn:aws:cloudwatch:ap-northeast-2:123456789012:alarm:logpipe-dev-forwarder-logTypeError',
          name: 'logpipe-dev-forwarder-logTypeError',
          state: 'ALARM',
        },
      ],
    });
  });

  it('the single-metric example of the AWS documentation: dimensions as a map, one metric, no math', () => {
    const alarm = actionAlarm({
      source: 'aws.cloudwatch',
      alarmArn: 'arn:aws:cloudwatch:us-east-1:444455556666:alarm:lambda-demo-metric-alarm',
      accountId: '444455556666',
      time: '2023-08-04T12:36:15.490+0000',
      region: 'us-east-1',
      alarmData: {
        alarmName: 'lambda-demo-metric-alarm',
        state: { value: 'ALARM', reason: 'test', timestamp: '2023-08-04T12:36:15.490+0000' },
        previousState: {
          value: 'INSUFFICIENT_DATA',
          reason: 'Insufficient Data: 5 datapoints were unknown.',
          reasonData:
            '{"version": "1.0", "queryDate": "2023-08-04T12:31:29.591+0000", "statistic": "Average", "period": 60, "recentDatapoints": [], "threshold": 5.0, "evaluatedDatapoints": []}',
          timestamp: '2023-08-04T12:31:29.595+0000',
        },
        configuration: {
          description: 'Metric Alarm to test Lambda actions',
          metrics: [
            {
              id: '1234e046-06f0-a3da-9534-EXAMPLEe4c',
              metricStat: {
                metric: {
                  namespace: 'AWS/Logs',
                  name: 'CallCount',
                  dimensions: { InstanceId: 'i-12345678' },
                },
                period: 60,
                stat: 'Average',
                unit: 'Percent',
              },
              returnData: true,
            },
          ],
        },
      },
    });
    expect(alarm.kind).toBe('metric');
    expect(alarm.trigger?.queries).toBeUndefined();
    expect(alarm.trigger?.metrics).toEqual([
      {
        namespace: 'AWS/Logs',
        name: 'CallCount',
        dimensions: [{ name: 'InstanceId', value: 'i-12345678' }],
        statistic: 'Average',
      },
    ]);
    expect(alarm.oldState).toBe('INSUFFICIENT_DATA');
  });

  it('EventBridge’s "CloudWatch Alarm State Change" event carries the same alarm under detail', () => {
    const { alarmArn, accountId, region, time, alarmData } = actionEvent('lambda-action-metric-math-alarm');
    const bridged = actionAlarm({
      version: '0',
      id: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
      'detail-type': 'CloudWatch Alarm State Change',
      source: 'aws.cloudwatch',
      account: accountId,
      time,
      region,
      resources: [alarmArn],
      detail: alarmData,
    });
    expect(bridged).toEqual(actionAlarm(actionEvent('lambda-action-metric-math-alarm')));
  });

  it('anything else from aws.cloudwatch is still not an alarm (shown as it is)', () => {
    for (const event of [
      { source: 'aws.cloudwatch', alarmData: {} },
      { source: 'aws.cloudwatch', alarmData: { alarmName: 'x', state: {} } },
      { source: 'aws.other', alarmData: { alarmName: 'x', state: { value: 'ALARM' } } },
    ]) {
      expect(parseSnsMessage(JSON.stringify(event)).type).toBe('other');
    }
  });
});

describe('a Lambda alarm action through the notifier (loopback Slack)', () => {
  const logs = mockClient(CloudWatchLogsClient);
  const logsClient = new CloudWatchLogsClient({ region: 'ap-northeast-2' });
  const CHANNEL = 'C0ALARMS';
  const context = lambdaContext({ awsRequestId: 'req-1', remainingMs: 25_000 });
  let slack: FakeSlack;

  function runtime() {
    const config = loadNotifierConfig({
      STAGE: 'dev',
      SLACK_TOKEN_SECRET: 'logpipe/dev/slack',
      SLACK_CHANNEL: CHANNEL,
      SLACK_API_URL: slack.url,
    });
    return createNotifierRuntime(config, {
      fetchSecret: async () => 'xoxb-test-token',
      logsClientFor: async () => logsClient,
      log: new Logger({}, 'error', { write: () => true }),
    });
  }

  beforeEach(async () => {
    logs.reset();
    logs.on(DescribeMetricFiltersCommand).resolves({ metricFilters: [] });
    slack = await new FakeSlack().start();
  });
  afterEach(() => slack.stop());

  it('ALARM, the same event retried by Lambda, then OK: one post, resolved, one reply', async () => {
    const rt = runtime();
    const first = await rt.handle(actionEvent('lambda-action-metric-math-alarm'), context);
    expect(first.outcomes[0]?.action).toBe('posted');
    const retried = await rt.handle(actionEvent('lambda-action-metric-math-alarm'), context);
    expect(retried.outcomes[0]?.action).toBe('duplicate');
    await rt.handle(actionEvent('lambda-action-metric-math-ok'), context);
    expect(slack.view(CHANNEL)).toEqual([
      {
        text: 'RESOLVED: logpipe-dev-forwarder-errors-total',
        color: '#2EB67D',
        replies: [expect.stringMatching(/^OK: logpipe-dev-forwarder-errors-total — /)],
      },
    ]);
  });

  it('an alarm with both an SNS action and a Lambda action: the same change is posted once', async () => {
    const rt = runtime();
    await rt.handle(loadEvent('metric-math-alarm'), context);
    // The same state change (ARN and state time), as the Lambda action receives it.
    const sns = JSON.parse(loadEvent('metric-math-alarm').Records[0]!.Sns.Message) as Json;
    const direct = actionEvent('lambda-action-metric-math-alarm');
    direct.alarmArn = sns.AlarmArn;
    direct.alarmData.alarmName = sns.AlarmName;
    direct.alarmData.state.timestamp = sns.StateChangeTime;
    const again = await rt.handle(direct, context);
    expect(again.outcomes[0]?.action).toBe('duplicate');
    expect(slack.view(CHANNEL)).toHaveLength(1);
  });
});
