import type { LogSink } from './logger';
import { EMF_DIMENSIONS, METRICS_NAMESPACE } from './stack-constants';

/**
 * CloudWatch Embedded Metric Format: one JSON log line that CloudWatch Logs turns into metrics,
 * so no function needs a CloudWatch client or PutMetricData permission. Written to stderr with
 * the logs (stdout carries data when run locally).
 */
export function emfLine(
  namespace: string,
  dimensions: Record<string, string>,
  values: Record<string, number>,
  timestamp = Date.now(),
  units: Record<string, 'Count' | 'Seconds'> = {},
): string {
  return JSON.stringify({
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [Object.keys(dimensions)],
          Metrics: Object.keys(values).map((name) => ({ Name: name, Unit: units[name] ?? 'Count' })),
        },
      ],
    },
    ...dimensions,
    ...values,
  });
}

/**
 * The dimensions every function of this service publishes under: Service (`<service>-<stage>`,
 * from METRICS_SERVICE) and Function (the Lambda function's name without that prefix).
 */
export function serviceDimensions(
  env: Record<string, string | undefined> = process.env,
): Record<string, string> {
  const service = env.METRICS_SERVICE || 'logpipe';
  const name = env.AWS_LAMBDA_FUNCTION_NAME || 'local';
  return {
    [EMF_DIMENSIONS.service]: service,
    [EMF_DIMENSIONS.function]: name.startsWith(`${service}-`) ? name.slice(service.length + 1) : name,
  };
}

export { METRICS_NAMESPACE };

/** Publishes counts under the service's dimensions. */
export function publishCounts(
  sink: LogSink,
  dimensions: Record<string, string>,
  values: Record<string, number>,
): void {
  sink.write(emfLine(METRICS_NAMESPACE, dimensions, values) + '\n');
}

/** Metrics are published from Lambda only; a local run or a test has no metrics to feed. */
export function defaultMetricsSink(env: Record<string, string | undefined>): LogSink | undefined {
  return env.AWS_LAMBDA_FUNCTION_NAME ? process.stderr : undefined;
}
