import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `sls package` for every documented stage, offline, and the invariants every stage's template
 * must keep. The stages are packaged one after another: serverless-esbuild builds in the
 * project's .esbuild directory.
 */
const root = join(__dirname, '..', '..');
const STAGES = ['dev', 'prod'];

type Resource = { Type: string; Properties?: Record<string, unknown>; DependsOn?: unknown };
const templates = new Map<string, Record<string, Resource>>();

beforeAll(() => {
  for (const stage of STAGES) {
    const out = mkdtempSync(join(tmpdir(), `package-${stage}-`));
    try {
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
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }
}, 300_000);

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
