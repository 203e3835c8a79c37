import { parseArn } from './arn';
import { isObject, type Json, list, num, parseStateChangeTime, text } from './json-fields';
import type {
  AlarmKind,
  AlarmNotification,
  AlarmTrigger,
  CompositeChild,
  MetricQuery,
  MetricRef,
} from './types';

/**
 * The event CloudWatch sends when an alarm invokes a Lambda function directly (an alarm action
 * with no SNS topic): `{source: "aws.cloudwatch", alarmArn, accountId, time, region, alarmData:
 * {alarmName, state, previousState, configuration}}`. EventBridge's "CloudWatch Alarm State
 * Change" event carries the same `alarmData` as `detail` (ARN in `resources`). Both become the
 * AlarmNotification an SNS alarm notification gives, so the message and its keys are the same:
 * the ARN and `state.timestamp`, the time of the state change (SNS's StateChangeTime).
 *
 * What the payload lacks: the threshold, the operator and the evaluation periods are not part of
 * `configuration`. They are taken from what CloudWatch writes about the evaluation:
 * `state.reasonData` (JSON text: `threshold`, `period`, `recentUpperThresholds`…) and the reason
 * ("… 2 out of the last 3 datapoints … was greater than or equal to the threshold (5.0)
 * (minimum 2 datapoints for OK -> ALARM transition)."); what neither says stays unknown.
 */

interface ActionEnvelope {
  arn?: string;
  accountId?: string;
  region?: string;
  time?: unknown;
  data: Json;
}

function envelopeOf(raw: Json): ActionEnvelope | undefined {
  if (raw.source !== 'aws.cloudwatch') return undefined;
  if (isObject(raw.alarmData)) {
    return {
      arn: text(raw.alarmArn),
      accountId: text(raw.accountId),
      region: text(raw.region),
      time: raw.time,
      data: raw.alarmData,
    };
  }
  if (raw['detail-type'] === 'CloudWatch Alarm State Change' && isObject(raw.detail)) {
    return {
      arn: text(list(raw.resources)[0]),
      accountId: text(raw.account),
      region: text(raw.region),
      time: raw.time,
      data: raw.detail,
    };
  }
  return undefined;
}

