import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { venvBin } from '../../tools/peers/python-tools';
import {
  deployerPolicy,
  MANAGED_POLICY_MAX_CHARS,
  splitPolicy,
  unmappedTypes,
} from '../../tools/deploy/deployer-policy';
import { withBuildLock } from '../../tools/peers/build-lock';
import { checkovProblems, runCheckov, type FileReport } from './checkov';
import {
  asyncFunctions,
  bucketProblems,
  iamProblems,
  iamStatements,
  onFailureProblems,
  subscriptionPolicyProblems,
} from './checks';

/**
 * `sls package` for every stage serverless.yml declares (params.yml), offline, and the invariants every
 * stage's template must keep. The stages are packaged one after another: serverless-esbuild
 * builds in the project's .esbuild directory.
 */
const root = join(__dirname, '..', '..');

/** The stages of params.yml (serverless.yml `params`): its top-level keys but `default`. */
function declaredStages(): string[] {
  const yml = readFileSync(join(root, 'params.yml'), 'utf8');
  return [...yml.matchAll(/^([\w-]+):/gm)].map((m) => m[1]!).filter((stage) => stage !== 'default');
}
const STAGES = declaredStages();

/** A stage's region: its `region` param, else the default's (params.yml). */
function regionOf(stage: string): string {
  const yml = readFileSync(join(root, 'params.yml'), 'utf8');
  const block = (name: string) => new RegExp(`^${name}:\\n((?:[ #].*\\n|\\n)*)`, 'm').exec(yml)?.[1] ?? '';
  const region = (text: string) => /^ {2}region: (\S+)/m.exec(text)?.[1];
  return region(block(stage)) ?? region(block('default'))!;
}

type Json = Record<string, unknown>;
type Resource = { Type: string; Properties?: Json; DependsOn?: unknown };
const templates = new Map<string, Record<string, Resource>>();
const templateFiles = new Map<string, string>();
/** The framework offline: no telemetry, no credentials (nothing may reach AWS). */
const SLS_OFFLINE_ENV = {
  ...process.env,
  SLS_TELEMETRY_DISABLED: '1',
  AWS_ACCESS_KEY_ID: '',
  AWS_SECRET_ACCESS_KEY: '',
};
const zips = new Map<string, Record<string, string[]>>(); // stage -> function zip -> its entries
const outDirs: string[] = [];

beforeAll(() => withBuildLock(packageEveryStage), 300_000);

function packageEveryStage(): void {
  for (const stage of STAGES) {
    const out = mkdtempSync(join(tmpdir(), `package-${stage}-`));
    outDirs.push(out);
    {
      execFileSync(
        join(root, 'node_modules', '.bin', 'sls'),
        ['package', '--stage', stage, '--package', out],
        {
          cwd: root,
          env: SLS_OFFLINE_ENV,
          stdio: 'pipe',
        },
      );
      const template = JSON.parse(
        readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'),
      ) as {
        Resources: Record<string, Resource>;
      };
      templates.set(stage, template.Resources);
      templateFiles.set(stage, join(out, 'cloudformation-template-update-stack.json'));
      const entries: Record<string, string[]> = {};
      for (const zip of readdirSync(out).filter((name) => name.endsWith('.zip')))
        entries[zip] = execFileSync('unzip', ['-Z1', join(out, zip)], { encoding: 'utf8' })
          .trim()
          .split('\n');
      zips.set(stage, entries);
    }
  }
}

afterAll(() => {
  for (const out of outDirs) rmSync(out, { recursive: true, force: true });
});

/** checkov on every stage's template, one run for all of them (test/deploy/checkov.ts). */
let checkovReports: Map<string, FileReport> | undefined;
const checkovReport = (stage: string): FileReport => {
  checkovReports ??= runCheckov([...templateFiles.values()]);
  return checkovReports.get(templateFiles.get(stage)!)!;
};

