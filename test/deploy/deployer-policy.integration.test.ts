import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  allows,
  deployerPolicy,
  MANAGED_POLICY_MAX_CHARS,
  splitPolicy,
  UnmappedResourceTypeError,
  type Policy,
  type Template,
} from '../../tools/deploy/deployer-policy';
import {
  FRAMEWORK_ACTIONS,
  NOT_USED,
  PROPERTY_ACTIONS,
  RESOURCE_ACTIONS,
} from '../../tools/deploy/resource-actions';
import { venvDir } from '../../tools/peers/python-tools';

/**
 * The deployer policy's mapping table against what cfn-lint (pinned in tools/peers/requirements.txt,
 * installed by the jest global setup) ships offline: each resource type's schema with the
 * permissions its CloudFormation handlers need, and the IAM service reference (Policies.json:
 * every action, the resource types it can be scoped to, their ARN formats). Every packaged
 * stage's template is checked against the policy in package.integration.test.ts and stage-template.test.ts.
 */
const cfnlintData = (() => {
  const lib = join(venvDir, 'lib');
  const python = readdirSync(lib).find((name) => name.startsWith('python3'))!;
  return join(lib, python, 'site-packages', 'cfnlint', 'data');
})();
const providers = JSON.parse(
  readFileSync(join(cfnlintData, 'schemas', 'providers', 'ap-northeast-2.json'), 'utf8'),
) as Record<string, string>;
type Handlers = Partial<Record<'create' | 'read' | 'update' | 'delete', { permissions?: string[] }>>;
const handlerPermissions = (type: string): Set<string> => {
  const schema = JSON.parse(
    readFileSync(join(cfnlintData, 'schemas', 'resources', `${providers[type]}.json`), 'utf8'),
  ) as { handlers: Handlers };
  return new Set(
    (['create', 'read', 'update', 'delete'] as const).flatMap((h) => schema.handlers[h]?.permissions ?? []),
  );
};
type ServiceReference = Record<
  string,
  { Actions: Record<string, { Resources?: string[] }>; Resources: Record<string, { ARNFormats: string[] }> }
>;
const iam = JSON.parse(
  readFileSync(join(cfnlintData, 'AdditionalSpecs', 'Policies.json'), 'utf8'),
) as ServiceReference;
/** The IAM reference's entry of an action, undefined when IAM has no such action. */
const iamAction = (action: string) => {
  const [service, name] = action.split(':') as [string, string];
  const entry = iam[service]?.Actions[name.toLowerCase()];
  return entry === undefined ? undefined : { service, resources: entry.Resources ?? [] };
};

const scope = { stack: 'logpipe-prod', region: 'ap-northeast-2', account: '123456789012', partition: 'aws' };

/** A template with one resource of every mapped type, some of them named outside the stack's naming. */
const everyType: Template = {
  Resources: Object.fromEntries(
    Object.keys(RESOURCE_ACTIONS).map((type, i) => [`R${i}`, { Type: type, Properties: {} }]),
  ),
};
everyType.Resources.Named = { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'acme-logs-archive' } };
// Every property that needs actions of its own (PROPERTY_ACTIONS), set.
for (const [type, properties] of Object.entries(PROPERTY_ACTIONS))
  everyType.Resources[`WithFeatures${type.replaceAll('::', '')}`] = {
    Type: type,
    Properties: Object.fromEntries(Object.keys(properties).map((property) => [property, {}])),
  };
everyType.Resources.Watched = {
  Type: 'AWS::Logs::MetricFilter',
  Properties: { LogGroupName: '/ecs/payments-api' },
};

