import fc from 'fast-check';
import { consoleBase, parseArn } from '../../libs/notifier/alarms/arn';
import {
  describeCondition,
  describeMetric,
  describeSeconds,
  evaluationWindow,
} from '../../libs/notifier/alarms/condition';
import { alarmConsoleUrl, logEventsUrl, logsInsightsUrl } from '../../libs/notifier/alarms/console-links';
import { insightsQueryFor } from '../../libs/notifier/alarms/insights-query';
import { parseSnsMessage, parseStateChangeTime } from '../../libs/notifier/alarms/parse';
import { alarmJson, fixtureAlarm, fixtureNames, loadEvent } from './fixtures';

describe('parseSnsMessage', () => {
  it.each([
    ['single-metric-alarm', 'metric', 'ALARM'],
    ['single-metric-ok', 'metric', 'OK'],
    ['single-metric-insufficient-data', 'metric', 'INSUFFICIENT_DATA'],
    ['metric-math-alarm', 'metric-math', 'ALARM'],
    ['metric-math-ok', 'metric-math', 'OK'],
    ['anomaly-alarm', 'anomaly', 'ALARM'],
    ['anomaly-insufficient-data', 'anomaly', 'INSUFFICIENT_DATA'],
    ['composite-alarm', 'composite', 'ALARM'],
    ['composite-ok', 'composite', 'OK'],
  ])('%s is a %s alarm in state %s', (fixture, kind, state) => {
    const alarm = fixtureAlarm(fixture);
    expect(alarm).toMatchObject({
      kind,
      newState: state,
      region: 'ap-northeast-2',
      partition: 'aws',
      accountId: '123456789012',
    });
  });

  it('reads the single-metric trigger', () => {
    const alarm = fixtureAlarm('single-metric-alarm');
    expect(alarm.trigger).toMatchObject({
      period: 60,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      threshold: 1,
      treatMissingData: 'notBreaching',
    });
    expect(alarm.trigger?.metrics).toEqual([
      { name: 'forwarder-logTypeError', namespace: 'logpipe/dev', dimensions: [], statistic: 'SUM' },
    ]);
    expect(alarm.stateChangeTime?.toISOString()).toBe('2026-11-21T10:15:00.123Z');
  });

  it('reads metric math: MetricStats, the returned expression, odd TreatMissingData', () => {
    const alarm = fixtureAlarm('metric-math-alarm');
    expect(alarm.trigger?.metrics.map((m) => m.name)).toEqual(['Errors', 'Invocations']);
    expect(alarm.trigger?.expression).toBe('100 * errors / invocations');
    expect(alarm.trigger?.treatMissingData).toBe('missing');
  });

  it('reads the anomaly band and the composite rule and children', () => {
    expect(fixtureAlarm('anomaly-alarm').trigger).toMatchObject({
      thresholdMetricId: 'ad1',
      expression: 'ANOMALY_DETECTION_BAND(m1, 2)',
    });
    const composite = fixtureAlarm('composite-alarm');
    expect(composite.trigger).toBeUndefined();
    expect(composite.rule).toContain('ALARM("logpipe-dev-forwarder-logTypeError")');
    expect(composite.triggeringChildren).toEqual([
      {
        arn: expect.stringContaining(':alarm:logpipe-dev-forwarder-logTypeError'),
        name: 'logpipe-dev-forwarder-logTypeError',
        state: 'ALARM',
      },
    ]);
  });

  it('takes partition and region from the ARN, not the display Region', () => {
    const json = {
      ...alarmJson('single-metric-alarm'),
      Region: 'China (Beijing)',
      AlarmArn: 'arn:aws-cn:cloudwatch:cn-north-1:123456789012:alarm:x',
    };
    const parsed = parseSnsMessage(JSON.stringify(json));
    expect(parsed.type === 'alarm' && parsed.alarm).toMatchObject({
      partition: 'aws-cn',
      region: 'cn-north-1',
    });
  });

  it('keeps plain text and non-alarm JSON as "other"', () => {
    const text = loadEvent('plain-text').Records[0]?.Sns;
    expect(parseSnsMessage(text?.Message, text?.Subject)).toMatchObject({
      type: 'other',
      isJson: false,
      subject: 'Deploy notice',
    });
    const json = parseSnsMessage(loadEvent('other-json').Records[0]?.Sns.Message);
    expect(json).toMatchObject({ type: 'other', isJson: true });
    expect(json.type === 'other' && json.text).toContain('"source": "custom.app"');
  });

  it('never throws, whatever the message', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.anything()), (message) => {
        const parsed = parseSnsMessage(message);
        expect(['alarm', 'other']).toContain(parsed.type);
      }),
    );
  });

  it('accepts an alarm with only a name and a state', () => {
    const parsed = parseSnsMessage(
      '{"AlarmName":"bare","NewStateValue":"ALARM","Trigger":{"Metrics":"oops"}}',
    );
    expect(parsed).toMatchObject({ type: 'alarm', alarm: { name: 'bare', reason: '', partition: 'aws' } });
  });

  it('parses the +0000 offset CloudWatch writes', () => {
    expect(parseStateChangeTime('2024-01-01T09:00:00.000+0900')?.toISOString()).toBe(
      '2024-01-01T00:00:00.000Z',
    );
    expect(parseStateChangeTime('not a date')).toBeUndefined();
  });

  it('has a fixture for every shape and state, plus text and junk', () => {
    const names = fixtureNames();
    for (const shape of ['single-metric', 'metric-math', 'anomaly', 'composite']) {
      for (const state of ['alarm', 'ok', 'insufficient-data']) expect(names).toContain(`${shape}-${state}`);
    }
    expect(names).toEqual(expect.arrayContaining(['plain-text', 'other-json', 'junk']));
  });
});

