'use strict';

/**
 * The pipeline watching itself: alarms to the stage's AlarmTopic (resources/alarms.js), and so to
 * Slack through the notifier. Generated from the functions declared in serverless.yml, so a new
 * function is watched without an edit here. Referenced from serverless.yml:
 *   resources: - ${file(./resources/watch.js):resources}
 *
 * - every function: AWS/Lambda Errors >= 1 and Throttles >= 1;
 * - every on-failure queue a function or event names with Fn::GetAtt: AWS/SQS
 *   ApproximateNumberOfMessagesVisible > 0 (an event that exhausted its retries, to redrive:
 *   scripts/redrive.ts);
 * - forwarder and splitter: EMF `DeadLettered` (namespace logpipe, dimensions Service =
 *   <service>-<stage>, Function) >= 1, documents the destination refused for good;
 * - exporter (when declared): EMF `MaxCheckpointLagSeconds` (namespace logpipe, dimensions
 *   Service = <service>-<stage>, Function = exporter) above exporterMaxLagHours.
 *
 * params: alarmDefaults { period, evaluationPeriods, datapointsToAlarm } (shared with
 * resources/alarms.js), exporterMaxLagHours.
 */

const { paramReader, serviceAndStage } = require('./lib/params');
const { logicalId } = require('./alarms');

const EMF_NAMESPACE = 'logpipe'; // libs/logging/metrics.ts METRICS_NAMESPACE
const DEAD_LETTERING = ['forwarder', 'splitter'];

/** Every { 'Fn::GetAtt': [id, 'Arn'] } found under an `onFailure` key, in order, once. */
function onFailureQueues(functions) {
  const ids = [];
  const walk = (value, underOnFailure) => {
    if (Array.isArray(value)) return value.forEach((item) => walk(item, underOnFailure));
    if (value === null || typeof value !== 'object') return;
    const getAtt = value['Fn::GetAtt'];
    if (underOnFailure && Array.isArray(getAtt) && getAtt[1] === 'Arn') {
      if (!ids.includes(getAtt[0])) ids.push(getAtt[0]);
      return;
    }
    for (const [key, child] of Object.entries(value)) walk(child, underOnFailure || key === 'onFailure');
  };
  walk(functions, false);
  return ids;
}

function positive(value, name) {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0)
    throw new Error(`param ${name} must be a positive number, got "${value}"`);
  return number;
}

async function settings({ resolveVariable, options }) {
  const param = paramReader(resolveVariable);
  const { service, stage } = await serviceAndStage({ resolveVariable, options });
  const functions = (await resolveVariable('self:functions')) || {};
  const defaults = {
    period: 60,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    ...((await param('alarmDefaults')) || {}),
  };
  const exporterMaxLagHours = await param('exporterMaxLagHours');
  return {
    service,
    stage,
    functions,
    period: positive(defaults.period, 'alarmDefaults.period'),
    evaluationPeriods: positive(defaults.evaluationPeriods, 'alarmDefaults.evaluationPeriods'),
    datapointsToAlarm: positive(defaults.datapointsToAlarm, 'alarmDefaults.datapointsToAlarm'),
    exporterMaxLagHours:
      exporterMaxLagHours === '' ? 48 : positive(exporterMaxLagHours, 'exporterMaxLagHours'),
  };
}

function alarm(config, id, properties) {
  return {
    [id]: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        Period: config.period,
        EvaluationPeriods: config.evaluationPeriods,
        DatapointsToAlarm: config.datapointsToAlarm,
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: 'AlarmTopic' }],
        OKActions: [{ Ref: 'AlarmTopic' }],
        ...properties,
      },
    },
  };
}

async function resources(context) {
  const config = await settings(context);
  const { service, stage } = config;
  const prefix = `${service}-${stage}`;
  const Resources = {};

  for (const [key, fn] of Object.entries(config.functions)) {
    const name = (fn && fn.name) || `${prefix}-${key}`;
    const id = logicalId(key);
    const dimensions = [{ Name: 'FunctionName', Value: name }];
    Object.assign(
      Resources,
      alarm(config, `${id}ErrorsAlarm`, {
        AlarmName: `${name}-errors`,
        AlarmDescription: `${name} ended invocations with an error (after retries the event goes to its on-failure queue)`,
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: dimensions,
      }),
      alarm(config, `${id}ThrottlesAlarm`, {
        AlarmName: `${name}-throttles`,
        AlarmDescription: `${name} was throttled (account concurrency or its reserved concurrency)`,
        Namespace: 'AWS/Lambda',
        MetricName: 'Throttles',
        Dimensions: dimensions,
      }),
    );
    if (DEAD_LETTERING.includes(key)) {
      Object.assign(
        Resources,
        alarm(config, `${id}DeadLetteredAlarm`, {
          AlarmName: `${name}-dead-lettered`,
          AlarmDescription: `${name} dead-lettered documents the destination refused for good (mapping conflicts); see the dead-letter bucket`,
          Namespace: EMF_NAMESPACE,
          MetricName: 'DeadLettered',
          Dimensions: [
            { Name: 'Service', Value: prefix },
            { Name: 'Function', Value: key },
          ],
        }),
      );
    }
  }

  for (const queueId of onFailureQueues(config.functions)) {
    Object.assign(
      Resources,
      alarm(config, `${queueId}MessagesAlarm`, {
        AlarmName: `${prefix}-${queueId}-messages`,
        AlarmDescription: `Events that exhausted their retries wait in ${queueId}; fix the cause, then redrive (docs/deploy.md)`,
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
        Statistic: 'Maximum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
  }

  if (config.functions.exporter) {
    Object.assign(
      Resources,
      alarm(config, 'ExporterBehindAlarm', {
        AlarmName: `${prefix}-exporter-behind`,
        AlarmDescription: `The exporter's oldest checkpoint is more than ${config.exporterMaxLagHours} h behind: export windows are failing or not running`,
        Namespace: EMF_NAMESPACE,
        MetricName: 'MaxCheckpointLagSeconds',
        Dimensions: [
          { Name: 'Service', Value: prefix },
          { Name: 'Function', Value: 'exporter' },
        ],
        Statistic: 'Maximum',
        Period: 3600,
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        Threshold: config.exporterMaxLagHours * 3600,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
  }

  return { Resources };
}

module.exports = { resources, onFailureQueues };