describe('the mapping from resource types to the actions CloudFormation needs', () => {
  it.each(Object.keys(RESOURCE_ACTIONS))('%s: only its handler permissions, all of those it uses', (type) => {
    expect(providers[type]).toEqual(expect.any(String));
    const handlers = handlerPermissions(type);
    const ours = [
      ...Object.values(RESOURCE_ACTIONS[type]!).flat(),
      ...Object.values(PROPERTY_ACTIONS[type] ?? {}).flatMap((entry) => Object.values(entry).flat()),
    ];
    expect(ours.filter((action) => !handlers.has(action))).toEqual([]);
    const notUsed = NOT_USED[type] ?? [];
    expect(notUsed.filter((action) => ours.includes(action))).toEqual([]);
    // Every IAM action of the type's own service its handlers list is granted, or named unused.
    // (Other services' are for features we do not use: KMS keys, VPCs, S3 Tables...)
    const missing = [...handlers].filter(
      (action) =>
        iamAction(action) && sameService(type, action) && !ours.includes(action) && !notUsed.includes(action),
    );
    expect(missing).toEqual([]);
  });

  it('names the actions the task requires for the Logs account policy and destination', () => {
    const accountPolicy = Object.values(RESOURCE_ACTIONS['AWS::Logs::AccountPolicy']!).flat();
    expect(accountPolicy).toEqual(
      expect.arrayContaining([
        'logs:PutAccountPolicy',
        'logs:DeleteAccountPolicy',
        'logs:DescribeAccountPolicies',
      ]),
    );
    const destination = Object.values(RESOURCE_ACTIONS['AWS::Logs::Destination']!).flat();
    expect(destination).toEqual(
      expect.arrayContaining([
        'logs:PutDestination',
        'logs:PutDestinationPolicy',
        'logs:DeleteDestination',
        'logs:DescribeDestinations',
      ]),
    );
  });
});

/** The service a type's own actions belong to (AWS::KinesisFirehose -> firehose). */
function sameService(type: string, action: string): boolean {
  const service = type.split('::')[1]!.toLowerCase();
  const prefix = action.split(':')[0]!;
  return prefix === service || (service === 'kinesisfirehose' && prefix === 'firehose');
}

/** Problems of a policy against the IAM reference: unknown actions, `*` where IAM can scope, ARNs of the wrong kind. */
function policyProblems(policy: Policy): string[] {
  const problems: string[] = [];
  for (const statement of policy.Statement)
    for (const action of statement.Action) {
      const known = iamAction(action);
      if (known === undefined) {
        problems.push(`${statement.Sid}: ${action} is no IAM action`);
        continue;
      }
      const anyResource = statement.Resource === '*';
      if (anyResource !== (known.resources.length === 0))
        problems.push(
          `${statement.Sid}: ${action} ${anyResource ? 'can be scoped to a resource, not *' : 'has no resource-level permissions: needs *'}`,
        );
      if (anyResource) continue;
      const formats = known.resources.flatMap((kind) =>
        (iam[known.service]!.Resources[kind.toLowerCase()]?.ARNFormats ?? []).map(
          (format) => new RegExp(`^${format.replace(/\$\{[A-Za-z]+\}/g, '[^:]*')}$`),
        ),
      );
      for (const arn of [statement.Resource].flat()) {
        // Our `*` stands for names: try a plain one and a suffixed one (a version, a stream).
        const samples = ['name', 'name:1', 'name/part'].map((name) => arn.replaceAll('*', name));
        if (!samples.some((sample) => formats.some((format) => format.test(sample))))
          problems.push(`${statement.Sid}: ${action} cannot apply to ${arn} (${known.resources.join(', ')})`);
      }
    }
  return problems;
}