/**
 * cfn-lint (Python, pinned in tools/peers/requirements.txt, installed into the project's venv by
 * the jest global setup): the one check of resource types, property names at any depth and their
 * values against the current CloudFormation schemas. W3005 suppressed: its only findings are the
 * DependsOn from each function to its role that the framework writes for a `role:` named by
 * logical id while Role already GetAtts it (harmless).
 */
const cfnLint = (file: string) =>
  spawnSync(venvBin('cfn-lint'), ['-t', file, '--regions', 'us-east-1', '--ignore-checks', 'W3005'], {
    encoding: 'utf8',
  });

describe('cfn-lint, the template check', () => {
  it('names an unknown resource type and unknown properties at any depth', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfn-lint-'));
    outDirs.push(dir);
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        AWSTemplateFormatVersion: '2010-09-09',
        Resources: {
          B: {
            Type: 'AWS::S3::Bucket',
            Properties: {
              BucketNam: 'b',
              LifecycleConfiguration: { Rules: [{ Id: 'x', Status: 'Enabled', ExpiresInDays: 7 }] },
            },
          },
          Q: { Type: 'AWS::SQS::Queu' },
        },
      }),
    );
    const result = cfnLint(file);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toContain("'BucketNam' was unexpected");
    expect(result.stdout).toContain("'ExpiresInDays' was unexpected");
    expect(result.stdout).toContain("Resource type 'AWS::SQS::Queu' does not exist");
  }, 60_000);
});

const ofType = (resources: Record<string, Resource>, type: string) =>
  Object.entries(resources).filter(([, resource]) => resource.Type === type);

const FUNCTIONS = ['Forwarder', 'Notifier', 'Splitter', 'Exporter', 'Subscriber'];

/** The actions each role's policies allow, with the resources they name, as text to search. */
function roleStatements(resources: Record<string, Resource>, roleId: string): string[] {
  return iamStatements({ [roleId]: resources[roleId]! }).map(([, statement]) => JSON.stringify(statement));
}

