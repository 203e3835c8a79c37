import {
  bucketProblems,
  iamProblems,
  onFailureProblems,
  subscriptionPolicyProblems,
  type Resources,
} from './checks';

/**
 * The deploy checks catch what they claim to: small templates breaking one rule each, and the
 * resource generators' own guards (loops, lifecycle order, queues found). No packaging here.
 */

// eslint-disable-next-line @typescript-eslint/no-require-imports
const firehose = require('../../resources/firehose.js') as {
  resources(context: unknown): Promise<{ Resources: Resources; extensions?: Record<string, unknown> }>;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const buckets = require('../../resources/buckets.js') as {
  lifecycleRules(what: string, cold: number, expire: number): object[];
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const failureQueues = require('../../resources/failure-queues.js') as {
  onFailureQueues(functions: unknown): string[];
};

const role = (statement: object): Resources => ({
  R: {
    Type: 'AWS::IAM::Role',
    Properties: { Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: [statement] } }] },
  },
});

describe('IAM check', () => {
  it('refuses wildcard actions, NotAction and unlisted actions on Resource "*"', () => {
    expect(iamProblems(role({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::b' }))).toHaveLength(1);
    expect(
      iamProblems(role({ Effect: 'Allow', Action: ['s3:Get*'], Resource: 'arn:aws:s3:::b/*' })),
    ).toHaveLength(1);
    expect(
      iamProblems(role({ Effect: 'Allow', NotAction: 's3:PutObject', Resource: 'arn:aws:s3:::b' })),
    ).toEqual(['R: NotAction / NotResource in an Allow statement']);
    expect(iamProblems(role({ Effect: 'Allow', Action: ['s3:GetObject'], Resource: '*' }))).toEqual([
      'R: s3:GetObject on Resource "*" (it has resource-level permissions: scope it)',
    ]);
  });

  it('accepts exact actions, listed actions on "*", and Deny statements', () => {
    expect(
      iamProblems(role({ Effect: 'Allow', Action: ['logs:DescribeExportTasks'], Resource: '*' })),
    ).toEqual([]);
    expect(iamProblems(role({ Effect: 'Deny', Action: '*', Resource: '*' }))).toEqual([]);
    expect(
      iamProblems(role({ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::b/p/*' })),
    ).toEqual([]);
  });
});

describe('bucket check', () => {
  const privateBucket = {
    Type: 'AWS::S3::Bucket',
    Properties: {
      BucketName: 'b',
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    },
  };
  const tlsPolicy = (bucket: unknown, secure: unknown = 'false') => ({
    Type: 'AWS::S3::BucketPolicy',
    Properties: {
      Bucket: bucket,
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'],
            Condition: { Bool: { 'aws:SecureTransport': secure } },
          },
        ],
      },
    },
  });

  it('accepts a policy found by Ref or by name', () => {
    expect(bucketProblems({ B: privateBucket, P: tlsPolicy({ Ref: 'B' }) })).toEqual([]);
    expect(bucketProblems({ B: privateBucket, P: tlsPolicy('b') })).toEqual([]);
  });

  it('names a bucket without TLS-only policy, encryption or a public access block', () => {
    expect(bucketProblems({ B: privateBucket })).toEqual([
      'B: 0 bucket policies (a bucket has exactly one)',
      'B: no TLS-only (aws:SecureTransport) deny',
    ]);
    expect(bucketProblems({ B: privateBucket, P: tlsPolicy('b', 'true') })).toEqual([
      'B: no TLS-only (aws:SecureTransport) deny',
    ]);
    const open = { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'b' } };
    expect(bucketProblems({ B: open, P: tlsPolicy('b') })).toEqual([
      'B: no default encryption',
      'B: PublicAccessBlockConfiguration.BlockPublicAcls is not true',
      'B: PublicAccessBlockConfiguration.BlockPublicPolicy is not true',
      'B: PublicAccessBlockConfiguration.IgnorePublicAcls is not true',
      'B: PublicAccessBlockConfiguration.RestrictPublicBuckets is not true',
    ]);
  });
});

describe('on-failure check', () => {
  const template = (queue: Record<string, unknown>): Resources => ({
    F: { Type: 'AWS::Lambda::Function' },
    Perm: {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        FunctionName: { 'Fn::GetAtt': ['F', 'Arn'] },
        Principal: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
      },
    },
    Conf: {
      Type: 'AWS::Lambda::EventInvokeConfig',
      Properties: {
        FunctionName: { Ref: 'F' },
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['Q', 'Arn'] } } },
      },
    },
    Q: { Type: 'AWS::SQS::Queue', Properties: queue },
  });

  it('finds functions invoked by a service and checks their queue', () => {
    expect(
      onFailureProblems(template({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 })),
    ).toEqual([]);
    expect(onFailureProblems(template({ MessageRetentionPeriod: 345600 }))).toEqual([
      'F: on-failure queue Q is not encrypted',
      'F: on-failure queue Q keeps messages less than 14 days',
    ]);
    const { Conf: _conf, ...noConfig } = template({});
    expect(onFailureProblems(noConfig)).toEqual([
      'F: no on-failure destination to an SQS queue of this stack',
    ]);
  });
});

describe('subscription policy check', () => {
  const fn = (name: string) => ({ Type: 'AWS::Lambda::Function', Properties: { FunctionName: name } });
  const accountPolicy = (excluded: string[]) => ({
    Type: 'AWS::Logs::AccountPolicy',
    Properties: {
      PolicyType: 'SUBSCRIPTION_FILTER_POLICY',
      SelectionCriteria: `LogGroupName NOT IN ${JSON.stringify(excluded)}`,
    },
  });
  const destination = (principal: unknown) => ({
    Type: 'AWS::Logs::Destination',
    Properties: {
      DestinationPolicy: {
        'Fn::Sub': JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: principal } }] }),
      },
    },
  });

  it('names an account policy that would feed a function its own lines, and a destination open to anyone', () => {
    expect(
      subscriptionPolicyProblems({
        F: fn('logpipe-dev-forwarder'),
        S: fn('logpipe-dev-splitter'),
        P: accountPolicy(['/aws/lambda/logpipe-dev-forwarder']),
        D: destination('*'),
        E: destination([]),
      }),
    ).toEqual([
      'P: does not exclude /aws/lambda/logpipe-dev-splitter',
      'D: its policy lets in any account ("*")',
      'E: its policy names no account',
    ]);
  });

  it('accepts a policy excluding every function and a destination naming its accounts', () => {
    expect(
      subscriptionPolicyProblems({
        F: fn('logpipe-dev-forwarder'),
        P: accountPolicy(['/aws/lambda/logpipe-dev-forwarder', '/other']),
        D: destination(['111111111111', '222222222222']),
      }),
    ).toEqual([]);
  });
});

describe('resource generators', () => {
  const context = (params: Record<string, unknown>) => ({
    options: { stage: 'dev' },
    resolveVariable: async (name: string) => {
      if (name === 'self:service') return 'logpipe';
      if (name === 'sls:stage') return 'dev';
      if (name === 'self:functions') return { forwarder: {}, splitter: {}, notifier: {} };
      return {
        rawLogsBucket: 'raw',
        rawLogsPrefix: 'firehose/',
        firehoseBufferSizeMiB: 5,
        firehoseBufferIntervalSeconds: 300,
        logRetentionInDays: 30,
        firehoseFilterPattern: '',
        forwardedLogGroups: [],
        firehoseLogGroups: [],
        ...params,
      }[name.replace(/^param:/, '')];
    },
  });

  it('refuses a log group loop through the forwarder and the splitter', async () => {
    await expect(
      firehose.resources(context({ firehoseLogGroups: ['/aws/lambda/logpipe-dev-splitter'] })),
    ).rejects.toThrow(/loop: splitter -> splitter/);
    await expect(
      firehose.resources(
        context({
          firehoseLogGroups: ['/aws/lambda/logpipe-dev-forwarder'],
          forwardedLogGroups: ['/aws/lambda/logpipe-dev-splitter'],
        }),
      ),
    ).rejects.toThrow(/loop: (forwarder -> splitter -> forwarder|splitter -> forwarder -> splitter) /);
  });

  it("orders subscriptions after this stack's log groups, for Firehose and for the forwarder", async () => {
    const out = await firehose.resources(
      context({
        firehoseLogGroups: ['/aws/lambda/logpipe-dev-notifier', '/aws/ecs/app'],
        forwardedLogGroups: ['/aws/ecs/app', '/aws/lambda/logpipe-dev-splitter'],
      }),
    );
    expect(out.Resources.AwsLambdaLogpipeDevNotifierArchiveSubscription!.DependsOn).toEqual([
      'NotifierLogGroup',
    ]);
    expect(out.Resources.AwsEcsAppArchiveSubscription!.DependsOn).toBeUndefined();
    expect(out.extensions).toEqual({
      ForwarderLogsSubscriptionFilterCloudWatchLog2: { DependsOn: ['SplitterLogGroup'] },
    });
  });

  it('checks buffer bounds and the prefix', async () => {
    await expect(firehose.resources(context({ firehoseBufferSizeMiB: 129 }))).rejects.toThrow(
      /firehoseBufferSizeMiB/,
    );
    await expect(firehose.resources(context({ rawLogsPrefix: '' }))).rejects.toThrow(/rawLogsPrefix/);
  });

  it('orders lifecycle transitions before expiry', () => {
    expect(() => buckets.lifecycleRules('rawLogs', 30, 30)).toThrow(/expiry \(30 days\) must come after/);
    expect(buckets.lifecycleRules('rawLogs', 0, 0)).toHaveLength(1);
    expect(buckets.lifecycleRules('rawLogs', 30, 365)).toHaveLength(3);
  });

  it("finds every on-failure queue named with Fn::GetAtt, including a stream event's", () => {
    expect(
      failureQueues.onFailureQueues({
        forwarder: {
          destinations: {
            onFailure: { type: 'sqs', arn: { 'Fn::GetAtt': ['ForwarderFailureQueue', 'Arn'] } },
          },
          events: [
            { stream: { destinations: { onFailure: { arn: { 'Fn::GetAtt': ['StreamQueue', 'Arn'] } } } } },
          ],
        },
        notifier: { destinations: { onFailure: { arn: { 'Fn::GetAtt': ['NotifierFailureQueue', 'Arn'] } } } },
        other: { environment: { X: { 'Fn::GetAtt': ['NotAQueue', 'Arn'] } } },
      }),
    ).toEqual(['ForwarderFailureQueue', 'StreamQueue', 'NotifierFailureQueue']);
  });
});
