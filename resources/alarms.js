'use strict';

/**
 * Metric filters, alarms, the alarm topic and the notifier's on-failure queue, generated from
 * params (CloudFormation YAML cannot loop over a list). Referenced from serverless.yml:
 *   resources:  - ${file(./resources/alarms.js):resources}
 *   notifier iamRoleStatements: ${file(./resources/alarms.js):notifierIamStatements}
 *
 * params (per stage, see docs/notifier.md):
 *   watchedLogGroups: list; each a log group name, or { name, filters, dependsOn, period,
 *     threshold, evaluationPeriods, datapointsToAlarm } to override the defaults for that group.
 *   metricFilterPatterns: map of filter key -> CloudWatch Logs filter pattern.
 *   alarmDefaults: { period, threshold, evaluationPeriods, datapointsToAlarm }.
 */

const DEFAULT_ALARM = { period: 60, threshold: 1, evaluationPeriods: 1, datapointsToAlarm: 1 };

/** "/aws/lambda/logpipe-dev-forwarder" -> "AwsLambdaLogpipeDevForwarder" (CloudFormation logical ids are alphanumeric). */
function logicalId(value) {
  return String(value)
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('')
    .slice(0, 200);
}

/** The last path segment of a log group name, for metric and alarm names people read. */
function shortName(logGroupName) {
  const segments = String(logGroupName).split('/').filter(Boolean);
  return segments[segments.length - 1] || logicalId(logGroupName);
}

/** "logpipe-dev-forwarder-logTypeError": prefixed with service and stage unless the group name already is. */
function alarmName(service, stage, logGroupName, key) {
  const prefix = `${service}-${stage}-`;
  const short = shortName(logGroupName);
  return `${short.startsWith(prefix) ? short : prefix + short}-${key}`.slice(0, 255);
}

function positiveNumber(value, what) {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0)
    throw new Error(`${what} must be a positive number, got ${value}`);
  return number;
}

async function settings({ resolveVariable, options }) {
  const param = async (name) => resolveVariable(`param:${name}`);
  const service = await resolveVariable('self:service');
  const stage = options.stage || (await resolveVariable('sls:stage'));
  const patterns = (await param('metricFilterPatterns')) || {};
  const defaults = { ...DEFAULT_ALARM, ...((await param('alarmDefaults')) || {}) };
  const groups = ((await param('watchedLogGroups')) || []).map((entry) => {
    const group = typeof entry === 'string' ? { name: entry } : { ...entry };
    if (!group.name) throw new Error(`watchedLogGroups entry needs a name: ${JSON.stringify(entry)}`);
    const filters = group.filters || Object.keys(patterns);
    for (const key of filters) {
      if (patterns[key] === undefined)
        throw new Error(`watchedLogGroups ${group.name}: unknown filter "${key}"`);
    }
    const alarm = {};
    for (const key of Object.keys(DEFAULT_ALARM))
      alarm[key] = positiveNumber(group[key] ?? defaults[key], `${group.name} ${key}`);
    if (alarm.datapointsToAlarm > alarm.evaluationPeriods) {
      throw new Error(
        `${group.name}: datapointsToAlarm (${alarm.datapointsToAlarm}) > evaluationPeriods (${alarm.evaluationPeriods})`,
      );
    }
    return { name: group.name, filters, alarm, dependsOn: group.dependsOn };
  });
  return { service, stage, patterns, groups };
}

