/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * The generators of subscriptions beyond named log groups (resources/subscriptions.js,
 * resources/subscriber.js) and their selection logic (resources/lib/selection.js), each branch
 * called directly with a context as osls gives it. package.integration.test.ts checks the assembled
 * templates of the example stages.
 */
export {};

type Json = Record<string, unknown>;
type Statement = { Effect: string; Action: string[]; Resource: unknown };
type Context = { options: { stage?: string }; resolveVariable(name: string): Promise<unknown> };
type Resources = Record<string, { Type: string; DependsOn?: unknown; Properties: Json }>;

const selection = require('../../resources/lib/selection.js') as {
  SELECTION_CRITERIA_MAX_BYTES: number;
  ownLogGroups(stack: { prefix: string; functions: Record<string, { name?: string }> }): string[];
  ownNamespaces(prefix: string): string[];
  selectionCriteria(excluded: string[], param: string): string;
  checkPrefixes(prefixes: string[], param: string, stackPrefix: string): string[];
};
const subscriptions = require('../../resources/subscriptions.js') as {
  resources(context: Context): Promise<{ Resources: Resources; Outputs?: Json }>;
};
/** SOURCE_ACCOUNTS of the forwarder (and the splitter): the source accounts' events get prefixed ids. */
const sourceAccountsVariable = async (c: Context) =>
  (
    (await (
      require('../../resources/forwarder.js') as { environment(context: Context): Promise<Json> }
    ).environment(c)) as { SOURCE_ACCOUNTS: string }
  ).SOURCE_ACCOUNTS;
const subscriber = require('../../resources/subscriber.js') as {
  environment(context: Context): Promise<Json>;
  events(context: Context): Promise<Json[]>;
  iamRoleStatements(context: Context): Promise<Statement[]>;
  resources(context: Context): Promise<{ Resources: Resources }>;
};

const DEFAULTS: Json = {
  forwardedLogGroups: [],
  firehoseLogGroups: [],
  forwarderFilterPattern: '',
  firehoseFilterPattern: '',
  kinesisStreamArn: '',
  forwardedLogGroupPrefixes: [],
  firehoseLogGroupPrefixes: [],
  subscriberSchedule: 'rate(15 minutes)',
  accountSubscription: '',
  accountSubscriptionExcludes: [],
  accountSubscriptionFilterPattern: '',
  sourceAccounts: [],
};
const FUNCTIONS = { forwarder: {}, splitter: {}, notifier: {}, exporter: {}, subscriber: {} };
const STREAM = 'arn:aws:kinesis:ap-northeast-2:123456789012:stream/central-logs';

function context(overrides: Json = {}): Context {
  const values: Json = { 'self:service': 'logpipe', 'sls:stage': 'dev', 'self:functions': FUNCTIONS };
  for (const [key, value] of Object.entries({ ...DEFAULTS, ...overrides })) values[`param:${key}`] = value;
  return { options: { stage: 'dev' }, resolveVariable: async (name) => values[name] ?? null };
}
const text = (value: unknown) => JSON.stringify(value);
/** The names of a `LogGroupName NOT IN [...]` criteria. */
const excludedBy = (criteria: unknown) =>
  JSON.parse(String(criteria).replace(/^LogGroupName NOT IN /, '')) as string[];

