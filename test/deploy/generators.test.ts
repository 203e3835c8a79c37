/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * The resource generators (resources/*.js) and their shared helpers (resources/lib), each branch
 * called directly with a context as osls gives it. `sls package` of every stage
 * (package.integration.test.ts) checks the assembled templates.
 */
export {};

type Json = Record<string, unknown>;
type Statement = { Effect: string; Action: string[]; Resource: unknown };
type Context = { options: { stage?: string }; resolveVariable(name: string): Promise<unknown> };

const { params, integer, positiveNumber, stringList } = require('../../resources/lib/params.js') as {
  params(context: Context): {
    raw(name: string): Promise<unknown>;
    text(name: string): Promise<string>;
    list(name: string): Promise<string[]>;
    integer(name: string, min: number, max: number): Promise<number>;
    days(name: string): Promise<number>;
    oneOf(name: string, allowed: string[]): Promise<string>;
    serviceAndStage(): Promise<{ service: string; stage: string; prefix: string }>;
  };
  integer(value: unknown, name: string, min: number, max: number): number;
  positiveNumber(value: unknown, name: string): number;
  stringList(value: unknown, name: string): string[];
};
const cfn = require('../../resources/lib/cfn.js') as {
  logicalId(value: string): string;
  functionLogGroupId(name: string): string;
  failureQueue(name: string): { Properties: Json };
  privateBucket(name: string, properties?: Json): { Properties: Json };
  tlsOnlyPolicy(id: string, name: string, statements?: object[]): { DependsOn: string[]; Properties: Json };
  alarmActions(options?: { insufficientData?: boolean }): Json;
  functionRole(
    name: string,
    region: string,
    statements: Statement[],
  ): { Properties: { RoleName: string; Policies: { PolicyDocument: Json }[] } };
};
const iam = require('../../resources/lib/iam.js') as {
  destinationStatements(d: { auth: string; credentials: string; resourceArn: string }): Statement[];
};
type ResourcesFn = (context: Context) => Promise<Json>;
const failureQueues = require('../../resources/failure-queues.js') as {
  resources: ResourcesFn;
  queueSuffix(id: string): string;
};
const roles = require('../../resources/roles.js') as { resources: ResourcesFn };
/** Every function's module (resources/<function>.js) has the same three parts. */
type FunctionModule = {
  environment(context: Context): Promise<Record<string, unknown>>;
  events(context: Context): Promise<Json[]>;
  iamRoleStatements(context: Context): Promise<Statement[]>;
};
const FUNCTION_KEYS = ['forwarder', 'splitter', 'notifier', 'exporter', 'subscriber'];
const functionModule = (key: string) => require(`../../resources/${key}.js`) as FunctionModule;
const forwarder = functionModule('forwarder');
const splitter = functionModule('splitter');
const notifier = functionModule('notifier');
const exporter = functionModule('exporter') as FunctionModule & {
  exportBucketStatements(context: Context): Promise<Json[]>;
};
const buckets = require('../../resources/buckets.js') as { resources: ResourcesFn };
const security = require('../../resources/security.js') as { resources: ResourcesFn };
const metricAlarms = require('../../resources/metric-alarms.js') as { resources: ResourcesFn };

/** The default params of serverless.yml that the generators read, as resolved for stage dev. */
const DEFAULTS: Json = {
  destinationKind: '',
  destinationAuth: 'none',
  destinationCredentials: '',
  destinationResourceArn: '',
  deadLetterBucket: 'dead',
  forwardedLogGroups: [],
  forwarderFilterPattern: '',
  rawLogsBucket: 'raw',
  rawLogsPrefix: 'firehose/',
  archiveBucket: '',
  archivePrefix: 'archive',
  kinesisStreamArn: '',
  kinesisOnFailureArn: '',
  kinesisBatchSize: 100,
  kinesisMaximumRetryAttempts: 3,
  kinesisMaximumRecordAgeInSeconds: 86400,
  kinesisParallelizationFactor: 1,
  kinesisStartingPosition: 'LATEST',
  exporterBucket: 'exports',
  exporterLogGroupNames: [],
  exporterLogGroupPrefixes: [],
  exporterLogGroupExcludes: [],
  exporterLagHours: 24,
  exporterMaxWindowHours: 168,
  exporterPruneMode: 'none',
  exporterPruneMarginHours: 6,
  exporterRetentionDays: 14,
  exporterDryRun: 'true',
  exporterMaxLagHours: 48,
  rawLogsColdAfterDays: 0,
  rawLogsExpireDays: 30,
  archiveColdAfterDays: 90,
  archiveExpireDays: 0,
  deadLetterColdAfterDays: 30,
  deadLetterExpireDays: 0,
  exportColdAfterDays: 90,
  exportExpireDays: 0,
  exportNoncurrentDays: 30,
  deadLetterNoncurrentDays: 30,
  archiveNoncurrentDays: 30,
  encryptionKey: '',
  accessLogBucket: '',
};
const ALARMS = {
  patterns: {},
  defaults: { period: 60, threshold: 1, evaluationPeriods: 1, datapointsToAlarm: 1 },
};

/** resources/metric-alarms.yml's kinds of entry, one each (package.test.ts checks the real file's alarms). */
const METRIC_ALARMS = {
  alarms: [
    {
      for: 'everyFunction',
      id: '{Function}ErrorsAlarm',
      name: '{name}-errors',
      description: '{name} failed',
      namespace: 'AWS/Lambda',
      metric: 'Errors',
      dimensions: { FunctionName: '{name}' },
      statistic: 'Sum',
      comparison: 'GreaterThanOrEqualToThreshold',
      threshold: 1,
    },
    {
      for: 'everyFailureQueue',
      id: '{queue}MessagesAlarm',
      name: '{prefix}-{queue}-messages',
      description: 'in {queue}',
      namespace: 'AWS/SQS',
      metric: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: { 'Fn::GetAtt': ['{queue}', 'QueueName'] } },
      statistic: 'Maximum',
      comparison: 'GreaterThanThreshold',
      threshold: 0,
    },
    {
      for: 'forwarder',
      id: '{Function}DeadLetteredAlarm',
      name: '{name}-dead-lettered',
      description: 'dead letters',
      emfMetric: 'deadLettered',
      statistic: 'Sum',
      comparison: 'GreaterThanOrEqualToThreshold',
      threshold: 1,
    },
    {
      for: 'kinesisStream',
      id: 'Forwarder{Stream}IteratorAgeAlarm',
      name: '{prefix}-forwarder-{stream}-iterator-age',
      description: '{stream} behind',
      namespace: 'AWS/Kinesis',
      metric: 'GetRecords.IteratorAgeMilliseconds',
      dimensions: { StreamName: '{stream}' },
      statistic: 'Maximum',
      comparison: 'GreaterThanThreshold',
      threshold: 600000,
      period: 300,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
    },
    {
      for: 'exporter',
      id: '{Function}BehindAlarm',
      name: '{name}-behind',
      description: 'more than {param} h behind',
      emfMetric: 'maxCheckpointLagSeconds',
      statistic: 'Maximum',
      comparison: 'GreaterThanThreshold',
      threshold: { param: 'exporterMaxLagHours', times: 3600, ifUnset: 48 },
      period: 3600,
    },
  ],
};