/** One metric filter, its zero-value companion, and the alarm on the metric they feed. */
function resourcesForFilter({ service, stage, patterns }, group, key) {
  const id = `${logicalId(group.name)}${logicalId(key)}`;
  const namespace = `${service}/${stage}`;
  const metricName = `${shortName(group.name)}-${key}`.slice(0, 255);
  const transformation = (value) => [
    { MetricName: metricName, MetricNamespace: namespace, MetricValue: value, Unit: 'Count' },
  ];
  const dependsOn = group.dependsOn ? { DependsOn: group.dependsOn } : {};
  return {
    [`${id}MetricFilter`]: {
      Type: 'AWS::Logs::MetricFilter',
      ...dependsOn,
      Properties: {
        LogGroupName: group.name,
        FilterPattern: patterns[key],
        MetricTransformations: transformation('1'),
      },
    },
    // A metric filter emits nothing when no line matches; this one emits 0 for every line so
    // the metric exists between errors (the notifier skips it when looking up log lines).
    [`${id}ZeroFilter`]: {
      Type: 'AWS::Logs::MetricFilter',
      ...dependsOn,
      Properties: { LogGroupName: group.name, FilterPattern: '', MetricTransformations: transformation('0') },
    },
    [`${id}Alarm`]: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        AlarmName: alarmName(service, stage, group.name, key),
        AlarmDescription: `Lines matching ${patterns[key]} in ${group.name}`.slice(0, 1024),
        Namespace: namespace,
        MetricName: metricName,
        Statistic: 'Sum',
        Period: group.alarm.period,
        EvaluationPeriods: group.alarm.evaluationPeriods,
        DatapointsToAlarm: group.alarm.datapointsToAlarm,
        Threshold: group.alarm.threshold,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: 'AlarmTopic' }],
        OKActions: [{ Ref: 'AlarmTopic' }],
        InsufficientDataActions: [{ Ref: 'AlarmTopic' }],
      },
    },
  };
}

async function resources(context) {
  const config = await settings(context);
  const { service, stage } = config;
  const Resources = {
    // Not KMS-encrypted on purpose: CloudWatch cannot publish to a topic under the AWS-managed
    // SNS key, and alarm notifications carry no secrets.
    AlarmTopic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: `${service}-${stage}-alarms` } },
    NotifierFailureQueue: {
      Type: 'AWS::SQS::Queue',
      Properties: {
        QueueName: `${service}-${stage}-notifier-failures`,
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 1209600,
      },
    },
  };
  for (const group of config.groups) {
    for (const key of group.filters) Object.assign(Resources, resourcesForFilter(config, group, key));
  }
  return {
    Resources,
    Outputs: {
      AlarmTopicArn: { Value: { Ref: 'AlarmTopic' } },
      NotifierFailureQueueUrl: { Value: { Ref: 'NotifierFailureQueue' } },
    },
  };
}

const arn = (service, rest) => ({
  'Fn::Sub': `arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${rest}`,
});

/** Least privilege for the notifier: read its token, find filters, read the watched groups. */
async function notifierIamStatements(context) {
  const { groups } = await settings(context);
  const param = async (name) => (await context.resolveVariable(`param:${name}`)) || '';
  const secret = String(await param('slackTokenSecret')).trim();
  const parameter = String(await param('slackTokenParameter')).trim();
  const statements = [
    // DescribeMetricFilters by metric name cannot be scoped to one log group.
    { Effect: 'Allow', Action: ['logs:DescribeMetricFilters'], Resource: [arn('logs', 'log-group:*')] },
    {
      Effect: 'Allow',
      Action: ['sqs:SendMessage'],
      Resource: [{ 'Fn::GetAtt': ['NotifierFailureQueue', 'Arn'] }],
    },
  ];
  if (groups.length > 0) {
    statements.push({
      Effect: 'Allow',
      Action: ['logs:FilterLogEvents'],
      Resource: groups.flatMap((g) => [
        arn('logs', `log-group:${g.name}`),
        arn('logs', `log-group:${g.name}:*`),
      ]),
    });
  }
  if (secret) {
    const resource = secret.startsWith('arn:') ? secret : arn('secretsmanager', `secret:${secret}-??????`);
    statements.push({ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [resource] });
  }
  if (parameter) {
    const resource = parameter.startsWith('arn:')
      ? parameter
      : arn('ssm', `parameter/${parameter.replace(/^\//, '')}`);
    statements.push({ Effect: 'Allow', Action: ['ssm:GetParameter'], Resource: [resource] });
  }
  return statements;
}

module.exports = { resources, notifierIamStatements, logicalId, shortName };
