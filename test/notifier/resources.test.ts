// eslint-disable-next-line @typescript-eslint/no-require-imports
const alarms = require('../../resources/alarms.js') as {
  resources: (ctx: unknown) => Promise<{
    Resources: Record<string, { Type: string; Properties: Record<string, unknown>; DependsOn?: unknown }>;
  }>;
  notifierIamStatements: (ctx: unknown) => Promise<{ Action: string[]; Resource: unknown[] }[]>;
};

const PATTERNS = {
  logTypeError: '{ $.logType = "ERROR" }',
  levelError: '{ $.level = "error" }',
  lambdaConsoleError: '%Z\\s+[0-9a-f-]{36}\\s+ERROR\\s%',
  taskTimedOut: '"Task timed out"',
};

function context(params: Record<string, unknown>, stage = 'dev') {
  const values: Record<string, unknown> = { 'self:service': 'logpipe', 'sls:stage': stage };
  for (const [key, value] of Object.entries(params)) values[`param:${key}`] = value;
  return { options: { stage }, resolveVariable: async (name: string) => values[name] ?? null };
}

describe('resources/alarms.js', () => {
  it('makes a filter, a zero-value companion and an alarm per pattern per log group', async () => {
    const { Resources } = await alarms.resources(
      context({
        watchedLogGroups: [
          '/aws/lambda/a',
          { name: '/ecs/b', filters: ['logTypeError'], threshold: 5, dependsOn: 'BLogGroup' },
        ],
        metricFilterPatterns: PATTERNS,
      }),
    );
    const byType = (type: string) => Object.values(Resources).filter((r) => r.Type === type);
    expect(byType('AWS::Logs::MetricFilter')).toHaveLength(10); // (4 + 1) x 2
    expect(byType('AWS::CloudWatch::Alarm')).toHaveLength(5);
    expect(Resources.AwsLambdaALogTypeErrorMetricFilter?.Properties).toEqual({
      LogGroupName: '/aws/lambda/a',
      FilterPattern: '{ $.logType = "ERROR" }',
      MetricTransformations: [
        { MetricName: 'a-logTypeError', MetricNamespace: 'logpipe/dev', MetricValue: '1', Unit: 'Count' },
      ],
    });
    expect(Resources.AwsLambdaALogTypeErrorZeroFilter?.Properties).toMatchObject({
      FilterPattern: '',
      MetricTransformations: [expect.objectContaining({ MetricName: 'a-logTypeError', MetricValue: '0' })],
    });
    expect(Resources.AwsLambdaATaskTimedOutAlarm?.Properties).toMatchObject({
      AlarmName: 'logpipe-dev-a-taskTimedOut',
      MetricName: 'a-taskTimedOut',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      DatapointsToAlarm: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: 'AlarmTopic' }],
      OKActions: [{ Ref: 'AlarmTopic' }],
    });
    expect(Resources.EcsBLogTypeErrorAlarm?.Properties.Threshold).toBe(5);
    expect(Resources.EcsBLogTypeErrorMetricFilter?.DependsOn).toBe('BLogGroup');
    expect(Resources.EcsBLevelErrorAlarm).toBeUndefined();
    expect(Resources.AlarmTopic?.Properties.TopicName).toBe('logpipe-dev-alarms');
    expect(Resources.NotifierFailureQueue?.Properties.SqsManagedSseEnabled).toBe(true);
  });

  it('does not repeat the service-stage prefix in alarm names', async () => {
    const { Resources } = await alarms.resources(
      context({ watchedLogGroups: ['/aws/lambda/logpipe-dev-forwarder'], metricFilterPatterns: PATTERNS }),
    );
    expect(Resources.AwsLambdaLogpipeDevForwarderLogTypeErrorAlarm?.Properties.AlarmName).toBe(
      'logpipe-dev-forwarder-logTypeError',
    );
  });

  it('applies stage alarm defaults and rejects bad settings', async () => {
    const { Resources } = await alarms.resources(
      context({
        watchedLogGroups: ['/g'],
        metricFilterPatterns: PATTERNS,
        alarmDefaults: { evaluationPeriods: 3, datapointsToAlarm: 2 },
      }),
    );
    expect(Resources.GLogTypeErrorAlarm?.Properties).toMatchObject({
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Period: 60,
    });
    await expect(
      alarms.resources(
        context({ watchedLogGroups: [{ name: '/g', filters: ['nope'] }], metricFilterPatterns: PATTERNS }),
      ),
    ).rejects.toThrow('unknown filter "nope"');
    await expect(
      alarms.resources(
        context({ watchedLogGroups: [{ name: '/g', datapointsToAlarm: 3 }], metricFilterPatterns: PATTERNS }),
      ),
    ).rejects.toThrow('datapointsToAlarm');
    await expect(
      alarms.resources(context({ watchedLogGroups: [{ filters: [] }], metricFilterPatterns: PATTERNS })),
    ).rejects.toThrow('needs a name');
  });

  it('grants the notifier only what it reads', async () => {
    const statements = await alarms.notifierIamStatements(
      context({
        watchedLogGroups: ['/aws/lambda/a'],
        metricFilterPatterns: PATTERNS,
        slackTokenParameter: '/logpipe/prod/slack-bot-token',
      }),
    );
    const actions = statements.flatMap((s) => s.Action);
    expect(actions.sort()).toEqual([
      'logs:DescribeMetricFilters',
      'logs:FilterLogEvents',
      'sqs:SendMessage',
      'ssm:GetParameter',
    ]);
    expect(JSON.stringify(statements)).toContain('log-group:/aws/lambda/a:*');
    expect(JSON.stringify(statements)).toContain(':parameter/logpipe/prod/slack-bot-token');
    const withSecret = await alarms.notifierIamStatements(
      context({
        watchedLogGroups: [],
        metricFilterPatterns: PATTERNS,
        slackTokenSecret: 'logpipe/dev/slack',
      }),
    );
    expect(JSON.stringify(withSecret)).toContain('secret:logpipe/dev/slack-??????');
    expect(withSecret.flatMap((s) => s.Action)).not.toContain('logs:FilterLogEvents');
  });
});
