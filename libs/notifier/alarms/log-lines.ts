import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { AppError } from '../../runtime/errors';
import { breachWindow } from './breach-window';
import { type InsightsQuery, insightsQueryFor } from './insights-query';
import type { AlarmNotification, MetricRef } from './types';

export interface LogLine {
  timestamp: number;
  message: string;
  logStream?: string;
}

/** The lines behind one metric filter of the alarm, over the alarm's evaluation window. */
export interface LogLinesFound {
  metric: MetricRef;
  logGroup: string;
  filterPattern: string;
  window: { start: Date; end: Date };
  lines: LogLine[];
  /** More lines matched than were fetched. */
  more: boolean;
  insights: InsightsQuery;
}

export class LogLookupError extends AppError {}

export interface LogLookupOptions {
  maxLines: number;
  /** Stops the look-up when the invocation's time budget runs out. */
  abortSignal?: AbortSignal;
  /** Bounds FilterLogEvents paging (it can return empty pages while it scans). */
  maxPages?: number;
  /** Bounds how many filters are searched for one alarm. */
  maxFilters?: number;
}

type LogsClient = Pick<CloudWatchLogsClient, 'send'>;

/** Companion filters (empty pattern, value 0) keep the metric alive; they explain nothing. */
function isZeroFiller(pattern: string | undefined, value: string | undefined): boolean {
  return (pattern ?? '').trim() === '' || value === '0';
}

async function filtersFor(client: LogsClient, metric: MetricRef, signal?: AbortSignal) {
  const { DescribeMetricFiltersCommand } = await import('@aws-sdk/client-cloudwatch-logs');
  const out = await client.send(
    new DescribeMetricFiltersCommand({ metricName: metric.name, metricNamespace: metric.namespace }),
    { abortSignal: signal },
  );
  return (out.metricFilters ?? []).flatMap((filter) => {
    const transformation = filter.metricTransformations?.find(
      (t) => t.metricName === metric.name && t.metricNamespace === metric.namespace,
    );
    if (
      filter.logGroupName === undefined ||
      isZeroFiller(filter.filterPattern, transformation?.metricValue)
    ) {
      return [];
    }
    return [{ logGroup: filter.logGroupName, filterPattern: filter.filterPattern ?? '' }];
  });
}

async function eventsFor(
  client: LogsClient,
  logGroup: string,
  filterPattern: string,
  window: { start: Date; end: Date },
  limit: number,
  options: LogLookupOptions,
): Promise<{ lines: LogLine[]; more: boolean }> {
  const { FilterLogEventsCommand } = await import('@aws-sdk/client-cloudwatch-logs');
  const lines: LogLine[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < (options.maxPages ?? 5); page += 1) {
    const out = await client.send(
      new FilterLogEventsCommand({
        logGroupName: logGroup,
        filterPattern,
        startTime: window.start.getTime(),
        endTime: window.end.getTime(),
        limit: limit - lines.length,
        nextToken,
      }),
      { abortSignal: options.abortSignal },
    );
    for (const event of out.events ?? []) {
      if (lines.length < limit) {
        lines.push({
          timestamp: event.timestamp ?? 0,
          message: event.message ?? '',
          logStream: event.logStreamName,
        });
      }
    }
    nextToken = out.nextToken;
    if (nextToken === undefined) return { lines, more: false };
    if (lines.length >= limit) return { lines, more: true };
  }
  return { lines, more: nextToken !== undefined };
}

/**
 * For a metric-filter alarm: DescribeMetricFilters(metric) -> log group + pattern ->
 * FilterLogEvents over the periods the reason names (breach-window.ts). Returns one entry
 * per filter found (none for composite alarms or metrics that no filter publishes).
 */
export async function findLogLines(
  client: LogsClient,
  alarm: AlarmNotification,
  options: LogLookupOptions,
): Promise<LogLinesFound[]> {
  const window = breachWindow(alarm);
  const metrics = alarm.trigger?.metrics ?? [];
  if (window === undefined || metrics.length === 0 || options.maxLines <= 0) return [];
  const found: LogLinesFound[] = [];
  let budget = options.maxLines;
  try {
    for (const metric of metrics) {
      for (const { logGroup, filterPattern } of await filtersFor(client, metric, options.abortSignal)) {
        if (found.length >= (options.maxFilters ?? 3) || budget <= 0) return found;
        const { lines, more } = await eventsFor(client, logGroup, filterPattern, window, budget, options);
        budget -= lines.length;
        found.push({
          metric,
          logGroup,
          filterPattern,
          window,
          lines,
          more,
          insights: insightsQueryFor(filterPattern),
        });
      }
    }
  } catch (cause) {
    throw new LogLookupError(`log line look-up failed for alarm ${alarm.name}`, { cause });
  }
  return found;
}
