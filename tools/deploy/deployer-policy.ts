import {
  FRAMEWORK_ACTIONS,
  PROPERTY_ACTIONS,
  RESOURCE_ACTIONS,
  type ArnKind,
  type TypeActions,
} from './resource-actions';

/**
 * The IAM policy an identity needs to deploy, update and remove one stage's stack, built from the
 * packaged template: for each resource type, the actions CloudFormation calls for it
 * (resource-actions.ts), scoped to the ARNs of the stack's naming (`<service>-<stage>-*`, which
 * every name in our templates and every name CloudFormation generates starts with) plus the
 * literal names a stage sets otherwise (its buckets, the log groups it watches).
 */
export interface Scope {
  /** `<service>-<stage>`: the stack's name. */
  stack: string;
  region: string;
  /** Account id, or `*` (any account: scope by the identity's own account instead). */
  account: string;
  partition: string;
}

export interface Template {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

export interface Statement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string | string[];
}

export interface Policy {
  Version: '2012-10-17';
  Statement: Statement[];
}

export class UnmappedResourceTypeError extends Error {
  override name = 'UnmappedResourceTypeError';
  constructor(readonly types: string[]) {
    super(
      `no IAM actions known for ${types.join(', ')}: add the type to tools/deploy/resource-actions.ts ` +
        `(its resource schema's handler permissions, as cfn-lint ships them)`,
    );
  }
}

/** The property holding a resource's own name, by type, and the ARN kind the name is part of. */
const NAME_PROPERTIES: Record<string, [string, ArnKind]> = {
  'AWS::S3::Bucket': ['BucketName', 'bucket'],
  'AWS::Logs::LogGroup': ['LogGroupName', 'logGroup'],
  'AWS::Logs::MetricFilter': ['LogGroupName', 'logGroup'],
  'AWS::Logs::SubscriptionFilter': ['LogGroupName', 'logGroup'],
  'AWS::Logs::LogStream': ['LogGroupName', 'logGroup'],
  'AWS::Logs::Destination': ['DestinationName', 'logDestination'],
  'AWS::SQS::Queue': ['QueueName', 'queue'],
  'AWS::SNS::Topic': ['TopicName', 'topic'],
  'AWS::IAM::Role': ['RoleName', 'role'],
  'AWS::Lambda::Function': ['FunctionName', 'function'],
  'AWS::KinesisFirehose::DeliveryStream': ['DeliveryStreamName', 'deliveryStream'],
  'AWS::CloudWatch::Alarm': ['AlarmName', 'alarm'],
  'AWS::Events::Rule': ['Name', 'rule'],
  'AWS::Scheduler::Schedule': ['Name', 'schedule'],
  'AWS::DynamoDB::Table': ['TableName', 'table'],
};

