import { emfLine, METRICS_NAMESPACE } from '../runtime/metrics';
import { EMF_METRICS } from '../runtime/stack-constants';
import type { RunSummary } from './context';

/**
 * The run's metrics as EMF lines (libs/runtime/metrics.ts), under the service's dimensions
 * (Service = <service>-<stage>, Function = exporter): one line with the run totals, one per
 * group with its checkpoint lag (for a per-group alarm).
 */
export function metricLines(summary: RunSummary, dimensions: Record<string, string>, now: number): string[] {
  const lags = Object.values(summary.lagMsByGroup);
  const totals = emfLine(
    METRICS_NAMESPACE,
    dimensions,
    {
      WindowsExported: summary.windowsExported.length,
      FollowUpExports: summary.followUpsExported.length,
      ExportFailures: summary.failures.length,
      StreamsPruned: summary.streamsPruned,
      RetentionChanges: summary.dryRun ? 0 : summary.retentionChanges.length,
      RunErrors: summary.errors.length + (summary.fatal ? 1 : 0),
      [EMF_METRICS.maxCheckpointLagSeconds]: lags.length > 0 ? Math.round(Math.max(...lags) / 1000) : 0,
    },
    now,
    { [EMF_METRICS.maxCheckpointLagSeconds]: 'Seconds' },
  );
  const perGroup = Object.entries(summary.lagMsByGroup).map(([logGroup, lagMs]) =>
    emfLine(
      METRICS_NAMESPACE,
      { ...dimensions, LogGroup: logGroup },
      { CheckpointLagSeconds: Math.round(lagMs / 1000) },
      now,
      { CheckpointLagSeconds: 'Seconds' },
    ),
  );
  return [totals, ...perGroup];
}
