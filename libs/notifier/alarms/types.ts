export interface Dimension {
  name: string;
  value: string;
}

/** One metric an alarm reads (the single metric, or a MetricStat inside metric math). */
export interface MetricRef {
  namespace: string;
  name: string;
  dimensions: Dimension[];
  /** Statistic as sent: "SUM", "Sum", "p99"… */
  statistic?: string;
}

/**
 * One query of a metric-math alarm (CloudWatch's MetricDataQuery): a metric read under an id, or
 * an expression over those ids, with the label the alarm's author gave it.
 */
export interface MetricQuery {
  id: string;
  label?: string;
  expression?: string;
  metric?: MetricRef;
  /** The query the alarm compares (or, for an anomaly alarm, the band and the metric). */
  returnData?: boolean;
}

/**
 * Shapes of alarm notifications. `metric`: Trigger.MetricName; `metric-math`: Trigger.Metrics;
 * `anomaly`: metric math with a ThresholdMetricId band; `composite`: AlarmRule, no Trigger.
 */
export type AlarmKind = 'metric' | 'metric-math' | 'anomaly' | 'composite';

export interface AlarmTrigger {
  period?: number;
  evaluationPeriods?: number;
  datapointsToAlarm?: number;
  comparisonOperator?: string;
  threshold?: number;
  /** Id of the anomaly band expression, for anomaly detection alarms. */
  thresholdMetricId?: string;
  /** The band or math expression the alarm compares, when there is one. */
  expression?: string;
  treatMissingData?: string;
  metrics: MetricRef[];
  /** Every query of a metric-math or anomaly alarm, in the alarm's order (none for a single metric). */
  queries?: MetricQuery[];
}

export interface CompositeChild {
  arn: string;
  name: string;
  state?: string;
}

export interface AlarmNotification {
  kind: AlarmKind;
  name: string;
  description?: string;
  accountId?: string;
  arn?: string;
  /** Region code from the ARN ("ap-northeast-2"); the message's Region is a display name. */
  region?: string;
  partition: string;
  newState: string;
  oldState?: string;
  reason: string;
  stateChangeTime?: Date;
  trigger?: AlarmTrigger;
  rule?: string;
  triggeringChildren: CompositeChild[];
}

/** What an SNS message turned out to be. */
export type ParsedMessage =
  | { type: 'alarm'; alarm: AlarmNotification }
  /** Plain text, or JSON that is not an alarm: shown as-is (escaped, truncated). */
  | { type: 'other'; subject?: string; text: string; isJson: boolean };
