import type { RunSummary } from './context';

const SERVICE = 'exporter';

/**
 * CloudWatch Embedded Metric Format: each returned string is one JSON log line that CloudWatch
 * turns into metrics, so the function needs no PutMetricData permission or client.
 * One line with the run totals, one per group with its checkpoint lag (for a per-group alarm).
 */
export function metricLines(summary: RunSummary, namespace: string, now: number): string[] {
  const lags = Object.values(summary.lagMsByGroup);
  const totals = {
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [['Service']],
          Metrics: [
            { Name: 'WindowsExported', Unit: 'Count' },
            { Name: 'ExportFailures', Unit: 'Count' },
            { Name: 'StreamsPruned', Unit: 'Count' },
            { Name: 'RetentionChanges', Unit: 'Count' },
            { Name: 'RunErrors', Unit: 'Count' },
            { Name: 'MaxCheckpointLagSeconds', Unit: 'Seconds' },
          ],
        },
      ],
    },
    Service: SERVICE,
    WindowsExported: summary.windowsExported.length,
    ExportFailures: summary.failures.length,
    StreamsPruned: summary.streamsPruned,
    RetentionChanges: summary.dryRun ? 0 : summary.retentionChanges.length,
    RunErrors: summary.errors.length + (summary.fatal ? 1 : 0),
    MaxCheckpointLagSeconds: lags.length > 0 ? Math.round(Math.max(...lags) / 1000) : 0,
  };
  const perGroup = Object.entries(summary.lagMsByGroup).map(([logGroup, lagMs]) => ({
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [['Service', 'LogGroup']],
          Metrics: [{ Name: 'CheckpointLagSeconds', Unit: 'Seconds' }],
        },
      ],
    },
    Service: SERVICE,
    LogGroup: logGroup,
    CheckpointLagSeconds: Math.round(lagMs / 1000),
  }));
  return [totals, ...perGroup].map((doc) => JSON.stringify(doc));
}
