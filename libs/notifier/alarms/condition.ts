import type { AlarmNotification, AlarmTrigger, MetricQuery, MetricRef } from './types';

const OPERATORS: Record<string, string> = {
  GreaterThanOrEqualToThreshold: '>=',
  GreaterThanThreshold: '>',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '<=',
};

const BAND_OPERATORS: Record<string, string> = {
  LessThanLowerOrGreaterThanUpperThreshold: 'outside the band',
  GreaterThanUpperThreshold: 'above the band',
  LessThanLowerThreshold: 'below the band',
};

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

/** 60 -> "1 minute", 300 -> "5 minutes", 3600 -> "1 hour", 90 -> "90 seconds". */
export function describeSeconds(seconds: number): string {
  if (seconds > 0 && seconds % 86400 === 0) return plural(seconds / 86400, 'day');
  if (seconds > 0 && seconds % 3600 === 0) return plural(seconds / 3600, 'hour');
  if (seconds > 0 && seconds % 60 === 0) return plural(seconds / 60, 'minute');
  return plural(seconds, 'second');
}

function comparison(trigger: AlarmTrigger): string {
  const op = trigger.comparisonOperator ?? '';
  const symbol = OPERATORS[op];
  if (symbol !== undefined) return `${symbol} ${trigger.threshold ?? '?'}`;
  const band = BAND_OPERATORS[op];
  if (band !== undefined) return trigger.expression ? `${band} ${trigger.expression}` : band;
  return op === '' ? 'condition' : op;
}

/**
 * The condition in words, e.g. ">= 1 for 1 of 1 periods of 1 minute". Composite alarms have a
 * rule instead; a trigger without the numbers still says what it can.
 */
export function describeCondition(alarm: AlarmNotification): string | undefined {
  if (alarm.kind === 'composite') return alarm.rule;
  const trigger = alarm.trigger;
  if (trigger === undefined) return undefined;
  const evaluation = trigger.evaluationPeriods;
  const datapoints = trigger.datapointsToAlarm ?? evaluation;
  const parts = [comparison(trigger)];
  if (evaluation !== undefined) parts.push(`for ${datapoints} of ${evaluation} periods`);
  if (trigger.period !== undefined)
    parts.push(
      `${evaluation === undefined ? 'in periods' : ''} of ${describeSeconds(trigger.period)}`.trim(),
    );
  return parts.join(' ');
}

/** "Sum of logpipe/dev ErrorCount (FunctionName=x)". */
export function describeMetric(metric: MetricRef): string {
  const stat = metric.statistic
    ? `${metric.statistic[0]?.toUpperCase()}${metric.statistic.slice(1).toLowerCase()}`
    : '';
  const dims = metric.dimensions.map((d) => `${d.name}=${d.value}`).join(', ');
  const base = `${metric.namespace} ${metric.name}${dims ? ` (${dims})` : ''}`;
  // Percentiles ("p99") keep their case; SUM/Average become "Sum"/"Average".
  const statistic = metric.statistic && /^[a-z]{1,3}\d/i.test(metric.statistic) ? metric.statistic : stat;
  return statistic ? `${statistic} of ${base}` : base;
}

/** The evaluation window the alarm looked at: period x evaluation periods, ending at the change. */
export function evaluationWindow(alarm: AlarmNotification): { start: Date; end: Date } | undefined {
  const end = alarm.stateChangeTime;
  const period = alarm.trigger?.period;
  if (end === undefined || period === undefined) return undefined;
  const periods = alarm.trigger?.evaluationPeriods ?? 1;
  return { start: new Date(end.getTime() - period * periods * 1000), end };
}

/** One line of what a metric-math or anomaly alarm compares. */
export interface ComparedQuery {
  query: MetricQuery;
  /** `compared`: the series held against the threshold or band; `band`: the anomaly band; `input`: read by the others. */
  role: 'compared' | 'band' | 'input';
  /** For the compared series: "> 5", "outside the band". */
  comparison?: string;
  /** The band's id, when the compared series is held against a band. */
  against?: string;
  /** For the band: its width in standard deviations (ANOMALY_DETECTION_BAND's second argument, 2 by default). */
  deviations?: number;
}

function bandDeviations(expression: string | undefined): number | undefined {
  const match = /^\s*ANOMALY_DETECTION_BAND\s*\(\s*[^,()]+?\s*(?:,\s*([0-9.]+)\s*)?\)\s*$/i.exec(
    expression ?? '',
  );
  if (match === null) return undefined;
  return match[1] === undefined ? 2 : Number(match[1]);
}

/**
 * What a metric-math or anomaly alarm compares, compared series first: the expression with its
 * label held against the threshold (or the metric held against the band), then the band, then
 * every input by id. Undefined for single-metric and composite alarms (nothing to spell out).
 */
export function describeComparison(alarm: AlarmNotification): ComparedQuery[] | undefined {
  const trigger = alarm.trigger;
  const queries = trigger?.queries;
  if (trigger === undefined || queries === undefined || queries.length === 0) return undefined;
  const bandId = trigger.thresholdMetricId;
  const returned = queries.filter((query) => query.returnData !== false && query.id !== bandId);
  // The series compared: the one query returned besides the band; failing that (ReturnData left
  // out), the expression the trigger names, else the first query.
  const compared =
    (returned.length === 1 ? returned[0] : undefined) ??
    queries.find(
      (query) => query.id !== bandId && query.expression === trigger.expression && query.expression,
    ) ??
    queries.find((query) => query.id !== bandId);
  const op = trigger.comparisonOperator ?? '';
  const comparison =
    OPERATORS[op] !== undefined ? `${OPERATORS[op]} ${trigger.threshold ?? '?'}` : BAND_OPERATORS[op];
  const lines: ComparedQuery[] = [];
  if (compared !== undefined)
    lines.push({
      query: compared,
      role: 'compared',
      comparison,
      against: BAND_OPERATORS[op] ? bandId : undefined,
    });
  const band = queries.find((query) => query.id === bandId);
  if (band !== undefined)
    lines.push({ query: band, role: 'band', deviations: bandDeviations(band.expression) });
  for (const query of queries) if (query !== compared && query !== band) lines.push({ query, role: 'input' });
  return lines;
}
