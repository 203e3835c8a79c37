// @ts-check
'use strict';

/**
 * Expands resources/metric-alarms.yml (serverless.yml `custom.metricAlarms`) into the stack's
 * metric alarms: one per entry, or one per function, on-failure queue or stream it is `for`.
 * Nothing to configure here: edit metric-alarms.yml. Generated from the functions declared in
 * serverless.yml, so a new function is watched without an edit. Referenced from serverless.yml:
 *   resources: - ${file(./resources/metric-alarms.js):resources}
 *
 * Period, evaluation periods and datapoints default to the `defaults` of resources/alarms.yml.
 */

const { params } = require('./lib/params');
const { logicalId, alarmActions } = require('./lib/cfn');
const { alarmSettings } = require('./alarms');
const { onFailureQueues } = require('./failure-queues');
const { streamSettings } = require('./forwarder');
const stack = require('../libs/runtime/stack-constants.json');

/** @typedef {import('./lib/params').Context} Context */
/** @typedef {Record<string, string>} Names the {placeholder} values of one alarm */
/**
 * @typedef {{ for: string, id: string, name: string, description: string, namespace?: string,
 *   metric?: string, dimensions?: Record<string, unknown>, emfMetric?: string, statistic: string,
 *   comparison: string, threshold: number | ThresholdFromParam, period?: number,
 *   evaluationPeriods?: number, datapointsToAlarm?: number }} AlarmEntry
 * @typedef {{ param: string, times?: number, plus?: number, ifUnset?: number }} ThresholdFromParam
 */

const FUNCTION_KEYS = ['forwarder', 'splitter', 'notifier', 'exporter', 'subscriber'];
const TARGETS = ['everyFunction', 'everyFailureQueue', 'kinesisStream', 'firehose', ...FUNCTION_KEYS];
const STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'];
const COMPARISONS = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
];

/** @param {unknown} value @returns {Record<string, any>} */
const record = (value) => (value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {});

/**
 * One entry of the file, checked: a mistake fails packaging and names the entry.
 * @param {unknown} raw @param {number} index @returns {AlarmEntry}
 */
function checkedEntry(raw, index) {
  const entry = record(raw);
  const where = `metric-alarms.yml alarms[${index}]${typeof entry.id === 'string' ? ` (${entry.id})` : ''}`;
  for (const key of ['for', 'id', 'name', 'description', 'statistic', 'comparison'])
    if (typeof entry[key] !== 'string' || entry[key] === '') throw new Error(`${where}: ${key} must be set`);
  if (!TARGETS.includes(entry.for))
    throw new Error(`${where}: for must be one of ${TARGETS.join(', ')}, got "${entry.for}"`);
  if (!STATISTICS.includes(entry.statistic))
    throw new Error(`${where}: statistic must be one of ${STATISTICS.join(', ')}`);
  if (!COMPARISONS.includes(entry.comparison))
    throw new Error(`${where}: comparison must be one of ${COMPARISONS.join(', ')}`);
  if (entry.emfMetric !== undefined) {
    if (!(entry.emfMetric in stack.emfMetrics))
      throw new Error(
        `${where}: emfMetric must be one of ${Object.keys(stack.emfMetrics).join(', ')} (libs/runtime/stack-constants.json)`,
      );
    if (entry.namespace !== undefined || entry.metric !== undefined || entry.dimensions !== undefined)
      throw new Error(`${where}: emfMetric brings its namespace, metric and dimensions; give none`);
  } else if (typeof entry.namespace !== 'string' || typeof entry.metric !== 'string')
    throw new Error(`${where}: give namespace and metric, or emfMetric`);
  const threshold = entry.threshold;
  if (typeof threshold !== 'number' && typeof record(threshold).param !== 'string')
    throw new Error(`${where}: threshold must be a number or { param, times, plus, ifUnset }`);
  return /** @type {AlarmEntry} */ (entry);
}

/** Replaces each {placeholder} in every string of a value. @param {unknown} value @param {Names} names @returns {any} */
function filledIn(value, names) {
  if (typeof value === 'string')
    return value.replace(/\{(\w+)\}/g, (whole, key) => {
      if (names[key] === undefined) throw new Error(`metric-alarms.yml: no {${key}} in "${value}"`);
      return names[key];
    });
  if (Array.isArray(value)) return value.map((item) => filledIn(item, names));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, filledIn(item, names)]));
  return value;
}