describe('resources/lib/selection.js', () => {
  it("lists the stack's own log groups: every function's and the Firehose error log", () => {
    expect(
      selection.ownLogGroups({ prefix: 'logpipe-dev', functions: { forwarder: {}, x: { name: 'n' } } }),
    ).toEqual([
      '/aws/kinesisfirehose/logpipe-dev-raw-logs',
      '/aws/lambda/logpipe-dev-forwarder',
      '/aws/lambda/n',
    ]);
  });

  it('writes NOT IN criteria, sorted and without duplicates, and refuses wildcards and 25 KB (25,000 bytes)', () => {
    expect(selection.selectionCriteria(['/b', '/a', '/b'], 'p')).toBe('LogGroupName NOT IN ["/a","/b"]');
    expect(() => selection.selectionCriteria(['/aws/lambda/*'], 'accountSubscriptionExcludes')).toThrow(
      'param accountSubscriptionExcludes: "/aws/lambda/*" is not a log group name (exact names only',
    );
    const many = Array.from({ length: 60 }, (_, i) => `/${String(i).padStart(3, '0')}/${'x'.repeat(500)}`);
    expect(() => selection.selectionCriteria(many, 'accountSubscriptionExcludes')).toThrow(
      /param accountSubscriptionExcludes: the account policy's selection criteria would be \d+ bytes, over CloudWatch Logs' 25000/,
    );
    // "25 KB" read as 25,000 bytes: criteria between 25,000 and 25,600 bytes are refused too.
    const between = [...many.slice(0, 49), `/${'y'.repeat(25300 - 25 - 49 * 507)}`];
    const bytes = Buffer.byteLength(`LogGroupName NOT IN ${JSON.stringify(between)}`);
    expect(bytes).toBeGreaterThan(25000);
    expect(bytes).toBeLessThan(25600);
    expect(() => selection.selectionCriteria(between, 'p')).toThrow(
      /would be \d+ bytes, over CloudWatch Logs' 25000/,
    );
    // Just under the limit passes.
    expect(selection.selectionCriteria(many.slice(0, 45), 'p').length).toBeLessThan(
      selection.SELECTION_CRITERIA_MAX_BYTES,
    );
  });

  it("refuses a prefix that can only select the stack's own groups, naming the param; a broader one passes", () => {
    expect(() =>
      selection.checkPrefixes(
        ['/aws/lambda/logpipe-dev-forwarder'],
        'forwardedLogGroupPrefixes',
        'logpipe-dev',
      ),
    ).toThrow(
      `param forwardedLogGroupPrefixes: "/aws/lambda/logpipe-dev-forwarder" selects only this stack's own log groups`,
    );
    expect(() =>
      selection.checkPrefixes(
        ['/aws/kinesisfirehose/logpipe-dev-raw-logs'],
        'firehoseLogGroupPrefixes',
        'logpipe-dev',
      ),
    ).toThrow('param firehoseLogGroupPrefixes');
    expect(() => selection.checkPrefixes(['/aws/*'], 'forwardedLogGroupPrefixes', 'logpipe-dev')).toThrow(
      'no *',
    );
    // `/aws/lambda/` also matches the forwarder's group: allowed, the subscriber leaves it out.
    expect(selection.checkPrefixes(['/aws/lambda/', '/ecs/'], 'p', 'logpipe-dev')).toEqual([
      '/aws/lambda/',
      '/ecs/',
    ]);
    expect(selection.ownNamespaces('logpipe-dev')).toContain('/aws/lambda/logpipe-dev-');
  });
});

