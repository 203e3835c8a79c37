import { specification } from '@aws-cdk/cfnspec';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { venvBin } from '../peers/python-tools';
import { withBuildLock } from '../support/build-lock';
import {
  asyncFunctions,
  bucketProblems,
  iamProblems,
  onFailureProblems,
  specProblems,
  type CfnSpec,
} from './checks';

/**
 * `sls package` for every documented stage, offline, and the invariants every stage's template
 * must keep. The stages are packaged one after another: serverless-esbuild builds in the
 * project's .esbuild directory.
 */
const root = join(__dirname, '..', '..');
const STAGES = ['dev', 'prod'];

type Resource = { Type: string; Properties?: Record<string, unknown>; DependsOn?: unknown };
const templates = new Map<string, Record<string, Resource>>();
const templateFiles = new Map<string, string>();
const outDirs: string[] = [];

/**
 * The CloudFormation resource specification (@aws-cdk/cfnspec, a devDependency) checks every
 * resource type and property name. cfn-lint (Python, pinned in test/peers/requirements.txt and
 * installed into the project's venv by the jest global setup) additionally validates values
 * (enums, ranges) against the current resource schemas.
 */
const spec = specification() as unknown as CfnSpec;

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
          env: {
            ...process.env,
            SLS_TELEMETRY_DISABLED: '1',
            AWS_ACCESS_KEY_ID: '',
            AWS_SECRET_ACCESS_KEY: '',
          },
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
    }
  }
}

afterAll(() => {
  for (const out of outDirs) rmSync(out, { recursive: true, force: true });
});

const ofType = (resources: Record<string, Resource>, type: string) =>
  Object.entries(resources).filter(([, resource]) => resource.Type === type);