/** `reasonData` is JSON written into a string. */
function reasonData(state: Json | undefined): Json {
  const raw = state?.reasonData;
  if (isObject(raw)) return raw;
  if (typeof raw !== 'string') return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    return isObject(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

function metricOf(entry: Json): MetricRef | undefined {
  const stat = isObject(entry.metricStat) ? entry.metricStat : undefined;
  const metric = stat && isObject(stat.metric) ? stat.metric : undefined;
  const name = text(metric?.name);
  const namespace = text(metric?.namespace);
  if (metric === undefined || name === undefined || namespace === undefined) return undefined;
  // Dimensions are a map here ({"FunctionName": "x"}), a list of {name, value} in SNS messages.
  const dimensions = isObject(metric.dimensions)
    ? Object.entries(metric.dimensions).flatMap(([dimension, value]) =>
        typeof value === 'string' ? [{ name: dimension, value }] : [],
      )
    : [];
  return { name, namespace, dimensions, statistic: text(stat?.stat) };
}

// The reason's words for the comparison, as CloudWatch writes them (OK reasons say "was not …").
const THRESHOLD_WORDS = /(?:was|were) (?:not )?(greater|less) than (or equal to )?the threshold \(([^)]+)\)/;
const BAND_WORDS: Array<[RegExp, string]> = [
  [
    /greater than the upper thresholds? or less than the lower thresholds?/,
    'LessThanLowerOrGreaterThanUpperThreshold',
  ],
  [/greater than the upper thresholds?/, 'GreaterThanUpperThreshold'],
  [/less than the lower thresholds?/, 'LessThanLowerThreshold'],
];

function comparisonFromReason(reason: string): { operator?: string; threshold?: number } {
  const match = THRESHOLD_WORDS.exec(reason);
  if (match !== null) {
    const direction = match[1] === 'greater' ? 'GreaterThan' : 'LessThan';
    return {
      operator: `${direction}${match[2] ? 'OrEqualTo' : ''}Threshold`,
      threshold: num(match[3]),
    };
  }
  const band = BAND_WORDS.find(([words]) => words.test(reason));
  return band === undefined ? {} : { operator: band[1] };
}

/**
 * Evaluation periods and datapoints to alarm, from "M out of the last N datapoints … (minimum D
 * datapoints for OK -> ALARM transition)" in this reason or the previous one (an OK's own reason
 * gives the minimum for ALARM -> OK instead). Both or neither: N alone would read as "N of N".
 */
function evaluationFromReasons(reasons: string[]): {
  evaluationPeriods?: number;
  datapointsToAlarm?: number;
} {
  for (const reason of reasons) {
    const evaluated = /out of the last (\d+) datapoints?/.exec(reason);
    const minimum = /\(minimum (\d+) datapoints? for [A-Z_]+ -> ALARM transition\)/.exec(reason);
    if (evaluated !== null && minimum !== null)
      return { evaluationPeriods: Number(evaluated[1]), datapointsToAlarm: Number(minimum[1]) };
  }
  return {};
}

function metricTrigger(
  entries: Json[],
  state: Json | undefined,
  previous: Json | undefined,
): { kind: AlarmKind; trigger: AlarmTrigger } {
  const queries: MetricQuery[] = entries.flatMap((entry) => {
    const id = text(entry.id);
    if (id === undefined) return [];
    return [
      {
        id,
        label: text(entry.label),
        expression: text(entry.expression),
        metric: metricOf(entry),
        returnData: typeof entry.returnData === 'boolean' ? entry.returnData : undefined,
      },
    ];
  });
  const metrics = queries.flatMap((query) => query.metric ?? []);
  const band = queries.find((query) => /^\s*ANOMALY_DETECTION_BAND\s*\(/i.test(query.expression ?? ''));
  const returned = queries.find((query) => query.returnData === true && query.expression !== undefined);
  const reason = text(state?.reason) ?? '';
  const data = reasonData(state);
  const fromReason = comparisonFromReason(reason);
  const statPeriod = entries
    .map((entry) => (isObject(entry.metricStat) ? num(entry.metricStat.period) : undefined))
    .find((period) => period !== undefined);
  const trigger: AlarmTrigger = {
    period: num(data.period) ?? statPeriod,
    ...evaluationFromReasons([reason, text(previous?.reason) ?? '']),
    comparisonOperator: fromReason.operator,
    threshold: band === undefined ? (num(data.threshold) ?? fromReason.threshold) : undefined,
    thresholdMetricId: band?.id,
    expression: band?.expression ?? returned?.expression,
    metrics,
  };
  const single = queries.length === 1 && queries[0]!.metric !== undefined;
  if (single) return { kind: 'metric', trigger };
  return { kind: band === undefined ? 'metric-math' : 'anomaly', trigger: { ...trigger, queries } };
}

function triggeringChildren(state: Json | undefined): CompositeChild[] {
  return list(reasonData(state).triggeringAlarms).flatMap((item) => {
    if (!isObject(item)) return [];
    const arn = text(item.arn);
    if (arn === undefined) return [];
    const resource = parseArn(arn)?.resource ?? arn;
    const name = resource.startsWith('alarm:') ? resource.slice('alarm:'.length) : resource;
    return [{ arn, name, state: isObject(item.state) ? text(item.state.value) : undefined }];
  });
}

/** The alarm an alarm action's event (or EventBridge's state change event) reports, if it is one. */
export function parseAlarmActionEvent(raw: Json): AlarmNotification | undefined {
  const envelope = envelopeOf(raw);
  if (envelope === undefined) return undefined;
  const { data } = envelope;
  const state = isObject(data.state) ? data.state : undefined;
  const previous = isObject(data.previousState) ? data.previousState : undefined;
  const name = text(data.alarmName);
  const newState = text(state?.value);
  if (name === undefined || newState === undefined) return undefined;
  const configuration = isObject(data.configuration) ? data.configuration : {};
  const arnParts = parseArn(envelope.arn);
  const rule = text(configuration.alarmRule);
  const entries = list(configuration.metrics).filter(isObject);
  const parsed =
    rule === undefined && entries.length > 0 ? metricTrigger(entries, state, previous) : undefined;
  return {
    kind: rule !== undefined ? 'composite' : (parsed?.kind ?? 'metric'),
    name,
    description: text(configuration.description),
    accountId: envelope.accountId ?? arnParts?.accountId,
    arn: envelope.arn,
    region: arnParts?.region || envelope.region,
    partition: arnParts?.partition ?? 'aws',
    newState,
    oldState: text(previous?.value),
    reason: text(state?.reason) ?? '',
    stateChangeTime: parseStateChangeTime(state?.timestamp) ?? parseStateChangeTime(envelope.time),
    trigger: parsed?.trigger,
    rule,
    triggeringChildren: rule === undefined ? [] : triggeringChildren(state),
  };
}