describe('resources/subscriptions.js: the account-level subscription policy', () => {
  it('declares nothing by default', async () => {
    expect(await subscriptions.resources(context())).toEqual({ Resources: {} });
    expect(await sourceAccountsVariable(context())).toBe('');
  });

  it("sends every group to the forwarder but the stack's own, the named ones and the excluded, with its invoke permission", async () => {
    const { Resources } = await subscriptions.resources(
      context({
        accountSubscription: 'forwarder',
        accountSubscriptionExcludes: ['/aws/lambda/health-check'],
        accountSubscriptionFilterPattern: '-"${not a sub}"',
        forwardedLogGroups: ['/ecs/orders', { name: '/ecs/web' }],
        firehoseLogGroups: ['/aws/rds/main'],
      }),
    );
    const policy = Resources.AccountSubscriptionPolicy!;
    expect(policy.Type).toBe('AWS::Logs::AccountPolicy');
    expect(policy.Properties).toMatchObject({
      PolicyName: 'logpipe-dev-account-subscription',
      PolicyType: 'SUBSCRIPTION_FILTER_POLICY',
      Scope: 'ALL',
    });
    expect(excludedBy(policy.Properties.SelectionCriteria)).toEqual([
      '/aws/kinesisfirehose/logpipe-dev-raw-logs',
      '/aws/lambda/health-check',
      '/aws/lambda/logpipe-dev-exporter',
      '/aws/lambda/logpipe-dev-forwarder',
      '/aws/lambda/logpipe-dev-notifier',
      '/aws/lambda/logpipe-dev-splitter',
      '/aws/lambda/logpipe-dev-subscriber',
      '/ecs/orders', // already sent to the forwarder by its own filter
      '/ecs/web',
    ]);
    // Fn::Join, not Fn::Sub: the pattern's "${" stays text.
    const [, parts] = (policy.Properties.PolicyDocument as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    const document = parts.map((p) => (typeof p === 'string' ? p : 'ARN')).join('');
    expect(JSON.parse(document)).toEqual({ DestinationArn: 'ARN', FilterPattern: '-"${not a sub}"' });
    expect(policy.DependsOn).toEqual(['ForwarderAccountSubscriptionPermission']);
    expect(Resources.ForwarderAccountSubscriptionPermission!.Properties).toEqual({
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': ['ForwarderLambdaFunction', 'Arn'] },
      Principal: 'logs.amazonaws.com',
      SourceArn: { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*' },
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
    expect(Resources.LogsToStreamRole).toBeUndefined();
  });

  it('sends to Firehose with its role, or to the stage stream with a role that may only put into it', async () => {
    const firehose = (
      await subscriptions.resources(context({ accountSubscription: 'firehose', firehoseLogGroups: ['/x'] }))
    ).Resources;
    expect(text(firehose.AccountSubscriptionPolicy!.Properties.PolicyDocument)).toContain(
      'LogsToFirehoseRole',
    );
    expect(excludedBy(firehose.AccountSubscriptionPolicy!.Properties.SelectionCriteria)).toContain('/x');
    expect(firehose.ForwarderAccountSubscriptionPermission).toBeUndefined();

    const kinesis = (
      await subscriptions.resources(context({ accountSubscription: 'kinesis', kinesisStreamArn: STREAM }))
    ).Resources;
    expect(text(kinesis.AccountSubscriptionPolicy!.Properties.PolicyDocument)).toContain(
      `"${STREAM}","\\"",",\\"RoleArn\\":\\"",{"Fn::GetAtt":["LogsToStreamRole","Arn"]}`,
    );
    expect(text(kinesis.AccountSubscriptionPolicy!.Properties.PolicyDocument)).toContain(
      '\\"Distribution\\":\\"Random\\"',
    );
    const role = kinesis.LogsToStreamRole!.Properties as {
      Policies: { PolicyDocument: { Statement: Statement[] } }[];
    };
    expect(role.Policies.flatMap((p) => p.PolicyDocument.Statement)).toEqual([
      { Effect: 'Allow', Action: ['kinesis:PutRecord'], Resource: STREAM },
    ]);
    await expect(subscriptions.resources(context({ accountSubscription: 'kinesis' }))).rejects.toThrow(
      'param accountSubscription is kinesis: set param kinesisStreamArn',
    );
    await expect(
      subscriptions.resources(
        context({ accountSubscription: 'forwarder', forwardedLogGroupPrefixes: ['/ecs/'] }),
      ),
    ).rejects.toThrow('param forwardedLogGroupPrefixes is not needed with accountSubscription forwarder');
    await expect(
      subscriptions.resources(
        context({ accountSubscription: 'firehose', forwardedLogGroupPrefixes: ['/ecs/'] }),
      ),
    ).resolves.toBeDefined();
    await expect(subscriptions.resources(context({ accountSubscription: 'everything' }))).rejects.toThrow(
      'param accountSubscription must be one of',
    );
  });
});

describe('resources/subscriptions.js: the cross-account destination', () => {
  it('puts a destination in front of the stream, open to the source accounts only', async () => {
    const out = await subscriptions.resources(
      context({ kinesisStreamArn: STREAM, sourceAccounts: ['111111111111', '222222222222', '111111111111'] }),
    );
    const destination = out.Resources.CrossAccountDestination!;
    expect(destination.Properties).toMatchObject({
      DestinationName: 'logpipe-dev-logs',
      TargetArn: STREAM,
      RoleArn: { 'Fn::GetAtt': ['LogsToStreamRole', 'Arn'] },
    });
    const policy = JSON.parse(
      (destination.Properties.DestinationPolicy as { 'Fn::Sub': string })['Fn::Sub'],
    ) as {
      Statement: { Principal: unknown; Action: string[]; Resource: string }[];
    };
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { AWS: ['111111111111', '222222222222'] },
        Action: ['logs:PutSubscriptionFilter', 'logs:PutAccountPolicy'],
        Resource: 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:destination:logpipe-dev-logs',
      }),
    ]);
    // CloudWatch Logs may assume the role for this account's and the source accounts' groups only.
    const trust = text(out.Resources.LogsToStreamRole!.Properties.AssumeRolePolicyDocument);
    expect(trust).toContain('"logs.amazonaws.com"');
    expect(trust).toContain(':logs:${AWS::Region}:111111111111:*');
    expect(trust).toContain(':logs:${AWS::Region}:${AWS::AccountId}:*');
    expect(out.Outputs?.CrossAccountDestinationArn).toBeDefined();
    expect(await sourceAccountsVariable(context({ sourceAccounts: ['111111111111', '222222222222'] }))).toBe(
      '111111111111,222222222222',
    );
  });

  it('refuses source accounts without a stream, or that are not account ids', async () => {
    await expect(subscriptions.resources(context({ sourceAccounts: ['111111111111'] }))).rejects.toThrow(
      'param sourceAccounts needs param kinesisStreamArn',
    );
    await expect(
      subscriptions.resources(context({ kinesisStreamArn: STREAM, sourceAccounts: ['*'] })),
    ).rejects.toThrow('param sourceAccounts: "*" is not a 12-digit AWS account id');
  });
});