describe.each(STAGES)('sls package --stage %s', (stage) => {
  const resources = () => templates.get(stage)!;

  it('packages every function on nodejs24.x', () => {
    const functions = ofType(resources(), 'AWS::Lambda::Function');
    expect(functions.map(([id]) => id)).toEqual(
      expect.arrayContaining(['ForwarderLambdaFunction', 'SplitterLambdaFunction', 'NotifierLambdaFunction']),
    );
    for (const [, fn] of functions) expect(fn.Properties?.Runtime).toBe('nodejs24.x');
  });

  it('gives every asynchronously invoked function an on-failure destination', () => {
    const configs = ofType(resources(), 'AWS::Lambda::EventInvokeConfig').map(
      ([, config]) => config.Properties!,
    );
    for (const name of ['Forwarder', 'Splitter', 'Notifier']) {
      const config = configs.find((c) => JSON.stringify(c.FunctionName).includes(`${name}LambdaFunction`));
      expect(config?.DestinationConfig).toMatchObject({ OnFailure: { Destination: expect.anything() } });
    }
  });

  it('never subscribes the forwarder to its own log group', () => {
    for (const [, filter] of ofType(resources(), 'AWS::Logs::SubscriptionFilter')) {
      // Archiving the forwarder's logs through Firehose (to the splitter) is fine.
      if (!JSON.stringify(filter.Properties?.DestinationArn).includes('ForwarderLambdaFunction')) continue;
      expect(filter.Properties?.LogGroupName).not.toBe(`/aws/lambda/logpipe-${stage}-forwarder`);
    }
  });

  it('keeps every bucket encrypted and private', () => {
    for (const [id, bucket] of ofType(resources(), 'AWS::S3::Bucket')) {
      expect([id, bucket.Properties?.BucketEncryption]).toEqual([id, expect.anything()]);
      expect([id, bucket.Properties?.PublicAccessBlockConfiguration]).toEqual([
        id,
        {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      ]);
    }
  });

  it('allows no IAM action "*"', () => {
    const text = JSON.stringify(ofType(resources(), 'AWS::IAM::Role'));
    expect(text).not.toMatch(/"Action":\s*"\*"/);
    expect(text).not.toMatch(/"Action":\s*\[[^\]]*"\*"/);
  });
});

/** Deployment checks (docs/deploy.md): least privilege, buckets, failures kept, self-watching. */
describe.each(STAGES)('deployment of stage %s', (stage) => {
  const resources = () => templates.get(stage)!;
  const ofTypeHere = (type: string) => ofType(resources(), type);

  it(`uses only resource types and properties of the CloudFormation resource specification`, () => {
    expect(specProblems(resources(), spec)).toEqual([]);
  });

  it('passes cfn-lint', () => {
    // W3005 suppressed: its only findings are the DependsOn from each function to its IAM role
    // that serverless-iam-roles-per-function writes while Role already GetAtts it (harmless,
    // and not in our resources).
    const result = spawnSync(
      venvBin('cfn-lint'),
      ['-t', templateFiles.get(stage)!, '--regions', 'ap-northeast-2', '--ignore-checks', 'W3005'],
      { encoding: 'utf8' },
    );
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, 60_000);

  it('grants exact IAM actions, and Resource "*" only to actions without resource-level permissions', () => {
    expect(iamProblems(resources())).toEqual([]);
  });

  it('keeps every bucket encrypted, private and TLS-only', () => {
    expect(bucketProblems(resources())).toEqual([]);
  });

  it('expires or cools raw objects, and every data bucket has lifecycle rules', () => {
    for (const [id, bucket] of ofTypeHere('AWS::S3::Bucket')) {
      if (id === 'ServerlessDeploymentBucket') continue;
      expect([id, bucket.Properties?.LifecycleConfiguration]).toEqual([id, { Rules: expect.any(Array) }]);
    }
    const rules = (resources().S3BucketRawLogs!.Properties!.LifecycleConfiguration as { Rules: object[] })
      .Rules;
    expect(rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Status: 'Enabled', ExpirationInDays: expect.any(Number) }),
      ]),
    );
  });

  it('gives every asynchronously invoked function an encrypted 14-day on-failure queue', () => {
    // Every function of this service is invoked asynchronously (the forwarder by subscriptions
    // even in a stage that lists none yet), so all of them, and whatever the template says too.
    const functions = ofTypeHere('AWS::Lambda::Function').map(([id]) => id);
    expect(functions).toEqual(expect.arrayContaining(asyncFunctions(resources())));
    expect(onFailureProblems(resources(), functions)).toEqual([]);
  });

  it('archives through Firehose: uncompressed into the raw-logs prefix, subscriptions with the Logs role', () => {
    const [[, stream]] = ofTypeHere('AWS::KinesisFirehose::DeliveryStream') as [[string, Resource]];
    const destination = stream.Properties!.ExtendedS3DestinationConfiguration as Record<string, unknown>;
    expect(destination).toMatchObject({
      CompressionFormat: 'UNCOMPRESSED',
      Prefix: 'firehose/',
      BucketARN: { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::logpipe-${stage}-ap-northeast-2-raw-logs` },
    });
    const archived = ofTypeHere('AWS::Logs::SubscriptionFilter').filter(
      ([, f]) =>
        JSON.stringify(f.Properties?.DestinationArn) ===
        JSON.stringify({ 'Fn::GetAtt': ['RawLogsDeliveryStream', 'Arn'] }),
    );
    expect(archived.length).toBeGreaterThan(0);
    for (const [, filter] of archived) {
      expect(filter.Properties?.RoleArn).toEqual({ 'Fn::GetAtt': ['LogsToFirehoseRole', 'Arn'] });
      // A log group of this stack exists before its subscription is created.
      const own = /^\/aws\/lambda\/logpipe-\w+-(\w+)$/.exec(String(filter.Properties?.LogGroupName));
      if (own) expect(filter.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/LogGroup$/)]));
    }
    const trust = JSON.stringify(resources().LogsToFirehoseRole!.Properties!.AssumeRolePolicyDocument);
    expect(trust).toContain('logs.${AWS::Region}.amazonaws.com');
    expect(trust).toContain('aws:SourceArn');
  });

  it('puts at most two subscription filters on a log group, and none of a function to its own logs', () => {
    const filters = ofTypeHere('AWS::Logs::SubscriptionFilter').map(([, f]) => f.Properties!);
    const perGroup = new Map<string, number>();
    for (const filter of filters) {
      const group = String(filter.LogGroupName);
      perGroup.set(group, (perGroup.get(group) ?? 0) + 1);
    }
    for (const [group, count] of perGroup) expect([group, count <= 2]).toEqual([group, true]);
    // Firehose feeds the splitter: the splitter's own log group must not be archived.
    const splitterLogs = `/aws/lambda/logpipe-${stage}-splitter`;
    for (const filter of filters) {
      const target = JSON.stringify(filter.DestinationArn);
      if (target.includes('RawLogsDeliveryStream')) expect(filter.LogGroupName).not.toBe(splitterLogs);
      if (target.includes('ForwarderLambdaFunction'))
        expect(filter.LogGroupName).not.toBe(`/aws/lambda/logpipe-${stage}-forwarder`);
    }
  });

  it('alarms to the alarm topic on every function, every on-failure queue, dead letters and the exporter', () => {
    const alarms = ofTypeHere('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties!);
    const watching = (namespace: string, metric: string, dimension: unknown) =>
      alarms.filter(
        (a) =>
          a.Namespace === namespace &&
          a.MetricName === metric &&
          JSON.stringify(a.Dimensions).includes(JSON.stringify(dimension)) &&
          JSON.stringify(a.AlarmActions) === JSON.stringify([{ Ref: 'AlarmTopic' }]),
      );
    const functions = ofTypeHere('AWS::Lambda::Function').map(([id, fn]) => [
      id,
      fn.Properties!.FunctionName,
    ]);
    expect(functions.length).toBeGreaterThanOrEqual(3);
    for (const [id, name] of functions) {
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
    const firehose = { Name: 'DeliveryStreamName', Value: { Ref: 'RawLogsDeliveryStream' } };
    expect(watching('AWS/Firehose', 'DeliveryToS3.DataFreshness', firehose)).toHaveLength(1);
    if (resources().ExporterLambdaFunction)
      expect(alarms.filter((a) => a.MetricName === 'MaxCheckpointLagSeconds')).toHaveLength(1);
  });

  it('keeps every log group for a bounded time, and runs the exporter at most once at a time', () => {
    for (const [id, group] of ofTypeHere('AWS::Logs::LogGroup'))
      expect([id, group.Properties?.RetentionInDays]).toEqual([id, expect.any(Number)]);
    const exporter = resources().ExporterLambdaFunction;
    if (exporter) expect(exporter.Properties?.ReservedConcurrentExecutions).toBe(1);
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
        env: {
          ...process.env,
          SLS_TELEMETRY_DISABLED: '1',
          AWS_ACCESS_KEY_ID: '',
          AWS_SECRET_ACCESS_KEY: '',
        },
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
