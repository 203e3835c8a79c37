/**
 * Checks on a packaged CloudFormation template, each returning the problems it found (empty =
 * fine), so a failing test names every offending resource at once. Used by package.integration.test.ts on
 * the dev and prod templates, and by checks.test.ts on small templates that break each rule.
 */

export type Resource = {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: unknown;
};
export type Resources = Record<string, Resource>;

type Statement = {
  Effect?: string;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
};

/**
 * Actions that have no resource-level permissions in IAM (the Service Authorization Reference
 * lists no resource type for them), so `Resource: "*"` is the only possible scope. Nothing else
 * may use "*". Add an action here only with its reason.
 */
export const RESOURCE_STAR_ALLOWED: Record<string, string> = {
  'logs:DescribeExportTasks': 'no resource types: export tasks are not resources',
  'logs:CancelExportTask': 'no resource types: export tasks are not resources',
  'cloudwatch:PutMetricData': 'no resource types (scope with the cloudwatch:namespace condition)',
  'xray:PutTraceSegments': 'no resource types (active tracing)',
  'xray:PutTelemetryRecords': 'no resource types (active tracing)',
};

const list = (value: unknown): unknown[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Identity policies of every role, inline policy and managed policy: [where, statement]. */
export function iamStatements(resources: Resources): [string, Statement][] {
  const out: [string, Statement][] = [];
  for (const [id, resource] of Object.entries(resources)) {
    const documents: unknown[] = [];
    if (resource.Type === 'AWS::IAM::Role')
      for (const policy of list(resource.Properties?.Policies))
        documents.push((policy as { PolicyDocument?: unknown }).PolicyDocument);
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy')
      documents.push(resource.Properties?.PolicyDocument);
    for (const document of documents)
      for (const statement of list((document as { Statement?: unknown } | undefined)?.Statement))
        out.push([id, statement as Statement]);
  }
  return out;
}

/** No allowed action with a wildcard, no NotAction / NotResource, `Resource: "*"` only for listed actions. */
export function iamProblems(resources: Resources): string[] {
  const problems: string[] = [];
  for (const [id, statement] of iamStatements(resources)) {
    if (statement.Effect !== 'Allow') continue;
    if (statement.NotAction !== undefined || statement.NotResource !== undefined)
      problems.push(`${id}: NotAction / NotResource in an Allow statement`);
    const actions = list(statement.Action);
    for (const action of actions)
      if (typeof action !== 'string' || action.includes('*'))
        problems.push(`${id}: action ${JSON.stringify(action)} is not one exact action`);
    if (list(statement.Resource).some((r) => r === '*')) {
      for (const action of actions)
        if (typeof action === 'string' && !(action in RESOURCE_STAR_ALLOWED))
          problems.push(`${id}: ${action} on Resource "*" (it has resource-level permissions: scope it)`);
    }
  }
  return problems;
}

function bucketMatches(policyBucket: unknown, id: string, bucket: Resource): boolean {
  if (JSON.stringify(policyBucket) === JSON.stringify({ Ref: id })) return true;
  const name = bucket.Properties?.BucketName;
  return name !== undefined && JSON.stringify(policyBucket) === JSON.stringify(name);
}

function deniesPlainHttp(statement: Statement & { Principal?: unknown; Condition?: unknown }): boolean {
  const condition = statement.Condition as { Bool?: Record<string, unknown> } | undefined;
  const secure = condition?.Bool?.['aws:SecureTransport'];
  return (
    statement.Effect === 'Deny' &&
    (statement.Principal === '*' || JSON.stringify(statement.Principal) === '{"AWS":"*"}') &&
    list(statement.Action).includes('s3:*') &&
    list(statement.Resource).length >= 2 &&
    (secure === false || secure === 'false')
  );
}

/** Every bucket: SSE, all four public access blocks, and a policy denying requests without TLS. */
export function bucketProblems(resources: Resources): string[] {
  const problems: string[] = [];
  const policies = Object.values(resources).filter((r) => r.Type === 'AWS::S3::BucketPolicy');
  for (const [id, bucket] of Object.entries(resources)) {
    if (bucket.Type !== 'AWS::S3::Bucket') continue;
    const encryption = bucket.Properties?.BucketEncryption as
      | {
          ServerSideEncryptionConfiguration?: { ServerSideEncryptionByDefault?: { SSEAlgorithm?: string } }[];
        }
      | undefined;
    const algorithm =
      encryption?.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault?.SSEAlgorithm;
    if (!algorithm || !['AES256', 'aws:kms', 'aws:kms:dsse'].includes(algorithm))
      problems.push(`${id}: no default encryption`);
    const block = bucket.Properties?.PublicAccessBlockConfiguration as Record<string, unknown> | undefined;
    for (const key of ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'])
      if (block?.[key] !== true) problems.push(`${id}: PublicAccessBlockConfiguration.${key} is not true`);
    const mine = policies.filter((p) => bucketMatches(p.Properties?.Bucket, id, bucket));
    if (mine.length !== 1) problems.push(`${id}: ${mine.length} bucket policies (a bucket has exactly one)`);
    const statements = mine.flatMap((p) =>
      list((p.Properties?.PolicyDocument as { Statement?: unknown } | undefined)?.Statement),
    );
    if (!statements.some((s) => deniesPlainHttp(s as Statement)))
      problems.push(`${id}: no TLS-only (aws:SecureTransport) deny`);
  }
  return problems;
}

const AWS_SERVICE_INVOKERS = /^(sns|s3|events|scheduler|logs|ses|iot|cloudformation|codecommit|config)\./;

/** Logical id of a function a permission or config names: Ref / GetAtt X.Arn -> X. */
function functionId(value: unknown): string | undefined {
  if (value && typeof value === 'object') {
    const ref = (value as { Ref?: unknown }).Ref;
    if (typeof ref === 'string') return ref;
    const getAtt = (value as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  }
  return undefined;
}

/** A principal as text: "sns.amazonaws.com", or a Join / Sub with its references as "*". */
function principalText(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  if (join) return join[1].map((part) => (typeof part === 'string' ? part : '*')).join(join[0]);
  const sub = (value as { 'Fn::Sub'?: unknown } | undefined)?.['Fn::Sub'];
  return typeof sub === 'string' ? sub : '';
}

/** Functions an AWS service invokes asynchronously (SNS, S3, EventBridge, CloudWatch Logs...). */
export function asyncFunctions(resources: Resources): string[] {
  const ids = new Set<string>();
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::Lambda::Permission') continue;
    const id = functionId(resource.Properties?.FunctionName);
    if (id && AWS_SERVICE_INVOKERS.test(principalText(resource.Properties?.Principal))) ids.add(id);
  }
  return [...ids].filter((id) => resources[id]?.Type === 'AWS::Lambda::Function').sort();
}

/** Each async function: an EventInvokeConfig on-failure destination, an encrypted SQS queue keeping 14 days. */
export function onFailureProblems(resources: Resources, functions = asyncFunctions(resources)): string[] {
  const problems: string[] = [];
  const configs = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::EventInvokeConfig');
  for (const fn of functions) {
    const config = configs.find((c) => functionId(c.Properties?.FunctionName) === fn);
    const destination = (
      config?.Properties?.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined
    )?.OnFailure?.Destination;
    const queueId = functionId(destination);
    const queue = queueId ? resources[queueId] : undefined;
    if (!queue || queue.Type !== 'AWS::SQS::Queue') {
      problems.push(`${fn}: no on-failure destination to an SQS queue of this stack`);
      continue;
    }
    if (queue.Properties?.SqsManagedSseEnabled !== true && queue.Properties?.KmsMasterKeyId === undefined)
      problems.push(`${fn}: on-failure queue ${queueId} is not encrypted`);
    if (queue.Properties?.MessageRetentionPeriod !== 1209600)
      problems.push(`${fn}: on-failure queue ${queueId} keeps messages less than 14 days`);
  }
  return problems;
}

/**
 * Every account-level subscription policy leaves out the log group of every function of the
 * template (a function fed its own lines loops for ever), and every CloudWatch Logs destination
 * names the accounts it lets in (no "*").
 */
export function subscriptionPolicyProblems(resources: Resources): string[] {
  const problems: string[] = [];
  const functionGroups = Object.values(resources)
    .filter((r) => r.Type === 'AWS::Lambda::Function')
    .map((r) => `/aws/lambda/${String(r.Properties?.FunctionName)}`);
  for (const [id, resource] of Object.entries(resources)) {
    if (
      resource.Type === 'AWS::Logs::AccountPolicy' &&
      resource.Properties?.PolicyType === 'SUBSCRIPTION_FILTER_POLICY'
    ) {
      const criteria = String(resource.Properties?.SelectionCriteria ?? '');
      const match = /^LogGroupName NOT IN (\[.*\])$/.exec(criteria);
      const excluded = match ? (JSON.parse(match[1]!) as string[]) : [];
      for (const group of functionGroups)
        if (!excluded.includes(group)) problems.push(`${id}: does not exclude ${group}`);
    }
    if (resource.Type === 'AWS::Logs::Destination') {
      // A JSON string, or Fn::Sub of one (placeholders sit inside its strings).
      const policy = resource.Properties?.DestinationPolicy as string | { 'Fn::Sub'?: string } | undefined;
      const text = typeof policy === 'string' ? policy : (policy?.['Fn::Sub'] ?? '{}');
      const statements = list((JSON.parse(text) as { Statement?: unknown }).Statement) as {
        Principal?: { AWS?: unknown };
      }[];
      const accounts = statements.flatMap((statement) => list(statement.Principal?.AWS));
      if (accounts.length === 0) problems.push(`${id}: its policy names no account`);
      for (const account of accounts)
        if (typeof account !== 'string' || account.includes('*'))
          problems.push(`${id}: its policy lets in any account (${JSON.stringify(account)})`);
    }
  }
  return problems;
}