describe('condition in words', () => {
  it('says a single-metric alarm’s condition in words: threshold, datapoints, period', () => {
    expect(describeCondition(fixtureAlarm('single-metric-alarm'))).toBe(
      '>= 1 for 1 of 1 periods of 1 minute',
    );
  });

  it('describes metric math, anomaly bands and composite rules', () => {
    expect(describeCondition(fixtureAlarm('metric-math-alarm'))).toBe('> 5 for 2 of 3 periods of 5 minutes');
    expect(describeCondition(fixtureAlarm('anomaly-alarm'))).toBe(
      'outside the band ANOMALY_DETECTION_BAND(m1, 2) for 3 of 3 periods of 5 minutes',
    );
    expect(describeCondition(fixtureAlarm('composite-alarm'))).toMatch(/^ALARM\(/);
  });

  it('names periods and statistics', () => {
    expect([10, 60, 90, 300, 3600, 86400].map(describeSeconds)).toEqual([
      '10 seconds',
      '1 minute',
      '90 seconds',
      '5 minutes',
      '1 hour',
      '1 day',
    ]);
    expect(
      describeMetric({
        name: 'Errors',
        namespace: 'AWS/Lambda',
        dimensions: [{ name: 'FunctionName', value: 'f' }],
        statistic: 'SUM',
      }),
    ).toBe('Sum of AWS/Lambda Errors (FunctionName=f)');
    expect(
      describeMetric({ name: 'Duration', namespace: 'AWS/Lambda', dimensions: [], statistic: 'p90' }),
    ).toBe('p90 of AWS/Lambda Duration');
  });

  it('computes the evaluation window: period x evaluation periods ending at the change', () => {
    const window = evaluationWindow(fixtureAlarm('metric-math-alarm'));
    expect(window?.end.toISOString()).toBe('2026-11-21T10:15:00.123Z');
    expect(window?.start.toISOString()).toBe('2026-11-21T10:00:00.123Z');
    expect(evaluationWindow(fixtureAlarm('composite-alarm'))).toBeUndefined();
  });
});

describe('console links', () => {
  it.each([
    ['aws', 'ap-northeast-2', 'https://ap-northeast-2.console.aws.amazon.com'],
    ['aws-cn', 'cn-north-1', 'https://cn-north-1.console.amazonaws.cn'],
    ['aws-us-gov', 'us-gov-west-1', 'https://us-gov-west-1.console.amazonaws-us-gov.com'],
  ])('uses the %s console host', (partition, region, host) => {
    expect(consoleBase(partition, region)).toBe(host);
    expect(alarmConsoleUrl({ partition, region }, 'a b/c')).toBe(
      `${host}/cloudwatch/home?region=${region}#alarmsV2:alarm/a%20b%2Fc`,
    );
  });

  it('parses ARNs and rejects others', () => {
    expect(parseArn('arn:aws-us-gov:cloudwatch:us-gov-west-1:1:alarm:x')).toMatchObject({
      partition: 'aws-us-gov',
      region: 'us-gov-west-1',
      resource: 'alarm:x',
    });
    expect(parseArn('nope')).toBeUndefined();
  });

  it('builds a Logs Insights link for the window, group and query (JSURL inside the hash)', () => {
    const window = { start: new Date('2026-11-21T10:14:00Z'), end: new Date('2026-11-21T10:15:00Z') };
    const url = logsInsightsUrl(
      { partition: 'aws', region: 'ap-northeast-2' },
      '/aws/lambda/f',
      'fields @message\n| filter a = "인증"',
      window,
    );
    expect(url).toContain('#logsV2:logs-insights$3FqueryDetail$3D~(end~');
    expect(url).toContain("~start~'2026-11-21T10*3a14*3a00.000Z");
    expect(url).toContain("~source~(~'*2faws*2flambda*2ff))");
    expect(url).toContain('*22**c778**c99d*22'); // "인증" in JSURL
    expect(url).not.toMatch(/[\s<>|]/);
  });

  it('builds a log-events link with the exact filter pattern', () => {
    const window = { start: new Date(1000), end: new Date(61000) };
    const url = logEventsUrl(
      { partition: 'aws', region: 'us-east-1' },
      '/aws/lambda/f',
      '{ $.logType = "ERROR" }',
      window,
    );
    expect(url).toContain('log-group/$252Faws$252Flambda$252Ff/log-events$3FfilterPattern$3D$257B');
    expect(url).toContain('$26start$3D1000$26end$3D61000');
  });
});

describe('insightsQueryFor', () => {
  it.each([
    ['{ $.logType = "ERROR" }', 'filter logType = "ERROR"'],
    [
      '{ $.logType = "ERROR" && $.errorMessage = "*인증실패*" }',
      'filter logType = "ERROR" and errorMessage like /^.*인증실패.*$/',
    ],
    ['{ $.user.age >= 20 }', 'filter user.age >= 20'],
    ['"Task timed out"', 'filter @message like "Task timed out"'],
    ['ERROR -DEBUG', 'filter @message like "ERROR" and @message not like "DEBUG"'],
    ['?ERROR ?WARN', 'filter (@message like "ERROR" or @message like "WARN")'],
    ['%Z\\s+ERROR%', 'filter @message like /Z\\s+ERROR/'],
  ])('translates %s', (pattern, filter) => {
    const { query, exact } = insightsQueryFor(pattern);
    expect(exact).toBe(true);
    expect(query.split('\n')).toContain(`| ${filter}`);
  });

  it('says when it cannot translate', () => {
    const { query, exact } = insightsQueryFor('[ip, user, status = 404, ...]');
    expect(exact).toBe(false);
    expect(query).not.toContain('filter');
  });
});
