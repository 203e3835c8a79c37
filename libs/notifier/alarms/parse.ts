import { parseAlarmActionEvent } from './alarm-action';
import { parseArn } from './arn';
import { isObject, type Json, list, num, parseStateChangeTime, text } from './json-fields';
import type {
  AlarmKind,
  AlarmNotification,
  AlarmTrigger,
  CompositeChild,
  Dimension,
  MetricQuery,
  MetricRef,
  ParsedMessage,
} from './types';

export { parseStateChangeTime } from './json-fields';

/** `TreatMissingData` has been seen as "- TreatMissingData: missing"; keep only the value. */
function treatMissingData(value: unknown): string | undefined {
  const raw = text(value);
  if (raw === undefined) return undefined;
  const word = /([A-Za-z]+)\s*$/.exec(raw)?.[1];
  return word;
}

export function dimensions(value: unknown): Dimension[] {
  return list(value).flatMap((item) => {
    if (!isObject(item)) return [];
    const name = text(item.name) ?? text(item.Name);
    const val = text(item.value) ?? text(item.Value);
    return name !== undefined && val !== undefined ? [{ name, value: val }] : [];
  });
}

function metricStat(entry: Json): MetricRef | undefined {
  const stat = isObject(entry.MetricStat) ? entry.MetricStat : undefined;
  const metric = stat && isObject(stat.Metric) ? stat.Metric : undefined;
  const name = text(metric?.MetricName);
  const namespace = text(metric?.Namespace);
  if (metric === undefined || name === undefined || namespace === undefined) return undefined;
  return { name, namespace, dimensions: dimensions(metric.Dimensions), statistic: text(stat?.Stat) };
}

function metricQuery(entry: Json): MetricQuery | undefined {
  const id = text(entry.Id);
  if (id === undefined) return undefined;
  return {
    id,
    label: text(entry.Label),
    expression: text(entry.Expression),
    metric: metricStat(entry),
    returnData: typeof entry.ReturnData === 'boolean' ? entry.ReturnData : undefined,
  };
}

function parseTrigger(raw: Json): { kind: AlarmKind; trigger: AlarmTrigger } {
  const common = {
    period: num(raw.Period),
    evaluationPeriods: num(raw.EvaluationPeriods),
    datapointsToAlarm: num(raw.DatapointsToAlarm),
    comparisonOperator: text(raw.ComparisonOperator),
    threshold: num(raw.Threshold),
    treatMissingData: treatMissingData(raw.TreatMissingData),
  };
  const name = text(raw.MetricName);
  const namespace = text(raw.Namespace);
  if (name !== undefined && namespace !== undefined) {
    const statistic = text(raw.ExtendedStatistic) ?? text(raw.Statistic);
    const metric = { name, namespace, dimensions: dimensions(raw.Dimensions), statistic };
    return { kind: 'metric', trigger: { ...common, metrics: [metric] } };
  }
  const entries = list(raw.Metrics).filter(isObject);
  const metrics = entries.flatMap((entry) => metricStat(entry) ?? []);
  const thresholdMetricId = text(raw.ThresholdMetricId);
  const band = entries.find((entry) => thresholdMetricId !== undefined && entry.Id === thresholdMetricId);
  const returned = entries.find((entry) => entry.ReturnData === true && text(entry.Expression) !== undefined);
  const expression = text(band?.Expression) ?? text(returned?.Expression);
  // Metric-math alarms may leave Period out of the trigger; the MetricStat carries it.
  const statPeriod = entries
    .map((entry) => (isObject(entry.MetricStat) ? num(entry.MetricStat.Period) : undefined))
    .find((period) => period !== undefined);
  const queries = entries.flatMap((entry) => metricQuery(entry) ?? []);
  const trigger = {
    ...common,
    period: common.period ?? statPeriod,
    thresholdMetricId,
    expression,
    metrics,
    queries,
  };
  return { kind: thresholdMetricId !== undefined ? 'anomaly' : 'metric-math', trigger };
}

function children(value: unknown): CompositeChild[] {
  return list(value).flatMap((item) => {
    if (!isObject(item)) return [];
    const arn = text(item.Arn);
    if (arn === undefined) return [];
    const resource = parseArn(arn)?.resource ?? arn;
    const name = resource.startsWith('alarm:') ? resource.slice('alarm:'.length) : resource;
    const state = isObject(item.State) ? text(item.State.Value) : undefined;
    return [{ arn, name, state }];
  });
}

/** An alarm notification needs at least a name and a new state; everything else is optional. */
export function parseAlarm(raw: Json): AlarmNotification | undefined {
  const name = text(raw.AlarmName);
  const newState = text(raw.NewStateValue);
  if (name === undefined || newState === undefined) return undefined;
  const arn = text(raw.AlarmArn);
  const arnParts = parseArn(arn);
  const rule = text(raw.AlarmRule);
  const parsedTrigger = isObject(raw.Trigger) ? parseTrigger(raw.Trigger) : undefined;
  const kind: AlarmKind =
    rule !== undefined && parsedTrigger === undefined ? 'composite' : (parsedTrigger?.kind ?? 'metric');
  return {
    kind,
    name,
    description: text(raw.AlarmDescription),
    accountId: text(raw.AWSAccountId) ?? arnParts?.accountId,
    arn,
    region: arnParts?.region || undefined,
    partition: arnParts?.partition ?? 'aws',
    newState,
    oldState: text(raw.OldStateValue),
    reason: text(raw.NewStateReason) ?? '',
    stateChangeTime: parseStateChangeTime(raw.StateChangeTime),
    trigger: parsedTrigger?.trigger,
    rule,
    triggeringChildren: children(raw.TriggeringChildren),
  };
}

/** Never throws: whatever was published to the topic becomes something we can show. */
export function parseSnsMessage(message: unknown, subject?: string): ParsedMessage {
  const body = typeof message === 'string' ? message : JSON.stringify(message ?? '');
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { type: 'other', subject, text: body, isJson: false };
  }
  // An SNS notification's alarm, or an alarm action's event handed over whole (no SNS envelope).
  const alarm = isObject(json) ? (parseAlarm(json) ?? parseAlarmActionEvent(json)) : undefined;
  if (alarm !== undefined) return { type: 'alarm', alarm };
  const pretty = isObject(json) || Array.isArray(json) ? JSON.stringify(json, null, 2) : body;
  return { type: 'other', subject, text: pretty, isJson: isObject(json) || Array.isArray(json) };
}