/**
 * A threshold of the file: a number, or a param's value scaled (`ifUnset` when the param is '').
 * @param {AlarmEntry} entry @param {Context} context @returns {Promise<{ value: number, param?: string }>}
 */
async function thresholdOf(entry, context) {
  if (typeof entry.threshold === 'number') return { value: entry.threshold };
  const { param: name, times = 1, plus = 0, ifUnset } = entry.threshold;
  const text = await params(context).text(name);
  const number = text === '' && ifUnset !== undefined ? ifUnset : Number(text);
  if (text === '' && ifUnset === undefined) throw new Error(`param ${name} must be set (alarm ${entry.id})`);
  if (!Number.isFinite(number) || number < 0)
    throw new Error(`param ${name} must be a number of at least 0, got "${text}" (alarm ${entry.id})`);
  return { value: number * times + plus, param: String(number) };
}

/**
 * What each `for` means in this stage: the {placeholder} values of every alarm it makes.
 * @param {Context} context @returns {Promise<Record<string, Names[]>>}
 */
async function watched(context) {
  const { service, stage } = await params(context).serviceAndStage();
  const prefix = `${service}-${stage}`;
  const functions = /** @type {Record<string, { name?: string }>} */ (
    (await context.resolveVariable('self:functions')) || {}
  );
  /** @type {Names[]} */
  const everyFunction = Object.entries(functions).map(([key, fn]) => ({
    prefix,
    function: key,
    Function: logicalId(key),
    name: (fn && fn.name) || `${prefix}-${key}`,
  }));
  /** @type {Record<string, Names[]>} */
  const targets = {
    everyFunction,
    everyFailureQueue: onFailureQueues(functions).map((queue) => ({ prefix, queue })),
    kinesisStream: [],
    firehose: [{ prefix }],
  };
  for (const key of FUNCTION_KEYS) targets[key] = everyFunction.filter((names) => names.function === key);
  const stream = functions.forwarder ? await streamSettings(context) : undefined;
  if (stream !== undefined) {
    const name = stream.streamArn.slice(stream.streamArn.indexOf(':stream/') + ':stream/'.length);
    targets.kinesisStream = [{ prefix, stream: name, Stream: logicalId(name) }];
  }
  return targets;
}

/** @param {Context} context */
async function resources(context) {
  const file = record(await context.resolveVariable('self:custom.metricAlarms'));
  if (!Array.isArray(file.alarms)) throw new Error('metric-alarms.yml: alarms must be a list');
  const entries = file.alarms.map(checkedEntry);
  const { defaultAlarm } = await alarmSettings(context);
  const targets = await watched(context);
  /** @type {Record<string, unknown>} */
  const Resources = {};
  for (const entry of entries) {
    const threshold = await thresholdOf(entry, context);
    for (const target of targets[entry.for] || []) {
      /** @type {Names} */
      const names = { ...target, ...(threshold.param === undefined ? {} : { param: threshold.param }) };
      const id = filledIn(entry.id, names);
      if (Resources[id] !== undefined) throw new Error(`metric-alarms.yml: two alarms are ${id}`);
      const metric =
        entry.emfMetric === undefined
          ? {
              Namespace: entry.namespace,
              MetricName: entry.metric,
              Dimensions: Object.entries(filledIn(entry.dimensions ?? {}, names)).map(([Name, Value]) => ({
                Name,
                Value,
              })),
            }
          : {
              Namespace: stack.metricsNamespace,
              MetricName: /** @type {Record<string, string>} */ (stack.emfMetrics)[entry.emfMetric],
              Dimensions: [
                { Name: stack.emfDimensions.service, Value: names.prefix },
                { Name: stack.emfDimensions.function, Value: names.function },
              ],
            };
      Resources[id] = {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          AlarmName: filledIn(entry.name, names),
          AlarmDescription: filledIn(entry.description, names),
          ...metric,
          Statistic: entry.statistic,
          Period: entry.period ?? defaultAlarm.period,
          EvaluationPeriods: entry.evaluationPeriods ?? defaultAlarm.evaluationPeriods,
          DatapointsToAlarm: entry.datapointsToAlarm ?? defaultAlarm.datapointsToAlarm,
          Threshold: threshold.value,
          ComparisonOperator: entry.comparison,
          TreatMissingData: 'notBreaching',
          ...alarmActions(),
        },
      };
    }
  }
  return { Resources };
}

module.exports = { resources };