/** The ARN of a named resource of a kind; `name` may end in `*`. */
function arnsOf(kind: ArnKind, name: string, scope: Scope): string[] {
  const { partition: p, region: r, account: a } = scope;
  switch (kind) {
    case 'stack':
      return [`arn:${p}:cloudformation:${r}:${a}:stack/${name}/*`];
    case 'bucket':
      return [`arn:${p}:s3:::${name}`];
    case 'deploymentObjects':
      return [`arn:${p}:s3:::${name}/*`];
    case 'logGroup': // the group, and its streams (`<group>:log-stream:<stream>`)
      return name.endsWith('*')
        ? [`arn:${p}:logs:${r}:${a}:log-group:${name}`]
        : [`arn:${p}:logs:${r}:${a}:log-group:${name}`, `arn:${p}:logs:${r}:${a}:log-group:${name}:*`];
    case 'logDestination':
      return [`arn:${p}:logs:${r}:${a}:destination:${name}`];
    case 'function': // versions are `<function>:<n>`
      return name.endsWith('*')
        ? [`arn:${p}:lambda:${r}:${a}:function:${name}`]
        : [`arn:${p}:lambda:${r}:${a}:function:${name}`, `arn:${p}:lambda:${r}:${a}:function:${name}:*`];
    case 'eventSourceMapping':
      return [`arn:${p}:lambda:${r}:${a}:event-source-mapping:${name}`];
    case 'queue':
      return [`arn:${p}:sqs:${r}:${a}:${name}`];
    case 'topic': // subscriptions are `<topic>:<id>`
      return [`arn:${p}:sns:${r}:${a}:${name}`];
    case 'role':
      return [`arn:${p}:iam::${a}:role/${name}`];
    case 'deliveryStream':
      return [`arn:${p}:firehose:${r}:${a}:deliverystream/${name}`];
    case 'alarm':
      return [`arn:${p}:cloudwatch:${r}:${a}:alarm:${name}`];
    case 'rule':
      return [`arn:${p}:events:${r}:${a}:rule/${name}`];
    case 'schedule':
      return [`arn:${p}:scheduler:${r}:${a}:schedule/default/${name}`];
    case 'key':
      return [`arn:${p}:kms:${r}:${a}:key/${name}`];
    case 'table':
      return [`arn:${p}:dynamodb:${r}:${a}:table/${name}`];
    case 'any':
      return ['*'];
  }
}

/** The names every resource of a kind has under the stack's naming. */
function stackNames(kind: ArnKind, stack: string): string[] {
  switch (kind) {
    case 'logGroup': // the functions' own groups, Firehose's error log
      return [`/aws/lambda/${stack}-*`, `/aws/kinesisfirehose/${stack}-*`];
    case 'stack':
      return [stack];
    case 'deploymentObjects': // CloudFormation names the bucket `<stack>-serverlessdeploymentbucket-<id>`
      return [`${stack}-serverlessdeploymentbucket-*`];
    case 'eventSourceMapping': // named by a UUID Lambda chooses
    case 'key': // a UUID KMS chooses
    case 'any':
      return ['*'];
    default:
      return [`${stack}-*`];
  }
}