describe('the generated deployer policy', () => {
  const policy = deployerPolicy(everyType, scope);

  it('grants only IAM actions that exist, scoped to resources wherever IAM can scope them', () => {
    expect(policyProblems(policy)).toEqual([]);
    const framework = Object.values(FRAMEWORK_ACTIONS).flat();
    expect(framework.filter((action) => !iamAction(action))).toEqual([]);
  });

  it("scopes everything to the stack's names, and to the literal names a stage sets", () => {
    expect(
      allows(
        policy,
        'cloudformation:UpdateStack',
        'arn:aws:cloudformation:ap-northeast-2:123456789012:stack/logpipe-prod/abc',
      ),
    ).toBe(true);
    expect(
      allows(
        policy,
        'cloudformation:UpdateStack',
        'arn:aws:cloudformation:ap-northeast-2:123456789012:stack/other/abc',
      ),
    ).toBe(false);
    expect(
      allows(
        policy,
        'iam:PassRole',
        'arn:aws:iam::123456789012:role/logpipe-prod-forwarder-ap-northeast-2-lambdaRole',
      ),
    ).toBe(true);
    expect(allows(policy, 'iam:PassRole', 'arn:aws:iam::123456789012:role/admin')).toBe(false);
    expect(
      allows(policy, 'iam:CreateRole', 'arn:aws:iam::123456789012:role/logpipe-prod-LogsToFirehoseRole-AB12'),
    ).toBe(true);
    expect(allows(policy, 's3:CreateBucket', 'arn:aws:s3:::acme-logs-archive')).toBe(true);
    expect(allows(policy, 's3:CreateBucket', 'arn:aws:s3:::acme-other')).toBe(false);
    expect(
      allows(
        policy,
        's3:PutObject',
        'arn:aws:s3:::logpipe-prod-serverlessdeploymentbucket-1x2y/serverless/x.zip',
      ),
    ).toBe(true);
    expect(allows(policy, 's3:PutObject', 'arn:aws:s3:::logpipe-prod-ap-northeast-2-raw-logs/x')).toBe(false);
    expect(
      allows(
        policy,
        'logs:PutMetricFilter',
        'arn:aws:logs:ap-northeast-2:123456789012:log-group:/ecs/payments-api',
      ),
    ).toBe(true);
    expect(
      allows(policy, 'logs:PutMetricFilter', 'arn:aws:logs:ap-northeast-2:123456789012:log-group:/ecs/other'),
    ).toBe(false);
    expect(
      allows(
        policy,
        'lambda:PublishVersion',
        'arn:aws:lambda:ap-northeast-2:123456789012:function:logpipe-prod-forwarder',
      ),
    ).toBe(true);
    expect(
      allows(
        policy,
        'lambda:UpdateFunctionCode',
        'arn:aws:lambda:ap-northeast-2:123456789012:function:payments',
      ),
    ).toBe(false);
  });

  it("grants a feature's own actions only to a stage that uses it (a KMS key on log groups, S3 access logs)", () => {
    const plain = deployerPolicy(
      { Resources: { B: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'logpipe-prod-x' } } } },
      scope,
    );
    expect(allows(plain, 's3:PutBucketLogging', 'arn:aws:s3:::logpipe-prod-x')).toBe(false);
    expect(allows(policy, 's3:PutBucketLogging', 'arn:aws:s3:::logpipe-prod-x')).toBe(true);
    expect(
      allows(
        policy,
        'logs:AssociateKmsKey',
        'arn:aws:logs:ap-northeast-2:123456789012:log-group:/aws/lambda/logpipe-prod-forwarder',
      ),
    ).toBe(true);
    expect(allows(policy, 'kms:CreateKey', '*')).toBe(true);
    expect(
      allows(
        policy,
        'kms:PutKeyPolicy',
        'arn:aws:kms:ap-northeast-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      ),
    ).toBe(true);
    expect(allows(policy, 'kms:PutKeyPolicy', 'arn:aws:kms:us-east-1:123456789012:key/1234abcd')).toBe(false);
  });

  it('refuses a template with a resource type it has no mapping for, naming the type', () => {
    const template: Template = {
      Resources: { ...everyType.Resources, Cluster: { Type: 'AWS::ECS::Cluster' } },
    };
    expect(() => deployerPolicy(template, scope)).toThrow(UnmappedResourceTypeError);
    expect(() => deployerPolicy(template, scope)).toThrow(/AWS::ECS::Cluster/);
  });
});

describe('splitPolicy', () => {
  const statement = (sid: string, actions: number) => ({
    Sid: sid,
    Effect: 'Allow' as const,
    Action: Array.from({ length: actions }, (_, i) => `logs:Action${i}`),
    Resource: '*',
  });

  it('keeps a policy that fits whole, and cuts a larger one into parts that fit, statements whole', () => {
    const small = { Version: '2012-10-17' as const, Statement: [statement('A', 3)] };
    expect(splitPolicy(small)).toEqual([small]);
    const large = {
      Version: '2012-10-17' as const,
      Statement: ['A', 'B', 'C', 'D'].map((sid) => statement(sid, 120)),
    };
    const parts = splitPolicy(large);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts)
      expect(JSON.stringify(part).length).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
    expect(parts.flatMap((part) => part.Statement.map((s) => s.Sid))).toEqual(['A', 'B', 'C', 'D']);
  });

  it('refuses a statement that cannot fit any policy, naming it', () => {
    const huge = { Version: '2012-10-17' as const, Statement: [statement('Huge', 400)] };
    expect(() => splitPolicy(huge)).toThrow(/Huge/);
  });
});
