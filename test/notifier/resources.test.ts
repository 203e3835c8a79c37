// eslint-disable-next-line @typescript-eslint/no-require-imports
const alarms = require('../../resources/alarms.js') as {
  resources: (ctx: unknown) => Promise<{
    Resources: Record<string, { Type: string; Properties: Record<string, unknown>; DependsOn?: unknown }>;
  }>;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const notifier = require('../../resources/notifier.js') as {
  iamRoleStatements: (ctx: unknown) => Promise<{ Action: string[]; Resource: unknown }[]>;
};

const PATTERNS = {
  logTypeError: '{ $.logType = "ERROR" }',
  levelError: '{ $.level = "error" }',
  lambdaConsoleError: '%Z\\s+[0-9a-f-]{36}\\s+ERROR\\s%',
  taskTimedOut: '"Task timed out"',
};
const DEFAULTS = { period: 60, threshold: 1, evaluationPeriods: 1, datapointsToAlarm: 1 };

/** A context as osls gives the generators: resources/alarms.yml as custom.alarms, and params. */
function context(alarmsYml: Record<string, unknown>, params: Record<string, unknown> = {}, stage = 'dev') {
  const values: Record<string, unknown> = {
    'self:service': 'logpipe',
    'sls:stage': stage,
    'self:custom.alarms': { patterns: PATTERNS, defaults: DEFAULTS, ...alarmsYml },
  };
  for (const [key, value] of Object.entries(params)) values[`param:${key}`] = value;
  return { options: { stage }, resolveVariable: async (name: string) => values[name] ?? null };
}

describe('resources/alarms.js expands resources/alarms.yml', () => {
  it('makes a filter, a zero-value companion and an alarm per pattern per log group', async () => {
    const { Resources } = await alarms.resources(
      context({
        logGroups: [
          '/aws/lambda/a',
          { name: '/ecs/b', patterns: ['logTypeError'], threshold: 5, dependsOn: 'BLogGroup' },
        ],
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
      InsufficientDataActions: [{ Ref: 'AlarmTopic' }],
    });
    expect(Resources.EcsBLogTypeErrorAlarm?.Properties.Threshold).toBe(5);
    expect(Resources.EcsBLogTypeErrorMetricFilter?.DependsOn).toBe('BLogGroup');
    expect(Resources.AwsLambdaALogTypeErrorMetricFilter?.DependsOn).toBeUndefined();
    expect(Resources.EcsBLevelErrorAlarm).toBeUndefined();
  });

  it('does not repeat the service-stage prefix in alarm names', async () => {
    const { Resources } = await alarms.resources(
      context({ logGroups: ['/aws/lambda/logpipe-dev-forwarder'] }),
    );
    expect(Resources.AwsLambdaLogpipeDevForwarderLogTypeErrorAlarm?.Properties.AlarmName).toBe(
      'logpipe-dev-forwarder-logTypeError',
    );
  });

  it("applies the stage's defaults and adds the stage's log groups", async () => {
    const yml = {
      logGroups: ['/g'],
      stages: { prod: { defaults: { evaluationPeriods: 3, datapointsToAlarm: 2 }, logGroups: ['/p'] } },
    };
    const prod = (await alarms.resources(context(yml, {}, 'prod'))).Resources;
    expect(prod.GLogTypeErrorAlarm?.Properties).toMatchObject({
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Period: 60,
    });
    expect(prod.PLogTypeErrorAlarm).toBeDefined();
    const dev = (await alarms.resources(context(yml))).Resources;
    expect(dev.GLogTypeErrorAlarm?.Properties).toMatchObject({ EvaluationPeriods: 1, DatapointsToAlarm: 1 });
    expect(dev.PLogTypeErrorAlarm).toBeUndefined();
  });

  it('names the entry and the setting it refuses', async () => {
    await expect(
      alarms.resources(context({ logGroups: [{ name: '/g', patterns: ['nope'] }] })),
    ).rejects.toThrow('alarms.yml logGroups /g: unknown pattern "nope"');
    await expect(
      alarms.resources(context({ logGroups: [{ name: '/g', datapointsToAlarm: 3 }] })),
    ).rejects.toThrow('datapointsToAlarm (3) > evaluationPeriods (1)');
    await expect(alarms.resources(context({ logGroups: [{ name: '/g', period: 'soon' }] }))).rejects.toThrow(
      'alarms.yml logGroups /g period must be a positive number, got "soon"',
    );
    await expect(alarms.resources(context({ logGroups: [{ patterns: [] }] }))).rejects.toThrow(
      'needs a name',
    );
    await expect(alarms.resources(context({ logGroups: ['/g'], defaults: {} }))).rejects.toThrow(
      'alarms.yml defaults period must be a positive number',
    );
    await expect(alarms.resources(context({ patterns: { x: 1 } }))).rejects.toThrow(
      'patterns.x must be a string',
    );
  });
});

describe("resources/notifier.js: the notifier's role", () => {
  it('reads the watched groups and the SSM token it is given, keeps its ledger items, nothing else', async () => {
    const statements = await notifier.iamRoleStatements(
      context({ logGroups: ['/aws/lambda/a'] }, { slackTokenParameter: '/logpipe/prod/slack-bot-token' }),
    );
    const ledger = statements.find((s) => s.Action.some((a) => a.startsWith('dynamodb:')));
    // Items of the ledger table only: no Scan, no DeleteItem, no table changes.
    expect(ledger?.Resource).toEqual([{ 'Fn::GetAtt': ['AlarmLedgerTable', 'Arn'] }]);
    expect(statements.flatMap((s) => s.Action).sort()).toEqual([
      'dynamodb:ConditionCheckItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'logs:DescribeMetricFilters',
      'logs:FilterLogEvents',
      'sqs:SendMessage',
      'ssm:GetParameter',
    ]);
    expect(JSON.stringify(statements)).toContain('log-group:/aws/lambda/a:*');
    expect(JSON.stringify(statements)).toContain(':parameter/logpipe/prod/slack-bot-token');
  });

  it('reads a Secrets Manager token by name or ARN, and no log group when none is watched', async () => {
    const byName = await notifier.iamRoleStatements(
      context({ logGroups: [] }, { slackTokenSecret: 'logpipe/dev/slack' }),
    );
    expect(JSON.stringify(byName)).toContain('secret:logpipe/dev/slack-??????');
    expect(byName.flatMap((s) => s.Action)).not.toContain('logs:FilterLogEvents');
    expect(byName.flatMap((s) => s.Action)).not.toContain('ssm:GetParameter');
    const arn = 'arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:slack-AbCdEf';
    const byArn = await notifier.iamRoleStatements(context({ logGroups: [] }, { slackTokenSecret: arn }));
    expect(byArn.find((s) => s.Action.includes('secretsmanager:GetSecretValue'))?.Resource).toBe(arn);
  });
});

describe('resources/notifier.js: the roles of other accounts (param alarmAccountRoles)', () => {
  const ROLE_A = 'arn:aws:iam::111122223333:role/logpipe-alarm-lines';
  const ROLE_B = 'arn:aws:iam::444455556666:role/team/lines';

  it('allows sts:AssumeRole on exactly the listed roles, and not at all without them', async () => {
    const statements = await notifier.iamRoleStatements(
      context({ logGroups: [] }, { alarmAccountRoles: `111122223333=${ROLE_A}, 444455556666=${ROLE_B}` }),
    );
    expect(statements.filter((s) => s.Action.some((a) => a.startsWith('sts:')))).toEqual([
      { Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: [ROLE_A, ROLE_B] },
    ]);
    const none = await notifier.iamRoleStatements(context({ logGroups: [] }, { alarmAccountRoles: '' }));
    expect(JSON.stringify(none)).not.toContain('sts:');
  });

  it.each([
    ['a wildcard', '111122223333=arn:aws:iam::111122223333:role/*'],
    ['a role of another account', '111122223333=arn:aws:iam::444455556666:role/r'],
    ['no account', ROLE_A],
    ['a YAML list', [`111122223333=${ROLE_A}`]],
  ])('refuses %s, naming the param', async (_what, value) => {
    await expect(
      notifier.iamRoleStatements(context({ logGroups: [] }, { alarmAccountRoles: value })),
    ).rejects.toThrow(/param alarmAccountRoles/);
  });
});
