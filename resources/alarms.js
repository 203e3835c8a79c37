// @ts-check
'use strict';

/**
 * Expands resources/alarms.yml (serverless.yml `custom.alarms`) into metric filters and alarms:
 * for each watched log group and pattern, a filter counting matching lines, a zero-value
 * companion, and an alarm on the count. Nothing to configure here: edit alarms.yml.
 */

const { params, positiveNumber } = require('./lib/params');
const { logicalId, alarmActions } = require('./lib/cfn');

/** @typedef {import('./lib/params').Context} Context */
/** @typedef {{ period: number, threshold: number, evaluationPeriods: number, datapointsToAlarm: number }} AlarmSettings */
/** @typedef {{ name: string, patterns: string[], alarm: AlarmSettings, dependsOn?: string | string[] }} WatchedGroup */

const ALARM_KEYS = /** @type {const} */ (['period', 'threshold', 'evaluationPeriods', 'datapointsToAlarm']);

/** @param {unknown} value @returns {Record<string, any>} */
const record = (value) => (value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {});

/**
 * @param {Record<string, unknown>} source @param {Record<string, unknown>} defaults @param {string} where
 * @returns {AlarmSettings}
 */
function alarmSettingsOf(source, defaults, where) {
  const [period, threshold, evaluationPeriods, datapointsToAlarm] = ALARM_KEYS.map((key) =>
    positiveNumber(source[key] ?? defaults[key], `${where} ${key}`),
  );
  const alarm = {
    period: /** @type {number} */ (period),
    threshold: /** @type {number} */ (threshold),
    evaluationPeriods: /** @type {number} */ (evaluationPeriods),
    datapointsToAlarm: /** @type {number} */ (datapointsToAlarm),
  };
  if (alarm.datapointsToAlarm > alarm.evaluationPeriods)
    throw new Error(
      `${where}: datapointsToAlarm (${alarm.datapointsToAlarm}) > evaluationPeriods (${alarm.evaluationPeriods})`,
    );
  return alarm;
}

/**
 * alarms.yml for the stage being packaged, validated: patterns, defaults (the stage's merged
 * over the file's), log groups (the file's, then the stage's).
 * @param {Context} context
 */
async function alarmSettings(context) {
  const { service, stage } = await params(context).serviceAndStage();
  const file = record(await context.resolveVariable('self:custom.alarms'));
  const forStage = record(record(file.stages)[stage]);
  /** @type {Record<string, string>} */
  const patterns = record(file.patterns);
  for (const [key, pattern] of Object.entries(patterns))
    if (typeof pattern !== 'string') throw new Error(`alarms.yml patterns.${key} must be a string`);
  const defaults = { ...record(file.defaults), ...record(forStage.defaults) };
  const defaultAlarm = alarmSettingsOf({}, defaults, 'alarms.yml defaults');
  const entries = [...(file.logGroups || []), ...(forStage.logGroups || [])];
  /** @type {WatchedGroup[]} */
  const logGroups = entries.map((entry) => {
    const group = typeof entry === 'string' ? { name: entry } : record(entry);
    if (typeof group.name !== 'string' || group.name === '')
      throw new Error(`alarms.yml logGroups entry needs a name: ${JSON.stringify(entry)}`);
    const keys = group.patterns ?? Object.keys(patterns);
    for (const key of keys)
      if (patterns[key] === undefined)
        throw new Error(`alarms.yml logGroups ${group.name}: unknown pattern "${key}"`);
    return {
      name: group.name,
      patterns: keys,
      alarm: alarmSettingsOf(group, defaults, `alarms.yml logGroups ${group.name}`),
      dependsOn: group.dependsOn,
    };
  });
  return { service, stage, patterns, defaultAlarm, logGroups };
}

/** The last path segment of a log group name, for metric and alarm names people read. @param {string} logGroupName */
function shortName(logGroupName) {
  const segments = logGroupName.split('/').filter(Boolean);
  return segments[segments.length - 1] || logicalId(logGroupName);
}

/** One metric filter, its zero-value companion, and the alarm on the metric they feed. */
function resourcesForPattern(
  /** @type {{ service: string, stage: string, patterns: Record<string, string> }} */ config,
  /** @type {WatchedGroup} */ group,
  /** @type {string} */ key,
) {
  const { service, stage } = config;
  const pattern = /** @type {string} */ (config.patterns[key]);
  const id = `${logicalId(group.name)}${logicalId(key)}`;
  const namespace = `${service}/${stage}`;
  const short = shortName(group.name);
  const metricName = `${short}-${key}`.slice(0, 255);
  const prefix = `${service}-${stage}-`;
  /** @param {string} value */
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
        FilterPattern: pattern,
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
        // Prefixed with service and stage unless the group's name already is.
        AlarmName: `${short.startsWith(prefix) ? short : prefix + short}-${key}`.slice(0, 255),
        AlarmDescription: `Lines matching ${pattern} in ${group.name}`.slice(0, 1024),
        Namespace: namespace,
        MetricName: metricName,
        Statistic: 'Sum',
        Period: group.alarm.period,
        EvaluationPeriods: group.alarm.evaluationPeriods,
        DatapointsToAlarm: group.alarm.datapointsToAlarm,
        Threshold: group.alarm.threshold,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        ...alarmActions({ insufficientData: true }),
      },
    },
  };
}

/** @param {Context} context */
async function resources(context) {
  const config = await alarmSettings(context);
  /** @type {Record<string, unknown>} */
  const Resources = {};
  for (const group of config.logGroups)
    for (const key of group.patterns) Object.assign(Resources, resourcesForPattern(config, group, key));
  return { Resources };
}

module.exports = { resources, alarmSettings };
