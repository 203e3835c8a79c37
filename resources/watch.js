// @ts-check
'use strict';

/**
 * The pipeline watching itself: alarms to the stage's AlarmTopic (resources/notifier.yml), and so to
 * Slack through the notifier. Generated from the functions declared in serverless.yml, so a new
 * function is watched without an edit here. Referenced from serverless.yml:
 *   resources: - ${file(./resources/watch.js):resources}
 *
 * - every function: AWS/Lambda Errors >= 1 and Throttles >= 1;
 * - every on-failure queue a function or event names with Fn::GetAtt: AWS/SQS
 *   ApproximateNumberOfMessagesVisible > 0 (an event that exhausted its retries, to redrive:
 *   tools/redrive.ts);
 * - forwarder and splitter: EMF `DeadLettered` (namespace logpipe, dimensions Service =
 *   <service>-<stage>, Function) >= 1, documents the destination refused for good;
 * - exporter (when declared): EMF `MaxCheckpointLagSeconds` (namespace logpipe, dimensions
 *   Service = <service>-<stage>, Function = exporter) above exporterMaxLagHours.
 *
 * Period, evaluation periods and datapoints: the defaults of resources/alarms.yml. params:
 * exporterMaxLagHours.
 */

const { params, positiveNumber } = require('./lib/params');
const { logicalId, alarmActions } = require('./lib/cfn');
const { alarmSettings } = require('./alarms');
const { onFailureQueues } = require('./failure-queues');

/** @typedef {import('./lib/params').Context} Context */

const stack = require('../libs/runtime/stack-constants.json');

const EMF_NAMESPACE = stack.metricsNamespace;
const DEAD_LETTERING = ['forwarder', 'splitter'];

/** @param {Context} context */
async function settings(context) {
  const param = params(context);
  const { service, stage } = await param.serviceAndStage();
  const functions = /** @type {Record<string, { name?: string }>} */ (
    (await context.resolveVariable('self:functions')) || {}
  );
  const { defaultAlarm } = await alarmSettings(context);
  const maxLag = await param.text('exporterMaxLagHours');
  return {
    service,
    stage,
    functions,
    ...defaultAlarm,
    exporterMaxLagHours: maxLag === '' ? 48 : positiveNumber(maxLag, 'param exporterMaxLagHours'),
  };
}

/**
 * @param {{ period: number, evaluationPeriods: number, datapointsToAlarm: number }} config
 * @param {string} id @param {Record<string, unknown>} properties
 */
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
        ...alarmActions(),
        ...properties,
      },
    },
  };
}

/** @param {Context} context */
async function resources(context) {
  const config = await settings(context);
  const { service, stage } = config;
  const prefix = `${service}-${stage}`;
  /** @type {Record<string, unknown>} */
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
          MetricName: stack.emfMetrics.deadLettered,
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
        MetricName: stack.emfMetrics.maxCheckpointLagSeconds,
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

module.exports = { resources };