function context(overrides: Json = {}, functions: Json = {}, stage = 'dev'): Context {
  const values: Json = {
    'self:service': 'logpipe',
    'sls:stage': stage,
    'self:functions': functions,
    'self:custom.alarms': ALARMS,
    'self:custom.metricAlarms': METRIC_ALARMS,
    'self:provider.region': 'ap-northeast-2',
  };
  for (const [key, value] of Object.entries({ ...DEFAULTS, ...overrides })) values[`param:${key}`] = value;
  return { options: { stage }, resolveVariable: async (name) => values[name] ?? null };
}
const actions = (statements: Statement[]) => statements.flatMap((s) => s.Action).sort();
const text = (value: unknown) => JSON.stringify(value);

describe('resources/lib/params.js', () => {
  it('reads text, lists, integers, days and choices, naming the param it refuses', async () => {
    const p = params(
      context({ a: ' x ', n: null, l: 'a, b,,', y: ['c'], i: '7', d: '', o: 'LATEST', obj: { k: 1 } }),
    );
    expect(await p.text('a')).toBe('x');
    expect(await p.text('n')).toBe('');
    expect(await p.text('missing')).toBe('');
    await expect(p.text('obj')).rejects.toThrow('param obj must be a string');
    expect(await p.list('l')).toEqual(['a', 'b']);
    expect(await p.list('y')).toEqual(['c']);
    expect(await p.list('n')).toEqual([]);
    await expect(p.list('obj')).rejects.toThrow('param obj must be a list');
    expect(await p.integer('i', 1, 10)).toBe(7);
    await expect(p.integer('i', 8, 10)).rejects.toThrow('param i must be an integer from 8 to 10, got "7"');
    expect(await p.days('d')).toBe(0);
    await expect(p.days('a')).rejects.toThrow('param a (days, 0 = never)');
    expect(await p.oneOf('o', ['LATEST', 'TRIM_HORIZON'])).toBe('LATEST');
    await expect(p.oneOf('a', ['LATEST'])).rejects.toThrow('param a must be one of LATEST, got "x"');
    expect(await p.serviceAndStage()).toEqual({ service: 'logpipe', stage: 'dev', prefix: 'logpipe-dev' });
  });

  it('takes the stage from the command line first', async () => {
    const ctx = context();
    expect((await params({ ...ctx, options: { stage: 'prod' } }).serviceAndStage()).stage).toBe('prod');
    expect((await params({ ...ctx, options: {} }).serviceAndStage()).stage).toBe('dev');
  });

  it('validates plain values: blank is not zero, fractions are not integers', () => {
    expect(() => integer('', 'x', 0, 9)).toThrow('x must be an integer');
    expect(() => integer(1.5, 'x', 0, 9)).toThrow('x must be an integer');
    expect(positiveNumber('2.5', 'x')).toBe(2.5);
    expect(() => positiveNumber(0, 'x')).toThrow('x must be a positive number, got "0"');
    expect(() => positiveNumber(' ', 'x')).toThrow('x must be a positive number');
    expect(() => stringList(['a', 3], 'x')).toThrow('x: expected a string, got 3');
  });
});