/** `*` in an ARN pattern matches any characters, as in IAM. */
const matches = (pattern: string, arn: string) =>
  new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`).test(arn);
const escapeRegExp = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** A name CloudFormation knows before the deploy: a string, or a Fn::Sub of pseudo parameters only. */
function literalName(value: unknown, scope: Scope): string | undefined {
  const text =
    typeof value === 'string'
      ? value
      : typeof (value as { 'Fn::Sub'?: unknown } | undefined)?.['Fn::Sub'] === 'string'
        ? ((value as { 'Fn::Sub': string })['Fn::Sub'] as string)
            .replaceAll('${AWS::Region}', scope.region)
            .replaceAll('${AWS::Partition}', scope.partition)
            .replaceAll('${AWS::AccountId}', scope.account)
        : undefined;
  return text === undefined || text.includes('${') ? undefined : text;
}

const KIND_ORDER: ArnKind[] = [
  'stack',
  'bucket',
  'deploymentObjects',
  'logGroup',
  'logDestination',
  'function',
  'eventSourceMapping',
  'queue',
  'topic',
  'role',
  'deliveryStream',
  'alarm',
  'rule',
  'schedule',
  'key',
  'table',
  'any',
];

const SIDS: Record<ArnKind, string> = {
  stack: 'TheStack',
  bucket: 'Buckets',
  deploymentObjects: 'DeploymentBucketObjects',
  logGroup: 'LogGroups',
  logDestination: 'LogDestinations',
  function: 'Functions',
  eventSourceMapping: 'EventSourceMappings',
  queue: 'Queues',
  topic: 'Topics',
  role: 'RolesOfTheStack',
  deliveryStream: 'DeliveryStreams',
  alarm: 'Alarms',
  rule: 'EventRules',
  schedule: 'Schedules',
  key: 'EncryptionKeys',
  table: 'Tables',
  any: 'ActionsWithoutResourceLevelPermissions',
};

/** The resource types of a template that have no entry in the mapping table. */
export function unmappedTypes(template: Template): string[] {
  const types = new Set(Object.values(template.Resources).map((r) => r.Type));
  return [...types].filter((type) => RESOURCE_ACTIONS[type] === undefined).sort();
}

/** The least-privilege deployer policy of one packaged stack. Throws for an unmapped type. */
export function deployerPolicy(template: Template, scope: Scope): Policy {
  const unmapped = unmappedTypes(template);
  if (unmapped.length > 0) throw new UnmappedResourceTypeError(unmapped);
  const actions = new Map<ArnKind, Set<string>>();
  const names = new Map<ArnKind, string[]>();
  const add = (entry: TypeActions) => {
    for (const kind of KIND_ORDER)
      for (const action of entry[kind] ?? []) {
        if (!actions.has(kind)) actions.set(kind, new Set());
        actions.get(kind)!.add(action);
      }
  };
  add(FRAMEWORK_ACTIONS);
  for (const kind of KIND_ORDER) names.set(kind, stackNames(kind, scope.stack));
  for (const resource of Object.values(template.Resources)) {
    add(RESOURCE_ACTIONS[resource.Type]!);
    for (const [property, entry] of Object.entries(PROPERTY_ACTIONS[resource.Type] ?? {}))
      if (resource.Properties?.[property] !== undefined) add(entry);
    const named = NAME_PROPERTIES[resource.Type];
    if (named === undefined) continue;
    const [property, kind] = named;
    const name = literalName(resource.Properties?.[property], scope);
    if (name === undefined) continue; // generated by CloudFormation: `<stack>-<logical id>-<suffix>`
    const known = names.get(kind)!;
    const arn = arnsOf(kind, name, scope)[0]!;
    if (!known.some((pattern) => arnsOf(kind, pattern, scope).some((p) => matches(p, arn)))) known.push(name);
  }
  const statements: Statement[] = [];
  for (const kind of KIND_ORDER) {
    const granted = actions.get(kind);
    if (granted === undefined) continue;
    const resources = names.get(kind)!.flatMap((name) => arnsOf(kind, name, scope));
    statements.push({
      Sid: SIDS[kind],
      Effect: 'Allow',
      Action: [...granted].sort(),
      Resource: kind === 'any' ? '*' : resources,
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/** Whether a policy allows `action` on `arn` (Allow statements, `*` wildcards, case-insensitive actions). */
export function allows(policy: Policy, action: string, arn: string): boolean {
  return policy.Statement.some(
    (s) =>
      s.Action.some((a) => matches(a.toLowerCase(), action.toLowerCase())) &&
      [s.Resource].flat().some((pattern) => matches(pattern, arn)),
  );
}

/** What IAM counts against a customer managed policy's size: its JSON without whitespace. */
export const MANAGED_POLICY_MAX_CHARS = 6144;

/**
 * The policy cut into managed policies that each fit `maxChars`, statements kept whole and in
 * order (first fit). A stage with every input (Kinesis, a cross-account destination, prefixes)
 * needs more than one; together they allow exactly what the one policy allows.
 */
export function splitPolicy(policy: Policy, maxChars = MANAGED_POLICY_MAX_CHARS): Policy[] {
  const size = (statements: Statement[]) =>
    JSON.stringify({ Version: policy.Version, Statement: statements }).length;
  const parts: Statement[][] = [];
  for (const statement of policy.Statement) {
    if (size([statement]) > maxChars) {
      throw new Error(`statement ${statement.Sid} alone is over ${maxChars} characters`);
    }
    const part = parts.find((statements) => size([...statements, statement]) <= maxChars);
    if (part) part.push(statement);
    else parts.push([statement]);
  }
  return parts.map((statements) => ({ Version: policy.Version, Statement: statements }));
}