describe('resources/subscriber.js', () => {
  it('has no schedule and no rights but its queue without prefixes', async () => {
    expect(await subscriber.events(context())).toEqual([]);
    expect(await subscriber.iamRoleStatements(context())).toEqual([
      {
        Effect: 'Allow',
        Action: ['sqs:SendMessage'],
        Resource: { 'Fn::GetAtt': ['SubscriberFailureQueue', 'Arn'] },
      },
    ]);
    expect(await subscriber.resources(context())).toEqual({ Resources: {} });
  });

  it('reconciles on a schedule, may touch the groups of the prefixes only, and lets CloudWatch Logs invoke the forwarder for them', async () => {
    const c = context({
      forwardedLogGroupPrefixes: ['/aws/lambda/', '/ecs/'],
      firehoseLogGroupPrefixes: ['/aws/rds/'],
      forwarderFilterPattern: 'ERROR',
    });
    expect(await subscriber.events(c)).toEqual([{ schedule: { rate: 'rate(15 minutes)' } }]);
    expect(await subscriber.environment(c)).toMatchObject({
      SUBSCRIBE_EXCLUDE_PREFIXES: '/aws/lambda/logpipe-dev-,/aws/kinesisfirehose/logpipe-dev-raw-logs',
      SUBSCRIBE_FORWARDER_PREFIXES: '/aws/lambda/,/ecs/',
      SUBSCRIBE_FORWARDER_FILTER_NAME: 'logpipe-dev-forwarder',
      SUBSCRIBE_FORWARDER_FILTER_PATTERN: 'ERROR',
      SUBSCRIBE_FIREHOSE_PREFIXES: '/aws/rds/',
      SUBSCRIBE_FIREHOSE_ROLE_ARN: { 'Fn::GetAtt': ['LogsToFirehoseRole', 'Arn'] },
    });
    const statements = await subscriber.iamRoleStatements(c);
    const logGroups = (prefix: string) => ({
      'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${prefix}*`,
    });
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['logs:DescribeSubscriptionFilters', 'logs:PutSubscriptionFilter'],
      Resource: [logGroups('/aws/lambda/'), logGroups('/ecs/'), logGroups('/aws/rds/')],
    });
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['iam:PassRole'],
      Resource: { 'Fn::GetAtt': ['LogsToFirehoseRole', 'Arn'] },
    });
    const { Resources } = await subscriber.resources(c);
    expect(Object.keys(Resources)).toEqual([
      'ForwarderPrefixSubscriptionPermission1',
      'ForwarderPrefixSubscriptionPermission2',
    ]);
    expect(Resources.ForwarderPrefixSubscriptionPermission2!.Properties.SourceArn).toEqual(
      logGroups('/ecs/'),
    );
  });

  it('refuses a prefix of its own log groups and a bad schedule, naming the param', async () => {
    await expect(
      subscriber.events(context({ forwardedLogGroupPrefixes: ['/aws/lambda/logpipe-dev-'] })),
    ).rejects.toThrow('param forwardedLogGroupPrefixes: "/aws/lambda/logpipe-dev-" selects only');
    await expect(
      subscriber.events(context({ forwardedLogGroupPrefixes: ['/ecs/'], subscriberSchedule: 'hourly' })),
    ).rejects.toThrow('param subscriberSchedule must be rate(...) or cron(...)');
  });
});