describe('resources/lib/cfn.js', () => {
  it('makes alphanumeric logical ids and the log group ids the framework uses', () => {
    expect(cfn.logicalId('/aws/lambda/logpipe-dev-forwarder')).toBe('AwsLambdaLogpipeDevForwarder');
    expect(cfn.logicalId('a'.repeat(300))).toHaveLength(200);
    expect(cfn.functionLogGroupId('my-fn_x')).toBe('MyDashfnUnderscorexLogGroup');
  });

  it('builds an encrypted 14-day queue, a private bucket, a TLS-only policy', () => {
    expect(cfn.failureQueue('q').Properties).toEqual({
      QueueName: 'q',
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 1209600,
    });
    const bucket = cfn.privateBucket('b', { VersioningConfiguration: { Status: 'Enabled' } }).Properties;
    expect(bucket).toMatchObject({
      BucketName: 'b',
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    const policy = cfn.tlsOnlyPolicy('B', 'b', [{ Sid: 'Other' }]);
    expect(policy.DependsOn).toEqual(['B']);
    expect(text(policy.Properties)).toContain('"aws:SecureTransport":"false"');
    expect((policy.Properties.PolicyDocument as { Statement: Json[] }).Statement.map((s) => s.Sid)).toEqual([
      'DenyInsecureTransport',
      'Other',
    ]);
  });

  it('notifies the alarm topic, on INSUFFICIENT_DATA only when asked', () => {
    expect(cfn.alarmActions()).toEqual({
      AlarmActions: [{ Ref: 'AlarmTopic' }],
      OKActions: [{ Ref: 'AlarmTopic' }],
    });
    expect(cfn.alarmActions({ insufficientData: true })).toHaveProperty('InsufficientDataActions');
  });

  it("gives a function's role its log group and the statements given, nothing more", () => {
    const role = cfn.functionRole('logpipe-dev-x', 'ap-northeast-2', [
      { Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn' },
    ]);
    const statements = (role.Properties.Policies[0]!.PolicyDocument as { Statement: Statement[] }).Statement;
    expect(actions(statements)).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', 's3:GetObject']);
    expect(text(statements[0])).toContain('log-group:/aws/lambda/logpipe-dev-x:*');
  });

  it('names the role as the per-function plugin did, shortened or refused past 64 characters', () => {
    expect(cfn.functionRole('logpipe-dev-x', 'ap-northeast-2', []).Properties.RoleName).toBe(
      'logpipe-dev-x-ap-northeast-2-lambdaRole',
    );
    const long = `logpipe-${'s'.repeat(30)}-forwarder`;
    expect(cfn.functionRole(long, 'ap-northeast-2', []).Properties.RoleName).toBe(`${long}-ap-northeast-2`);
    expect(() => cfn.functionRole(`${long}-more-than-iam-allows`, 'ap-northeast-2', [])).toThrow(
      "longer than IAM's 64 characters",
    );
  });
});

describe('resources/lib/iam.js destinationStatements', () => {
  const none = { auth: 'none', credentials: '', resourceArn: '' };
  it('grants nothing for an open destination', () => {
    expect(iam.destinationStatements(none)).toEqual([]);
  });
  it('reads a secret by name (with its random suffix) or ARN, or an SSM parameter', () => {
    expect(text(iam.destinationStatements({ ...none, credentials: 'secretsmanager:es/creds' }))).toContain(
      ':secret:es/creds-??????',
    );
    const arn = 'arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:es-AbCdEf';
    expect(iam.destinationStatements({ ...none, credentials: `secretsmanager:${arn}` })[0]!.Resource).toBe(
      arn,
    );
    expect(text(iam.destinationStatements({ ...none, credentials: 'ssm:/es/creds' }))).toContain(
      ':parameter/es/creds"',
    );
    expect(() => iam.destinationStatements({ ...none, credentials: 'vault:x' })).toThrow(
      'param destinationCredentials must be secretsmanager:<id> or ssm:<name>',
    );
  });
  it('signs for a domain or a serverless collection, and needs its ARN', () => {
    const domain = 'arn:aws:es:ap-northeast-2:123456789012:domain/logs';
    expect(iam.destinationStatements({ ...none, auth: 'sigv4', resourceArn: domain })).toEqual([
      { Effect: 'Allow', Action: ['es:ESHttpPost', 'es:ESHttpPut'], Resource: `${domain}/*` },
    ]);
    const collection = 'arn:aws:aoss:ap-northeast-2:123456789012:collection/abc';
    expect(actions(iam.destinationStatements({ ...none, auth: 'sigv4', resourceArn: collection }))).toEqual([
      'aoss:APIAccessAll',
    ]);
    expect(() => iam.destinationStatements({ ...none, auth: 'sigv4' })).toThrow(
      'destinationResourceArn is required',
    );
  });
});

describe('resources/failure-queues.js and roles.js', () => {
  const functions = {
    forwarder: {
      role: 'ForwarderRole',
      destinations: { onFailure: { arn: { 'Fn::GetAtt': ['ForwarderFailureQueue', 'Arn'] } } },
      events: [
        {
          stream: {
            destinations: { onFailure: { arn: { 'Fn::GetAtt': ['ForwarderStreamFailureQueue', 'Arn'] } } },
          },
        },
      ],
    },
    splitter: {
      role: 'SplitterRole',
      destinations: { onFailure: 'arn:aws:sqs:ap-northeast-2:123456789012:q' },
    },
  };

  it('declares a queue per named on-failure queue, and only those', async () => {
    const out = (await failureQueues.resources(context({}, functions))) as { Resources: Json; Outputs: Json };
    expect(Object.keys(out.Resources)).toEqual(['ForwarderFailureQueue', 'ForwarderStreamFailureQueue']);
    expect(text(out.Resources.ForwarderStreamFailureQueue)).toContain(
      '"logpipe-dev-forwarder-stream-failures"',
    );
    expect(Object.keys(out.Outputs)).toEqual(['ForwarderFailureQueueUrl', 'ForwarderStreamFailureQueueUrl']);
    expect(() => failureQueues.queueSuffix('Deadletters')).toThrow('name it <Name>FailureQueue');
  });

  it("builds each function's role from its module, and refuses a function without its role", async () => {
    const out = (await roles.resources(context({}, functions))) as { Resources: Json };
    expect(Object.keys(out.Resources)).toEqual(['ForwarderRole', 'SplitterRole']);
    expect(text(out.Resources.SplitterRole)).toContain('log-group:/aws/lambda/logpipe-dev-splitter:*');
    await expect(roles.resources(context({}, { forwarder: {} }))).rejects.toThrow(
      'function forwarder: set "role: ForwarderRole"',
    );
  });
});

describe('resources/forwarder.js', () => {
  it('subscribes each forwarded group, never its own, and adds the Kinesis stream when set', async () => {
    expect(
      await forwarder.events(context({ forwardedLogGroups: ['/a', '/b'], forwarderFilterPattern: 'ERROR' })),
    ).toEqual([
      { cloudwatchLog: { logGroup: '/a', filter: 'ERROR' } },
      { cloudwatchLog: { logGroup: '/b', filter: 'ERROR' } },
    ]);
    await expect(
      forwarder.events(context({ forwardedLogGroups: ['/aws/lambda/logpipe-dev-forwarder'] })),
    ).rejects.toThrow("must not contain the forwarder's own log group");
    const stream = 'arn:aws:kinesis:ap-northeast-2:123456789012:stream/s';
    const events = await forwarder.events(
      context({ kinesisStreamArn: stream, kinesisStartingPosition: 'TRIM_HORIZON' }),
    );
    expect(events).toEqual([
      {
        stream: expect.objectContaining({
          arn: stream,
          startingPosition: 'TRIM_HORIZON',
          bisectBatchOnFunctionError: true,
          functionResponseType: 'ReportBatchItemFailures',
          destinations: {
            onFailure: { type: 'sqs', arn: { 'Fn::GetAtt': ['ForwarderStreamFailureQueue', 'Arn'] } },
          },
        }),
      },
    ]);
  });

  it('refuses a stream, queue, position or batch it cannot use', async () => {
    const stream = 'arn:aws:kinesis:ap-northeast-2:123456789012:stream/s';
    await expect(forwarder.events(context({ kinesisStreamArn: 'stream/s' }))).rejects.toThrow(
      'not a Kinesis stream ARN',
    );
    await expect(
      forwarder.events(context({ kinesisStreamArn: stream, kinesisOnFailureArn: 'q' })),
    ).rejects.toThrow('not an SQS queue ARN');
    await expect(
      forwarder.events(context({ kinesisStreamArn: stream, kinesisStartingPosition: 'AT' })),
    ).rejects.toThrow('kinesisStartingPosition must be one of LATEST, TRIM_HORIZON');
    await expect(
      forwarder.events(context({ kinesisStreamArn: stream, kinesisBatchSize: 0 })),
    ).rejects.toThrow('param kinesisBatchSize must be an integer from 1 to 10000');
  });

  it('grants its queue and dead letters, the stream and its failure queue, the credentials', async () => {
    const plain = await forwarder.iamRoleStatements(context());
    expect(actions(plain)).toEqual(['s3:PutObject', 'sqs:SendMessage']);
    expect(text(plain)).toContain('s3:::dead/dead-letter/forwarder/*');
    const stream = 'arn:aws:kinesis:ap-northeast-2:123456789012:stream/s';
    const queue = 'arn:aws:sqs:ap-northeast-2:123456789012:q';
    const withStream = await forwarder.iamRoleStatements(
      context({ kinesisStreamArn: stream, kinesisOnFailureArn: queue, destinationCredentials: 'ssm:/c' }),
    );
    expect(withStream.find((s) => s.Action.includes('kinesis:GetRecords'))?.Resource).toBe(stream);
    expect(withStream.filter((s) => s.Resource === queue)).toHaveLength(1);
    expect(actions(withStream)).toContain('ssm:GetParameter');
    const ownQueue = await forwarder.iamRoleStatements(context({ kinesisStreamArn: stream }));
    expect(text(ownQueue)).toContain('ForwarderStreamFailureQueue');
    await expect(forwarder.iamRoleStatements(context({ deadLetterBucket: '' }))).rejects.toThrow(
      'param deadLetterBucket must not be empty',
    );
    await expect(forwarder.iamRoleStatements(context({ destinationKind: 'opensearch' }))).rejects.toThrow(
      'param destinationKind must be',
    );
    await expect(forwarder.iamRoleStatements(context({ destinationAuth: 'oauth' }))).rejects.toThrow(
      'param destinationAuth must be one of none, basic, apikey, sigv4',
    );
  });
});

describe('the function modules (resources/<function>.js)', () => {
  it('each declares its environment, events and role statements, every variable a string', async () => {
    for (const key of FUNCTION_KEYS) {
      const module = functionModule(key);
      const environment = await module.environment(context());
      expect([key, Object.keys(environment).length > 0]).toEqual([key, true]);
      for (const [name, value] of Object.entries(environment))
        expect([key, name, typeof value === 'string' || typeof value === 'object']).toEqual([
          key,
          name,
          true,
        ]);
      expect([key, Array.isArray(await module.events(context()))]).toEqual([key, true]);
      expect([key, (await module.iamRoleStatements(context())).length > 0]).toEqual([key, true]);
    }
  });

  it('gives the forwarder and the splitter the same document settings, each its own dead-letter prefix', async () => {
    const values = {
      destinationKind: 'logstash',
      destinationUrl: 'https://logs.example.com',
      indexPrefix: 'cwl-x',
      rulesFile: 'config/rules.dev.json',
      sourceAccounts: ['111111111111', '111111111111', '222222222222'],
    };
    const forwarded = await forwarder.environment(context(values));
    const split = await splitter.environment(context(values));
    expect(forwarded).toMatchObject({
      DESTINATION_KIND: 'logstash',
      DESTINATION_URL: 'https://logs.example.com',
      INDEX_PREFIX: 'cwl-x',
      RULES_FILE: 'config/rules.dev.json',
      SOURCE_ACCOUNTS: '111111111111,222222222222',
      DEAD_LETTER_PREFIX: 'dead-letter/forwarder/',
    });
    for (const [name, value] of Object.entries(forwarded))
      if (name !== 'DEAD_LETTER_PREFIX') expect([name, split[name]]).toEqual([name, value]);
    expect(split).toMatchObject({
      DEAD_LETTER_PREFIX: 'dead-letter/splitter/',
      RAW_LOGS_PREFIX: 'firehose/',
    });
    await expect(forwarder.environment(context({ sourceAccounts: ['1234'] }))).rejects.toThrow(
      'param sourceAccounts: "1234" is not a 12-digit AWS account id',
    );
  });

  it("names the notifier's topic and ledger table after the stage, and reads its alarm topic", async () => {
    expect(
      await notifier.environment(context({ alarmStormThreshold: 10, rulesFile: 'r.json' })),
    ).toMatchObject({
      STAGE: 'dev',
      ALARM_LEDGER_TABLE: 'logpipe-dev-alarm-ledger',
      ALARM_STORM_THRESHOLD: '10',
      RULES_FILE: 'r.json',
    });
    expect(await notifier.events(context())).toEqual([
      { sns: { arn: { Ref: 'AlarmTopic' }, topicName: 'logpipe-dev-alarms' } },
    ]);
  });

  it('triggers the splitter on raw objects and runs the exporter on its schedule', async () => {
    expect(await splitter.events(context({ rawLogsPrefix: 'raw/' }))).toEqual([
      { s3: { bucket: 'rawLogs', event: 's3:ObjectCreated:*', rules: [{ prefix: 'raw/' }] } },
    ]);
    expect(await exporter.events(context({ exporterSchedule: 'rate(1 hour)' }))).toEqual([
      { schedule: { rate: 'rate(1 hour)' } },
    ]);
  });
});

describe('resources/splitter.js', () => {
  it('reads the raw prefix, writes dead letters, and the archive only when the stage has one', async () => {
    const plain = await splitter.iamRoleStatements(context());
    expect(text(plain)).toContain('s3:::raw/firehose/*');
    expect(text(plain)).toContain('s3:::dead/dead-letter/splitter/*');
    expect(actions(plain)).not.toContain('s3:AbortMultipartUpload');
    const archiving = await splitter.iamRoleStatements(
      context({ archiveBucket: 'arch', archivePrefix: '/a/' }),
    );
    expect(text(archiving)).toContain('s3:::arch/a/*');
    expect(actions(archiving)).toContain('s3:AbortMultipartUpload');
  });
});

describe('resources/exporter.js', () => {
  it('passes the selection to the function as comma-separated lists', async () => {
    const env = await exporter.environment(
      context({
        exporterLogGroupNames: ['/a', '/b'],
        exporterLogGroupPrefixes: '/p/, /q/',
        exporterDryRun: '',
      }),
    );
    expect(env).toMatchObject({
      EXPORT_BUCKET: 'exports',
      EXPORT_LOG_GROUP_NAMES: '/a,/b',
      EXPORT_LOG_GROUP_PREFIXES: '/p/,/q/',
      EXPORT_DRY_RUN: 'true',
      EXPORT_PRUNE_MODE: 'none',
    });
    await expect(exporter.environment(context({ exporterPruneMode: 'all' }))).rejects.toThrow(
      'param exporterPruneMode must be one of none, streams, retention, both',
    );
  });

  it('grants pruning actions only for the prune mode, and writes only outside a dry run', async () => {
    const selected = { exporterLogGroupNames: ['/a'] };
    const logsActions = async (overrides: Json) =>
      (await exporter.iamRoleStatements(context({ ...selected, ...overrides }))).find((s) =>
        s.Action.includes('logs:CreateExportTask'),
      )?.Action;
    // DescribeLogStreams in every mode: the late scan lists streams for follow-up exports.
    expect(await logsActions({})).toEqual(['logs:CreateExportTask', 'logs:DescribeLogStreams']);
    expect(await logsActions({ exporterPruneMode: 'streams' })).toEqual([
      'logs:CreateExportTask',
      'logs:DescribeLogStreams',
    ]);
    expect(await logsActions({ exporterPruneMode: 'streams', exporterDryRun: 'false' })).toEqual([
      'logs:CreateExportTask',
      'logs:DescribeLogStreams',
      'logs:DeleteLogStream',
    ]);
    expect(await logsActions({ exporterPruneMode: 'both', exporterDryRun: 'false' })).toEqual([
      'logs:CreateExportTask',
      'logs:DescribeLogStreams',
      'logs:DeleteLogStream',
      'logs:PutRetentionPolicy',
    ]);
    expect(await logsActions({ exporterLogGroupNames: [] })).toBeUndefined();
  });

  it('lets the logs service write exports only for the selected groups, or any of this account', async () => {
    const scoped = await exporter.exportBucketStatements(context({ exporterLogGroupPrefixes: ['/p/'] }));
    expect(text(scoped)).toContain('log-group:/p/*');
    expect(text(scoped)).toContain('s3:::exports/cloudwatch-exports/*');
    expect(text(await exporter.exportBucketStatements(context()))).toContain('log-group:*');
  });
});

describe('resources/buckets.js', () => {
  type Out = {
    Resources: Record<string, { Properties: Json }>;
    extensions: Record<string, { Properties: Json }>;
  };
  const rules = (resource: { Properties: Json } | undefined) =>
    (resource?.Properties.LifecycleConfiguration as { Rules: { Id: string }[] }).Rules.map((r) => r.Id);

  it('declares the archive bucket only when the stage names one', async () => {
    const dev = (await buckets.resources(context())) as Out;
    expect(Object.keys(dev.Resources).sort()).toEqual([
      'DeadLetterBucket',
      'DeadLetterBucketTlsPolicy',
      'ExportBucket',
      'ExportBucketPolicy',
      'S3BucketRawLogsTlsPolicy',
    ]);
    const prod = (await buckets.resources(context({ archiveBucket: 'arch' }))) as Out;
    expect(prod.Resources.SplitterArchiveBucket?.Properties.BucketName).toBe('arch');
    expect(rules(prod.Resources.SplitterArchiveBucket)).toEqual([
      'abort-incomplete-multipart-uploads',
      'cold-after-90-days',
      'expire-noncurrent-versions',
    ]);
  });

  it('turns days into lifecycle rules, expiry after cold storage', async () => {
    const out = (await buckets.resources(
      context({ rawLogsColdAfterDays: 30, rawLogsExpireDays: 365 }),
    )) as Out;
    expect(rules(out.extensions.S3BucketRawLogs)).toEqual([
      'abort-incomplete-multipart-uploads',
      'cold-after-30-days',
      'expire-after-365-days',
    ]);
    expect(rules(out.Resources.ExportBucket)).toContain('expire-noncurrent-versions');
    await expect(
      buckets.resources(context({ deadLetterColdAfterDays: 30, deadLetterExpireDays: 30 })),
    ).rejects.toThrow('deadLetter: expiry (30 days) must come after cold storage (30 days)');
    await expect(buckets.resources(context({ exporterBucket: '' }))).rejects.toThrow(
      'param exporterBucket must not be empty',
    );
  });
});

describe('resources/metric-alarms.js', () => {
  type Alarms = { Resources: Record<string, { Properties: Json }> };
  const functions = {
    forwarder: { destinations: { onFailure: { arn: { 'Fn::GetAtt': ['ForwarderFailureQueue', 'Arn'] } } } },
    notifier: { name: 'custom-notifier' },
    exporter: {},
  };
  const expand = async (overrides: Json, fns: Json = functions, alarms: unknown = METRIC_ALARMS) =>
    (await metricAlarms.resources({
      ...context(overrides, fns),
      resolveVariable: async (name: string) =>
        name === 'self:custom.metricAlarms' ? alarms : context(overrides, fns).resolveVariable(name),
    })) as Alarms;

  it('alarms on every function, its queues, dead letters and the exporter lag, with alarms.yml defaults', async () => {
    const { Resources } = await expand({ exporterMaxLagHours: 6 });
    expect(Object.keys(Resources).sort()).toEqual([
      'ExporterBehindAlarm',
      'ExporterErrorsAlarm',
      'ForwarderDeadLetteredAlarm',
      'ForwarderErrorsAlarm',
      'ForwarderFailureQueueMessagesAlarm',
      'NotifierErrorsAlarm',
    ]);
    expect(Resources.NotifierErrorsAlarm?.Properties).toMatchObject({
      AlarmName: 'custom-notifier-errors',
      Dimensions: [{ Name: 'FunctionName', Value: 'custom-notifier' }],
    });
    expect(Resources.ExporterBehindAlarm?.Properties).toMatchObject({
      Threshold: 6 * 3600,
      AlarmDescription: 'more than 6 h behind',
      Period: 3600,
      EvaluationPeriods: 1, // the default: alarms.yml
    });
    expect(Resources.ForwarderErrorsAlarm?.Properties).toMatchObject({
      Period: 60,
      EvaluationPeriods: 1,
      AlarmActions: [{ Ref: 'AlarmTopic' }],
      OKActions: [{ Ref: 'AlarmTopic' }],
    });
    // The metrics the functions publish: namespace and metric from libs/runtime/stack-constants.json.
    expect(Resources.ForwarderDeadLetteredAlarm?.Properties).toMatchObject({
      Namespace: 'logpipe',
      MetricName: 'DeadLettered',
      Dimensions: [
        { Name: 'Service', Value: 'logpipe-dev' },
        { Name: 'Function', Value: 'forwarder' },
      ],
    });
    expect(Resources.ForwarderFailureQueueMessagesAlarm?.Properties.Dimensions).toEqual([
      { Name: 'QueueName', Value: { 'Fn::GetAtt': ['ForwarderFailureQueue', 'QueueName'] } },
    ]);
    const unset = await expand({ exporterMaxLagHours: '' }, { exporter: {} });
    expect(unset.Resources.ExporterBehindAlarm?.Properties.Threshold).toBe(48 * 3600);
    await expect(expand({ exporterMaxLagHours: -1 })).rejects.toThrow(
      'param exporterMaxLagHours must be a number of at least 0, got "-1"',
    );
  });

  it("watches the forwarder's Kinesis stream only when the stage reads one", async () => {
    const stream = 'arn:aws:kinesis:ap-northeast-2:123456789012:stream/central-logs';
    const { Resources } = await expand({ kinesisStreamArn: stream });
    expect(Resources.ForwarderCentralLogsIteratorAgeAlarm?.Properties).toMatchObject({
      AlarmName: 'logpipe-dev-forwarder-central-logs-iterator-age',
      Namespace: 'AWS/Kinesis',
      MetricName: 'GetRecords.IteratorAgeMilliseconds',
      Dimensions: [{ Name: 'StreamName', Value: 'central-logs' }],
      Threshold: 600000,
      Period: 300,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
    });
    expect(Object.keys((await expand({})).Resources).join()).not.toContain('IteratorAge');
    expect(
      Object.keys((await expand({ kinesisStreamArn: stream }, { exporter: {} })).Resources).join(),
    ).not.toContain('IteratorAge');
  });

  it('refuses an entry it cannot expand, naming it', async () => {
    const entry = METRIC_ALARMS.alarms[0]!;
    await expect(expand({}, functions, { alarms: [{ ...entry, for: 'everyLambda' }] })).rejects.toThrow(
      'metric-alarms.yml alarms[0] ({Function}ErrorsAlarm): for must be one of',
    );
    await expect(expand({}, functions, { alarms: [{ ...entry, comparison: '>=' }] })).rejects.toThrow(
      'comparison must be one of',
    );
    await expect(
      expand({}, functions, { alarms: [{ ...entry, namespace: undefined, emfMetric: 'errors' }] }),
    ).rejects.toThrow('emfMetric must be one of deadLettered, maxCheckpointLagSeconds');
    await expect(expand({}, functions, { alarms: [{ ...entry, name: '{nmae}-errors' }] })).rejects.toThrow(
      'no {nmae} in "{nmae}-errors"',
    );
    await expect(expand({}, functions, { alarms: [entry, entry] })).rejects.toThrow(
      'two alarms are ForwarderErrorsAlarm',
    );
  });
});

describe('resources/firehose.js', () => {
  const firehose = require('../../resources/firehose.js') as { resources: ResourcesFn };
  const base = {
    firehoseLogGroups: [],
    firehoseFilterPattern: '',
    firehoseBufferSizeMiB: 5,
    firehoseBufferIntervalSeconds: 300,
    logRetentionInDays: 30,
  };
  const run = (overrides: Json) =>
    firehose.resources(
      context({ ...base, ...overrides }, { forwarder: {}, splitter: {}, notifier: {} }),
    ) as Promise<{
      Resources: Record<string, { DependsOn?: unknown; Properties: Json }>;
    }>;

  it('subscribes each group once, after the log group a stage names or this stack owns', async () => {
    const { Resources } = await run({
      firehoseLogGroups: [
        { name: '/ecs/a', dependsOn: 'ALogGroup' },
        '/aws/lambda/logpipe-dev-notifier',
        '/ecs/b',
      ],
      firehoseFilterPattern: 'ERROR',
    });
    expect(Resources.EcsAArchiveSubscription?.DependsOn).toEqual(['ALogGroup']);
    expect(Resources.AwsLambdaLogpipeDevNotifierArchiveSubscription?.DependsOn).toEqual(['NotifierLogGroup']);
    expect(Resources.EcsBArchiveSubscription?.DependsOn).toBeUndefined();
    expect(Resources.EcsBArchiveSubscription?.Properties.FilterPattern).toBe('ERROR');
    expect(
      (await run({ firehoseLogGroups: [{ name: '/x', dependsOn: ['L1', 'L2'] }] })).Resources
        .XArchiveSubscription?.DependsOn,
    ).toEqual(['L1', 'L2']);
  });

  it('refuses duplicates, entries without a name, a non-list and a prefix overlapping the error prefix', async () => {
    await expect(run({ firehoseLogGroups: ['/a', '/a'] })).rejects.toThrow(
      'param firehoseLogGroups lists /a twice',
    );
    await expect(run({ firehoseLogGroups: [{ dependsOn: 'X' }] })).rejects.toThrow(
      'expected a log group name',
    );
    await expect(run({ firehoseLogGroups: '/a' })).rejects.toThrow('must be a list of log group names');
    await expect(run({ rawLogsPrefix: 'firehose-errors/raw/' })).rejects.toThrow(
      'must not overlap "firehose-errors/"',
    );
    await expect(run({ logRetentionInDays: 0 })).rejects.toThrow(
      'param logRetentionInDays must be an integer from 1',
    );
  });
});

describe('resources/security.js, lib/encryption.js and lib/checkov.js: the key, and the reasons on each resource', () => {
  type Resource = { Type?: string; Properties: Json; Metadata?: { checkov: { skip: { id: string }[] } } };
  type Out = { Resources: Record<string, Resource>; extensions: Record<string, Partial<Resource>> };
  const skipped = (resource: Partial<Resource> | undefined) =>
    (resource?.Metadata?.checkov.skip ?? []).map((s) => s.id).sort();
  const functions = {
    forwarder: {
      reservedConcurrency: 20,
      destinations: { onFailure: { arn: { 'Fn::GetAtt': ['ForwarderFailureQueue', 'Arn'] } } },
    },
    notifier: { destinations: { onFailure: { arn: { 'Fn::GetAtt': ['NotifierFailureQueue', 'Arn'] } } } },
  };
  const keyArn = 'arn:aws:kms:ap-northeast-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

  it('without a key: no key, and the topic, log groups, queues and functions say why', async () => {
    const out = (await security.resources(context({}, functions))) as Out;
    expect(out.Resources).toEqual({});
    expect(skipped(out.extensions.AlarmTopic)).toEqual(['CKV_AWS_26']);
    expect(skipped(out.extensions.ForwarderLogGroup)).toEqual(['CKV_AWS_158']);
    expect(skipped(out.extensions.ForwarderLambdaFunction)).toEqual([
      'CKV_AWS_116',
      'CKV_AWS_117',
      'CKV_AWS_173',
    ]);
    // The notifier runs unreserved, with its reason; the forwarder is reserved.
    expect(skipped(out.extensions.NotifierLambdaFunction)).toContain('CKV_AWS_115');
    expect(JSON.stringify(out.extensions.ForwarderLambdaFunction)).toContain('ForwarderFailureQueue');
    const queues = (await failureQueues.resources(context({}, functions))) as Out;
    expect(queues.Resources.ForwarderFailureQueue!.Properties).toMatchObject({ SqsManagedSseEnabled: true });
    expect(skipped(queues.Resources.ForwarderFailureQueue)).toEqual(['CKV_AWS_27']);
  });

  it('with encryptionKey: stack, one key for the topic, log groups and queues, and the roles may use it', async () => {
    const out = (await security.resources(context({ encryptionKey: 'stack' }, functions))) as Out;
    const key = out.Resources.EncryptionKey!;
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const policy = JSON.stringify(key.Properties.KeyPolicy);
    expect(policy).toContain('"Service":"cloudwatch.amazonaws.com"');
    expect(policy).toContain('logs.${AWS::Region}.amazonaws.com');
    expect(policy).toContain('log-group:/aws/lambda/logpipe-dev-*');
    const ref = { 'Fn::GetAtt': ['EncryptionKey', 'Arn'] };
    expect(out.extensions.AlarmTopic).toEqual({ Properties: { KmsMasterKeyId: ref } });
    expect(out.extensions.ForwarderLogGroup).toEqual({ Properties: { KmsKeyId: ref } });
    const queues = (await failureQueues.resources(context({ encryptionKey: 'stack' }, functions))) as Out;
    expect(queues.Resources.ForwarderFailureQueue!.Properties).toMatchObject({ KmsMasterKeyId: ref });
    expect(queues.Resources.ForwarderFailureQueue!.Properties.SqsManagedSseEnabled).toBeUndefined();
    expect(queues.Resources.ForwarderFailureQueue!.Metadata).toBeUndefined();
    const withRoles = { forwarder: { ...functions.forwarder, role: 'ForwarderRole' } };
    const role = (await roles.resources(context({ encryptionKey: 'stack' }, withRoles))) as Out;
    expect(JSON.stringify(role.Resources.ForwarderRole)).toContain(
      '{"Effect":"Allow","Action":["kms:GenerateDataKey","kms:Decrypt"],"Resource":{"Fn::GetAtt":["EncryptionKey","Arn"]}}',
    );
  });

  it('with a key ARN: that key everywhere, no key of the stack; anything else is refused', async () => {
    const out = (await security.resources(context({ encryptionKey: keyArn }, functions))) as Out;
    expect(out.Resources).toEqual({});
    expect(out.extensions.AlarmTopic).toEqual({ Properties: { KmsMasterKeyId: keyArn } });
    await expect(security.resources(context({ encryptionKey: 'alias/logs' }, functions))).rejects.toThrow(
      'param encryptionKey must be',
    );
  });

  it('puts a DynamoDB table under the key, or says why not (for tables to come)', () => {
    const { keyed } = require('../../resources/lib/encryption.js') as {
      keyed(resource: Resource, kind: string, key: { arn: unknown } | undefined): Resource;
    };
    const table = { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 't' } };
    expect(keyed(table, 'table', { arn: keyArn }).Properties.SSESpecification).toEqual({
      SSEEnabled: true,
      SSEType: 'KMS',
      KMSMasterKeyId: keyArn,
    });
    expect(skipped(keyed(table, 'table', undefined))).toEqual(['CKV_AWS_119']);
  });

  it('refuses a reserved concurrency of 0, and a function with neither a reservation nor a reason', async () => {
    const zero = { ...functions, forwarder: { ...functions.forwarder, reservedConcurrency: 0 } };
    await expect(security.resources(context({}, zero))).rejects.toThrow('0 would throttle every invocation');
    const unexplained = { ...functions, reporter: { destinations: functions.notifier.destinations } };
    await expect(security.resources(context({}, unexplained))).rejects.toThrow(
      'function reporter: set reservedConcurrency, or say why it has none',
    );
    const lossy = { forwarder: { reservedConcurrency: 20 } };
    await expect(security.resources(context({}, lossy))).rejects.toThrow('give it an on-failure destination');
  });

  it('versions the dead-letter and archive buckets, logs every bucket to accessLogBucket when set', async () => {
    const out = (await buckets.resources(
      context({ archiveBucket: 'arch', accessLogBucket: 'acme-access-logs', deadLetterNoncurrentDays: 7 }),
    )) as Out;
    for (const id of ['DeadLetterBucket', 'SplitterArchiveBucket']) {
      expect([id, out.Resources[id]!.Properties.VersioningConfiguration]).toEqual([
        id,
        { Status: 'Enabled' },
      ]);
      expect(skipped(out.Resources[id])).toEqual([]);
    }
    expect(JSON.stringify(out.Resources.DeadLetterBucket!.Properties.LifecycleConfiguration)).toContain(
      '"NoncurrentVersionExpiration":{"NoncurrentDays":7}',
    );
    expect(out.Resources.DeadLetterBucket!.Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: 'acme-access-logs',
      LogFilePrefix: 'dead/',
    });
    expect(out.extensions.ServerlessDeploymentBucket!.Properties).toMatchObject({
      LoggingConfiguration: {
        DestinationBucketName: 'acme-access-logs',
        LogFilePrefix: 'logpipe-dev-deployment/',
      },
    });
    expect(skipped(out.extensions.S3BucketRawLogs)).toEqual(['CKV_AWS_21']);
    const none = (await buckets.resources(context())) as Out;
    expect(skipped(none.Resources.DeadLetterBucket)).toEqual(['CKV_AWS_18']);
    expect(skipped(none.extensions.S3BucketRawLogs)).toEqual(['CKV_AWS_18', 'CKV_AWS_21']);
    await expect(buckets.resources(context({ accessLogBucket: 'dead' }))).rejects.toThrow(
      'param accessLogBucket must be a bucket outside this stack',
    );
    await expect(buckets.resources(context({ deadLetterNoncurrentDays: 0 }))).rejects.toThrow(
      'param deadLetterNoncurrentDays must be an integer from 1',
    );
  });

  it('refuses a skip without a check id or a specific reason', () => {
    const { checkovSkips } = require('../../resources/lib/checkov.js') as {
      checkovSkips(reasons: Record<string, string>): unknown;
    };
    expect(() => checkovSkips({ CKV_AWS_18: 'not needed' })).toThrow('write a specific reason');
    expect(() => checkovSkips({ 'access logs': 'x'.repeat(50) })).toThrow('is not a check id');
    expect(checkovSkips({ CKV2_AWS_62: 'x'.repeat(50) })).toEqual({
      checkov: { skip: [{ id: 'CKV2_AWS_62', comment: 'x'.repeat(50) }] },
    });
  });
});
