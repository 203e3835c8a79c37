import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { FirehoseClient, ListDeliveryStreamsCommand } from '@aws-sdk/client-firehose';
import { GetFunctionConcurrencyCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { withBuildLock } from '../../tools/peers/build-lock';
import { MOTO_ACCOUNT, MOTO_REGION, useMoto } from '../support/moto';

/**
 * `sls deploy`, `sls info` and `sls remove` of each stage's params against moto's
 * CloudFormation. The framework reaches moto through the AWS SDK's own AWS_ENDPOINT_URL,
 * set only in these commands' environment (nothing in serverless.yml changes). moto's
 * CloudFormation creates the types it implements and skips the others (docs/deploy.md,
 * "moto" lists both); the stack must still complete, with every resource of ours listed.
 */
const run = promisify(execFile);
const root = join(__dirname, '..', '..');
const sls = join(root, 'node_modules', '.bin', 'sls');
/** [what, stage, params]: dev and prod as shipped, and dev under a KMS key of its own (docs/deploy.md "Encryption key"). */
const DEPLOYS: [string, string, string[]][] = [
  ['dev', 'dev', []],
  ['prod', 'prod', []],
  ['dev with encryptionKey: stack', 'dev', ['--param=encryptionKey=stack']],
];
type Template = { Resources: Record<string, { Type: string }> };
/**
 * Types of our templates that moto 5.2.5's CloudFormation does not implement: it skips them
 * (listing a blank resource) and completes the stack. Kept in step with docs/deploy.md: a type
 * moto starts implementing, or a new type of ours it lacks, fails the first test.
 */
const SKIPPED_BY_MOTO = [
  'AWS::CloudWatch::Alarm',
  'AWS::Lambda::EventInvokeConfig',
  'AWS::Logs::LogStream',
  'AWS::Logs::MetricFilter',
  'AWS::Logs::SubscriptionFilter',
  'AWS::S3::BucketPolicy',
  'AWS::SNS::Subscription',
];

const FILLED_PARAMS = [
  '--param=destinationUrl=https://search.example.com',
  '--param=slackChannel=C0123456789',
];

describe.each(DEPLOYS)('sls deploy: %s, on moto', (_what, stage, stageParams) => {
  const moto = useMoto();
  const env = {
    ...process.env,
    SLS_TELEMETRY_DISABLED: '1',
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: MOTO_REGION,
  };
  const slsRun = (args: string[]) =>
    run(sls, [...args, '--stage', stage, '--region', MOTO_REGION, ...stageParams], {
      cwd: root,
      env,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(
        `sls ${args[0]} --stage ${stage} failed:\n${error.stdout ?? ''}${error.stderr ?? error.message}`,
      );
    });
  const cloudformation = new CloudFormationClient(moto.clientConfig);
  const stackName = `logpipe-${stage}`;
  const out = mkdtempSync(join(tmpdir(), `deploy-${stage}-`));
  let template: Template;
  let resources: StackResourceSummary[] = [];
  let info = '';

  beforeAll(async () => {
    await withBuildLock(() => slsRun(['package', '--package', out]));
    template = JSON.parse(
      readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'),
    ) as Template;
    // prod's FILL-ME params (the deploy refuses them: resources/deploy-checks.js), filled here.
    await slsRun(['deploy', '--package', out, ...FILLED_PARAMS]);
    resources = (await cloudformation.send(new ListStackResourcesCommand({ StackName: stackName })))
      .StackResourceSummaries!;
    info = (await slsRun(['info'])).stdout;
  }, 600_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('completes the stack: every resource of a type moto implements is created, the others skipped', async () => {
    const [stack] = (await cloudformation.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks!;
    expect(stack!.StackStatus).toMatch(/^(CREATE|UPDATE)_COMPLETE$/);
    const listed = new Map(resources.map((r) => [r.LogicalResourceId, r]));
    for (const [id, { Type }] of Object.entries(template.Resources)) {
      const created = listed.get(id);
      if (SKIPPED_BY_MOTO.includes(Type)) expect([id, created]).toEqual([id, undefined]);
      else
        expect([id, created?.ResourceType, created?.ResourceStatus]).toEqual([id, Type, 'CREATE_COMPLETE']);
    }
  });

  it('created the functions and the Firehose stream in moto', async () => {
    const functions = (await new LambdaClient(moto.clientConfig).send(new ListFunctionsCommand({})))
      .Functions!;
    expect(functions.map((f) => f.FunctionName).sort()).toEqual(
      ['exporter', 'forwarder', 'notifier', 'splitter', 'subscriber'].map((f) => `logpipe-${stage}-${f}`),
    );
    for (const fn of functions) expect(fn.Runtime).toBe('nodejs24.x');
    const streams = await new FirehoseClient(moto.clientConfig).send(new ListDeliveryStreamsCommand({}));
    expect(streams.DeliveryStreamNames).toHaveLength(1);
  });

  // Bucket versioning is not checked here: moto's CloudFormation applies only a bucket's
  // encryption and tags (package.test.ts checks the template).
  it('reserves the forwarder and splitter concurrency, and puts the queues and the topic under the stage key if any', async () => {
    const lambda = new LambdaClient(moto.clientConfig);
    const reserved = async (fn: string) =>
      (await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: `logpipe-${stage}-${fn}` })))
        .ReservedConcurrentExecutions;
    expect(await reserved('forwarder')).toBe(20);
    expect(await reserved('splitter')).toBe(5);
    const key = resources.find((r) => r.LogicalResourceId === 'EncryptionKey');
    expect(key?.ResourceType).toBe(stageParams.length > 0 ? 'AWS::KMS::Key' : undefined);
    const sqs = new SQSClient(moto.clientConfig);
    const { QueueUrl } = await sqs.send(
      new GetQueueUrlCommand({ QueueName: `logpipe-${stage}-forwarder-failures` }),
    );
    const queue = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    const topic = await new SNSClient(moto.clientConfig).send(
      new GetTopicAttributesCommand({
        TopicArn: `arn:aws:sns:${MOTO_REGION}:${MOTO_ACCOUNT}:logpipe-${stage}-alarms`,
      }),
    );
    if (key === undefined) {
      expect(queue.Attributes?.KmsMasterKeyId).toBeUndefined();
      expect(topic.Attributes?.KmsMasterKeyId).toBeUndefined();
    } else {
      // The key's id (a UUID moto chose) in its ARN, on the queue and the topic.
      expect(queue.Attributes?.KmsMasterKeyId).toContain(key.PhysicalResourceId);
      expect(topic.Attributes?.KmsMasterKeyId).toContain(key.PhysicalResourceId);
    }
  });

  it('sls info names the stack; sls remove deletes it', async () => {
    expect(info).toContain(`stack: ${stackName}`);
    await slsRun(['remove']);
    const stacks = await cloudformation
      .send(new DescribeStacksCommand({ StackName: stackName }))
      .then((r) => r.Stacks ?? [])
      .catch(() => []);
    expect(stacks.filter((s) => s.StackStatus !== 'DELETE_COMPLETE')).toEqual([]);
    const functions = (await new LambdaClient(moto.clientConfig).send(new ListFunctionsCommand({})))
      .Functions!;
    expect(functions).toEqual([]);
  });
});