describe.each(STAGES)('sls package --stage %s', (stage) => {
  const resources = () => templates.get(stage)!;
  const ofTypeHere = (type: string) => ofType(resources(), type);

  it('packages the five functions on nodejs24.x, each with a role of its own and no default role', () => {
    const functions = ofTypeHere('AWS::Lambda::Function');
    expect(functions.map(([id]) => id).sort()).toEqual(FUNCTIONS.map((f) => `${f}LambdaFunction`).sort());
    for (const [id, fn] of functions) {
      expect([id, fn.Properties?.Runtime]).toEqual([id, 'nodejs24.x']);
      expect([id, fn.Properties?.Role]).toEqual([
        id,
        { 'Fn::GetAtt': [id.replace('LambdaFunction', 'Role'), 'Arn'] },
      ]);
    }
    // Every role is one function's (or Firehose's and CloudWatch Logs' own, for the archive path,
    // and CloudWatch Logs' for the stage's stream when something subscribes to it).
    const roles = ofTypeHere('AWS::IAM::Role').map(([id]) => id);
    const streamRole = resources().LogsToStreamRole === undefined ? [] : ['LogsToStreamRole'];
    expect(roles.sort()).toEqual(
      [
        ...FUNCTIONS.map((f) => `${f}Role`),
        'LogsToFirehoseRole',
        'RawLogsDeliveryRole',
        ...streamRole,
      ].sort(),
    );
    expect(resources().IamRoleLambdaExecution).toBeUndefined();
  });

  it('ships each bundle with its source map, and makes stack traces use it', () => {
    expect(Object.keys(zips.get(stage)!).sort()).toEqual([
      'exporter.zip',
      'forwarder.zip',
      'notifier.zip',
      'splitter.zip',
      'subscriber.zip',
    ]);
    for (const [zip, entries] of Object.entries(zips.get(stage)!)) {
      const fn = zip.replace('.zip', '');
      expect([zip, entries.filter((e) => e.startsWith('functions/')).sort()]).toEqual([
        zip,
        [`functions/${fn}/handler.js`, `functions/${fn}/handler.js.map`],
      ]);
    }
    for (const [id, fn] of ofTypeHere('AWS::Lambda::Function'))
      expect([id, (fn.Properties!.Environment as { Variables: Json }).Variables.NODE_OPTIONS]).toEqual([
        id,
        '--enable-source-maps',
      ]);
  });

  it('gives the forwarder and the splitter the same document settings and rules file, shipped in both zips', () => {
    const environment = (id: string) =>
      (resources()[id]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    const forwarder = environment('ForwarderLambdaFunction');
    const splitter = environment('SplitterLambdaFunction');
    const shared = Object.keys(forwarder).filter((name) => /^(DESTINATION_|INDEX_|JSON_|RULES_)/.test(name));
    expect(shared).toContain('RULES_FILE');
    for (const name of shared) expect([name, splitter[name]]).toEqual([name, forwarder[name]]);
    const rulesFile = forwarder.RULES_FILE;
    if (typeof rulesFile === 'string' && rulesFile !== '')
      for (const zip of ['forwarder.zip', 'splitter.zip'])
        expect([zip, zips.get(stage)![zip]]).toEqual([zip, expect.arrayContaining([rulesFile])]);
  });

  it("lets each function's role write its own log group only", () => {
    for (const f of FUNCTIONS) {
      const logs = roleStatements(resources(), `${f}Role`).filter((s) => s.includes('logs:PutLogEvents'));
      expect([f, logs]).toEqual([
        f,
        [expect.stringContaining(`log-group:/aws/lambda/logpipe-${stage}-${f.toLowerCase()}:*`)],
      ]);
    }
  });

  it('passes cfn-lint', () => {
    const result = cfnLint(templateFiles.get(stage)!);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, 60_000);

  it('passes checkov: every finding fixed, or skipped on its resource with a specific reason', () => {
    const report = checkovReport(stage);
    expect(checkovProblems(report)).toEqual([]);
    expect(report.passed).toBeGreaterThan(100); // checkov saw the whole template
  }, 180_000);

  it('grants exact IAM actions, and Resource "*" only to actions without resource-level permissions', () => {
    expect(iamProblems(resources())).toEqual([]);
  });

  it("never subscribes the account's log groups without leaving out every function's own, nor opens a destination to anyone", () => {
    expect(subscriptionPolicyProblems(resources())).toEqual([]);
  });

  it('keeps every bucket encrypted, private and TLS-only, with lifecycle rules', () => {
    expect(bucketProblems(resources())).toEqual([]);
    const buckets = ofTypeHere('AWS::S3::Bucket');
    expect(buckets.map(([id]) => id)).toEqual(
      expect.arrayContaining(['S3BucketRawLogs', 'DeadLetterBucket', 'ExportBucket']),
    );
    for (const [id, bucket] of buckets) {
      if (id === 'ServerlessDeploymentBucket') continue;
      const rules = (bucket.Properties?.LifecycleConfiguration as { Rules?: { Id: string }[] } | undefined)
        ?.Rules;
      expect([id, rules?.map((r) => r.Id)]).toEqual([
        id,
        expect.arrayContaining(['abort-incomplete-multipart-uploads']),
      ]);
    }
  });

  it('gives every asynchronously invoked function an encrypted 14-day on-failure queue', () => {
    // Every function of this service is invoked asynchronously (the forwarder by subscriptions
    // even in a stage that lists none yet), so all of them, and whatever the template says too.
    const functions = ofTypeHere('AWS::Lambda::Function').map(([id]) => id);
    expect(functions).toEqual(expect.arrayContaining(asyncFunctions(resources())));
    expect(onFailureProblems(resources(), functions)).toEqual([]);
  });

  it('puts at most two subscription filters on a log group, none of a function on its own logs, after the group exists', () => {
    const filters = ofTypeHere('AWS::Logs::SubscriptionFilter');
    const perGroup = new Map<string, number>();
    for (const [, filter] of filters) {
      const group = String(filter.Properties!.LogGroupName);
      perGroup.set(group, (perGroup.get(group) ?? 0) + 1);
    }
    for (const [group, count] of perGroup) expect([group, count <= 2]).toEqual([group, true]);
    for (const [id, filter] of filters) {
      const target = JSON.stringify(filter.Properties!.DestinationArn);
      const consumer = target.includes('RawLogsDeliveryStream')
        ? 'splitter'
        : target.includes('ForwarderLambdaFunction')
          ? 'forwarder'
          : undefined;
      expect([id, consumer]).toEqual([id, expect.any(String)]);
      expect(filter.Properties!.LogGroupName).not.toBe(`/aws/lambda/logpipe-${stage}-${consumer}`);
      if (consumer === 'splitter')
        expect(filter.Properties!.RoleArn).toEqual({ 'Fn::GetAtt': ['LogsToFirehoseRole', 'Arn'] });
      // A log group of this stack exists before its subscription is created.
      const own = new RegExp(`^/aws/lambda/logpipe-${stage}-(\\w+)$`).exec(
        String(filter.Properties!.LogGroupName),
      );
      if (own)
        expect([id, filter.DependsOn]).toEqual([
          id,
          expect.arrayContaining([`${own[1]![0]!.toUpperCase()}${own[1]!.slice(1)}LogGroup`]),
        ]);
    }
  });

  it('archives through Firehose uncompressed into the raw-logs prefix', () => {
    const stream = resources().RawLogsDeliveryStream!;
    expect(stream.Properties!.ExtendedS3DestinationConfiguration).toMatchObject({
      CompressionFormat: 'UNCOMPRESSED',
      Prefix: 'firehose/',
      BucketARN: { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::logpipe-${stage}-${regionOf(stage)}-raw-logs` },
    });
    const trust = JSON.stringify(resources().LogsToFirehoseRole!.Properties!.AssumeRolePolicyDocument);
    expect(trust).toContain('logs.${AWS::Region}.amazonaws.com');
    expect(trust).toContain('aws:SourceArn');
  });

  it('alarms to the alarm topic on every function, every queue, dead letters, Kinesis, Firehose and the exporter', () => {
    const alarms = ofTypeHere('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties!);
    const watching = (namespace: string, metric: string, dimension: unknown) =>
      alarms.filter(
        (a) =>
          a.Namespace === namespace &&
          a.MetricName === metric &&
          JSON.stringify(a.Dimensions).includes(JSON.stringify(dimension)) &&
          JSON.stringify(a.AlarmActions) === JSON.stringify([{ Ref: 'AlarmTopic' }]),
      );
    for (const [id, fn] of ofTypeHere('AWS::Lambda::Function')) {
      const name = fn.Properties!.FunctionName;
      expect([id, watching('AWS/Lambda', 'Errors', name).length]).toEqual([id, 1]);
      expect([id, watching('AWS/Lambda', 'Throttles', name).length]).toEqual([id, 1]);
    }
    for (const [id] of ofTypeHere('AWS::SQS::Queue')) {
      const visible = watching('AWS/SQS', 'ApproximateNumberOfMessagesVisible', {
        'Fn::GetAtt': [id, 'QueueName'],
      });
      expect([id, visible.length]).toEqual([id, 1]);
      expect(visible[0]).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    }
    for (const fn of ['forwarder', 'splitter'])
      expect(watching('logpipe', 'DeadLettered', { Name: 'Function', Value: fn })).toHaveLength(1);
    // resources/metric-alarms.yml: the forwarder's Kinesis stream, when the stage reads one.
    const streams = ofTypeHere('AWS::Lambda::EventSourceMapping').map(([, mapping]) =>
      String(mapping.Properties!.EventSourceArn).replace(/^.*:stream\//, ''),
    );
    const iteratorAge = alarms.filter((a) => a.MetricName === 'GetRecords.IteratorAgeMilliseconds');
    expect(iteratorAge.map((a) => a.Dimensions)).toEqual(
      streams.map((name) => [{ Name: 'StreamName', Value: name }]),
    );
    for (const name of streams)
      expect(
        watching('AWS/Kinesis', 'GetRecords.IteratorAgeMilliseconds', { Name: 'StreamName', Value: name }),
      ).toHaveLength(1);
    const firehose = { Name: 'DeliveryStreamName', Value: { Ref: 'RawLogsDeliveryStream' } };
    expect(watching('AWS/Firehose', 'DeliveryToS3.DataFreshness', firehose)).toHaveLength(1);
    expect(
      watching('logpipe', 'MaxCheckpointLagSeconds', { Name: 'Function', Value: 'exporter' }),
    ).toHaveLength(1);
    // resources/alarms.yml: four patterns on the forwarder's log group.
    const lines = alarms.filter((a) => a.Namespace === `logpipe/${stage}`);
    expect(lines.map((a) => a.MetricName).sort()).toEqual(
      ['lambdaConsoleError', 'levelError', 'logTypeError', 'taskTimedOut'].map(
        (k) => `logpipe-${stage}-forwarder-${k}`,
      ),
    );
  });

  it('has a deployer policy for every resource type it declares, in managed policies that fit (npm run deployer-policy)', () => {
    expect(unmappedTypes({ Resources: resources() })).toEqual([]);
    const scope = {
      stack: `logpipe-${stage}`,
      region: regionOf(stage),
      account: '123456789012',
      partition: 'aws',
    };
    const policy = deployerPolicy({ Resources: resources() }, scope);
    const parts = splitPolicy(policy);
    for (const part of parts)
      expect(JSON.stringify(part).length).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
    expect(parts.flatMap((part) => part.Statement)).toEqual(expect.arrayContaining(policy.Statement));
    expect(parts.flatMap((part) => part.Statement)).toHaveLength(policy.Statement.length);
    // Beyond two, an identity's ten managed policies start to run short.
    expect(parts.length).toBeLessThanOrEqual(2);
  });

  it('keeps every log group for a bounded time, and runs the exporter at most once at a time', () => {
    for (const [id, group] of ofTypeHere('AWS::Logs::LogGroup'))
      expect([id, group.Properties?.RetentionInDays]).toEqual([id, expect.any(Number)]);
    expect(resources().ExporterLambdaFunction!.Properties?.ReservedConcurrentExecutions).toBe(1);
  });
});

describe('the stage-specific parts', () => {
  const statementsOf = (stage: string, role: string) =>
    roleStatements(templates.get(stage)!, role).join('\n');

  it('alarms sooner in dev than in prod (resources/alarms.yml stages)', () => {
    const alarm = (stage: string) =>
      templates.get(stage)![
        `AwsLambdaLogpipe${stage[0]!.toUpperCase()}${stage.slice(1)}ForwarderLevelErrorAlarm`
      ]!.Properties!;
    expect(alarm('dev')).toMatchObject({ EvaluationPeriods: 1, DatapointsToAlarm: 1 });
    expect(alarm('prod')).toMatchObject({ EvaluationPeriods: 3, DatapointsToAlarm: 2 });
  });

  it('archives to a bucket only in a stage that names one', () => {
    expect(templates.get('dev')!.SplitterArchiveBucket).toBeUndefined();
    expect(statementsOf('dev', 'SplitterRole')).not.toContain('log-archive');
    expect(templates.get('prod')!.SplitterArchiveBucket!.Properties!.BucketName).toBe(
      'logpipe-prod-us-east-1-log-archive',
    );
    expect(statementsOf('prod', 'SplitterRole')).toContain('logpipe-prod-us-east-1-log-archive/archive/*');
  });

  it('subscribes every group of the account to the forwarder but its own and the excluded (account-example)', () => {
    const resources = templates.get('account-example')!;
    const policy = resources.AccountSubscriptionPolicy!.Properties!;
    expect(policy).toMatchObject({ PolicyType: 'SUBSCRIPTION_FILTER_POLICY', Scope: 'ALL' });
    expect(String(policy.SelectionCriteria)).toContain('"/aws/lambda/health-check"');
    expect(String(policy.SelectionCriteria)).toContain('"/aws/lambda/logpipe-account-example-subscriber"');
    expect(JSON.stringify(policy.PolicyDocument)).toContain('ForwarderLambdaFunction');
    expect(resources.ForwarderAccountSubscriptionPermission!.Properties).toMatchObject({
      Principal: 'logs.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
    // The RDS groups by prefix, to Firehose: the subscriber may touch those groups only.
    expect(statementsOf('account-example', 'SubscriberRole')).toContain(
      '"logs:DescribeSubscriptionFilters","logs:PutSubscriptionFilter"],"Resource":[{"Fn::Sub":"arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/rds/*"}]',
    );
    expect(statementsOf('account-example', 'SubscriberRole')).toContain('"iam:PassRole"');
    for (const stage of ['dev', 'prod']) {
      expect(ofType(templates.get(stage)!, 'AWS::Logs::AccountPolicy')).toHaveLength(0);
      expect(ofType(templates.get(stage)!, 'AWS::Logs::Destination')).toHaveLength(0);
      // No prefixes: the subscriber has no schedule and may not read or put filters.
      expect(templates.get(stage)!.SubscriberEventsRuleSchedule1).toBeUndefined();
      expect(statementsOf(stage, 'SubscriberRole')).not.toContain('SubscriptionFilter');
    }
  });

  it('lets the source accounts, and only them, subscribe to a destination in front of the stream (central-example)', () => {
    const resources = templates.get('central-example')!;
    const destination = resources.CrossAccountDestination!.Properties!;
    expect(destination.TargetArn).toBe('arn:aws:kinesis:us-east-1:123456789012:stream/central-logs');
    const policy = JSON.parse((destination.DestinationPolicy as { 'Fn::Sub': string })['Fn::Sub']) as {
      Statement: { Principal: unknown }[];
    };
    expect(policy.Statement.map((s) => s.Principal)).toEqual([{ AWS: ['111111111111', '222222222222'] }]);
    expect(statementsOf('central-example', 'LogsToStreamRole')).toBe(
      '{"Effect":"Allow","Action":["kinesis:PutRecord"],"Resource":"arn:aws:kinesis:us-east-1:123456789012:stream/central-logs"}',
    );
    expect(JSON.stringify(resources.AccountSubscriptionPolicy!.Properties!.PolicyDocument)).toContain(
      'stream/central-logs',
    );
    // The same ids from the forwarder and the splitter: both know the source accounts.
    for (const fn of ['ForwarderLambdaFunction', 'SplitterLambdaFunction'])
      expect((resources[fn]!.Properties!.Environment as { Variables: Json }).Variables.SOURCE_ACCOUNTS).toBe(
        '111111111111,222222222222',
      );
  });

  it('subscribes log groups by prefix on a schedule, letting CloudWatch Logs invoke the forwarder for them (prefixes-example)', () => {
    const resources = templates.get('prefixes-example')!;
    expect(resources.SubscriberEventsRuleSchedule1!.Properties!.ScheduleExpression).toBe('rate(15 minutes)');
    const variables = (resources.SubscriberLambdaFunction!.Properties!.Environment as { Variables: Json })
      .Variables;
    expect(variables).toMatchObject({
      SUBSCRIBE_FORWARDER_PREFIXES: '/aws/lambda/,/ecs/',
      SUBSCRIBE_FORWARDER_FILTER_PATTERN: '-"HealthCheck"',
      SUBSCRIBE_EXCLUDE_PREFIXES: expect.stringContaining('/aws/lambda/logpipe-prefixes-example-'),
    });
    expect(
      ofType(resources, 'AWS::Lambda::Permission')
        .filter(([id]) => id.startsWith('ForwarderPrefixSubscriptionPermission'))
        .map(([, p]) => JSON.stringify(p.Properties!.SourceArn)),
    ).toEqual([
      expect.stringContaining('log-group:/aws/lambda/*'),
      expect.stringContaining('log-group:/ecs/*'),
    ]);
    expect(statementsOf('prefixes-example', 'SubscriberRole')).not.toContain('iam:PassRole');
  });

  it('reads a Kinesis stream with bisection, partial batch failures and its own failure queue (kinesis-example)', () => {
    const resources = templates.get('kinesis-example')!;
    const mappings = ofType(resources, 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(1);
    expect(mappings[0]![1].Properties).toMatchObject({
      EventSourceArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/infra-dev-kinesis-01',
      BatchSize: 500,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': ['ForwarderStreamFailureQueue', 'Arn'] } },
      },
    });
    expect(resources.ForwarderStreamFailureQueue!.Properties!.QueueName).toBe(
      'logpipe-kinesis-example-forwarder-stream-failures',
    );
    const forwarder = statementsOf('kinesis-example', 'ForwarderRole');
    expect(forwarder).toContain('"kinesis:GetRecords"');
    expect(forwarder).toContain('ForwarderStreamFailureQueue');
    expect(ofType(templates.get('dev')!, 'AWS::Lambda::EventSourceMapping')).toHaveLength(0);
    expect(statementsOf('dev', 'ForwarderRole')).not.toContain('kinesis:');
  });

  it('grants the secret and the existing failure queue a stage names, and nothing of the others (secrets-example)', () => {
    const resources = templates.get('secrets-example')!;
    for (const role of ['ForwarderRole', 'SplitterRole'])
      expect(statementsOf('secrets-example', role)).toContain(
        ':secret:logpipe/secrets-example/elasticsearch-??????',
      );
    expect(statementsOf('secrets-example', 'ForwarderRole')).toContain(
      'arn:aws:sqs:us-east-1:123456789012:infra-dev-kinesis-failures',
    );
    expect(resources.ForwarderStreamFailureQueue).toBeUndefined();
    expect(statementsOf('secrets-example', 'NotifierRole')).toContain(
      '"ssm:GetParameter"],"Resource":"arn:aws:ssm:us-east-1:123456789012:parameter/logpipe/slack-bot-token"',
    );
    expect(statementsOf('dev', 'ForwarderRole')).not.toContain('secretsmanager:');
    expect(statementsOf('dev', 'NotifierRole')).not.toMatch(/secretsmanager:|ssm:/);
  });

  it('signs requests to the OpenSearch domain with SigV4 and reads the Slack token from Secrets Manager (opensearch-example)', () => {
    for (const role of ['ForwarderRole', 'SplitterRole']) {
      const statements = statementsOf('opensearch-example', role);
      expect(statements).toContain(
        '"es:ESHttpPost","es:ESHttpPut"],"Resource":"arn:aws:es:us-east-1:123456789012:domain/logs/*"',
      );
      expect(statements).not.toContain('secretsmanager:');
    }
    expect(statementsOf('opensearch-example', 'NotifierRole')).toContain(
      ':secret:logpipe/opensearch-example/slack-bot-token-??????',
    );
    expect(statementsOf('dev', 'ForwarderRole')).not.toContain('es:ESHttp');
  });

  it("lets the notifier assume exactly the other accounts' roles a stage lists, and no role elsewhere (central-example)", () => {
    const roles = [111111111111, 222222222222].map((a) => `arn:aws:iam::${a}:role/logpipe-alarm-lines`);
    const assume = iamStatements({ NotifierRole: templates.get('central-example')!.NotifierRole! })
      .map(([, statement]) => statement as { Action?: unknown; Resource?: unknown })
      .filter((statement) => JSON.stringify(statement.Action).includes('sts:AssumeRole'));
    expect(assume).toEqual([
      expect.objectContaining({ Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: roles }),
    ]);
    expect(
      (templates.get('central-example')!.NotifierLambdaFunction!.Properties as Json).Environment,
    ).toMatchObject({
      Variables: { ALARM_ACCOUNT_ROLES: roles.map((r) => `${r.split(':')[4]}=${r}`).join(',') },
    });
    for (const stage of STAGES.filter((s) => s !== 'central-example'))
      for (const role of FUNCTIONS.map((f) => `${f}Role`))
        expect([stage, role, statementsOf(stage, role)]).toEqual([
          stage,
          role,
          expect.not.stringContaining('sts:'),
        ]);
  });
});

describe('the security scan and its fixes (checkov, resources/security.js)', () => {
  it('docs/deploy.md lists every check a stage skips', () => {
    const docs = readFileSync(join(root, 'docs', 'deploy.md'), 'utf8');
    const section = docs.slice(docs.indexOf('## Security scan'));
    const skipped = new Set(STAGES.flatMap((stage) => checkovReport(stage).skipped.map((f) => f.checkId)));
    expect(skipped.size).toBeGreaterThan(0);
    expect([...skipped].filter((id) => !section.includes('`' + id + '`'))).toEqual([]);
  });

  it('reserves concurrency for the forwarder and the splitter, and versions the dead letters, in every stage', () => {
    for (const stage of STAGES) {
      const resources = templates.get(stage)!;
      expect([stage, resources.ForwarderLambdaFunction!.Properties!.ReservedConcurrentExecutions]).toEqual([
        stage,
        20,
      ]);
      expect([stage, resources.SplitterLambdaFunction!.Properties!.ReservedConcurrentExecutions]).toEqual([
        stage,
        5,
      ]);
      expect([stage, resources.DeadLetterBucket!.Properties!.VersioningConfiguration]).toEqual([
        stage,
        { Status: 'Enabled' },
      ]);
    }
    expect(templates.get('prod')!.SplitterArchiveBucket!.Properties!.VersioningConfiguration).toEqual({
      Status: 'Enabled',
    });
  });

  it('puts the alarm topic, every log group and every queue under the stage key (secrets-example: a key of the stack)', () => {
    const resources = templates.get('secrets-example')!;
    const key = { 'Fn::GetAtt': ['EncryptionKey', 'Arn'] };
    expect(resources.EncryptionKey!.Type).toBe('AWS::KMS::Key');
    expect(resources.AlarmTopic!.Properties!.KmsMasterKeyId).toEqual(key);
    for (const [id] of ofType(resources, 'AWS::Logs::LogGroup'))
      expect([id, resources[id]!.Properties!.KmsKeyId]).toEqual([id, key]);
    for (const [id] of ofType(resources, 'AWS::SQS::Queue'))
      expect([id, resources[id]!.Properties!.KmsMasterKeyId]).toEqual([id, key]);
    for (const f of FUNCTIONS)
      expect(roleStatements(resources, `${f}Role`)).toContain(
        JSON.stringify({ Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: key }),
      );
    // Every bucket logs its requests to the stage's access-log bucket.
    for (const [id, bucket] of ofType(resources, 'AWS::S3::Bucket'))
      expect([id, bucket.Properties!.LoggingConfiguration]).toEqual([
        id,
        {
          DestinationBucketName: 'acme-s3-access-logs-ap-northeast-2',
          LogFilePrefix: expect.stringMatching(/\/$/),
        },
      ]);
    // An existing key by ARN: used, not created (opensearch-example); none in dev.
    const opensearch = templates.get('opensearch-example')!;
    expect(opensearch.EncryptionKey).toBeUndefined();
    expect(String(opensearch.AlarmTopic!.Properties!.KmsMasterKeyId)).toMatch(/^arn:aws:kms:/);
    expect(templates.get('dev')!.AlarmTopic!.Properties!.KmsMasterKeyId).toBeUndefined();
  });
});

describe('sls invoke local', () => {
  // Runs after the packaging above (same file: serverless-esbuild builds in one .esbuild folder).
  it('ends with the error and a non-zero exit when the cold start throws a ConfigError', () => {
    const result = spawnSync(
      join(root, 'node_modules', '.bin', 'sls'),
      [
        'invoke',
        'local',
        '-f',
        'forwarder',
        '-p',
        'test/fixtures/forwarder/lambda-console-lines.json',
        '-e',
        'BATCH_MAX_DOCS=abc',
      ],
      {
        cwd: root,
        env: SLS_OFFLINE_ENV,
        encoding: 'utf8',
        // A live esbuild context used to keep the command running for ever: killed here instead.
        timeout: 50_000,
      },
    );
    expect(result.signal).toBeNull();
    expect(result.status).toBe(1);
    expect(result.stdout + result.stderr).toContain('BATCH_MAX_DOCS: must be an integer');
  }, 60_000);
});
