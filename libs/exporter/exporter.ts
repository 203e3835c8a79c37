import type { Context, ScheduledEvent } from 'aws-lambda';
import type { Env } from '../runtime/env';
import { logger } from '../runtime/logger';
import { createAwsPorts } from './aws';
import { isConfigured, loadExporterConfig } from './config';
import type { RunSummary } from './context';
import { ExportRunError } from './errors';
import { runExporter } from './run';
import type { LogsApi, ObjectStore } from './types';

/** Kept back from the Lambda timeout so a run always gets to write its summary. */
const SAFETY_MS = 15_000;

/** Stands in for the AWS clients when nothing is configured: the run never calls them. */
const unused = new Proxy({} as LogsApi & ObjectStore, {
  get: () => {
    throw new Error('exporter is not configured; no AWS call expected');
  },
});

export interface Exporter {
  run(
    event: Pick<ScheduledEvent, 'time'>,
    context: Pick<Context, 'awsRequestId' | 'getRemainingTimeInMillis' | 'invokedFunctionArn'>,
  ): Promise<RunSummary>;
}

/** Reads the configuration once (a bad value fails the cold start, naming the variable); AWS clients at first run. */
export function createExporter(env: Env): Exporter {
  const config = loadExporterConfig(env);
  let ports: Promise<{ logs: LogsApi; objects: ObjectStore }> | undefined;
  return {
    async run(event, context) {
      const log = logger.child({
        function: 'exporter',
        function_request_id: context.awsRequestId,
        scheduled_at: event.time,
      });
      const configured = isConfigured(config) && config.bucket !== undefined;
      if (configured) ports ??= createAwsPorts(config.region, config.bucket!);
      const { logs, objects } = configured ? await ports! : { logs: unused, objects: unused };
      const summary = await runExporter(config, {
        logs,
        objects,
        clock: Date.now,
        log,
        deadline: Date.now() + context.getRemainingTimeInMillis() - SAFETY_MS,
        accountId: context.invokedFunctionArn?.split(':')[4],
      });
      // Faults an operator must fix (bucket policy) go to the on-failure queue; the rest retry next run.
      if (summary.fatal) throw new ExportRunError(summary.fatal.message, { cause: summary.fatal });
      return summary;
    },
  };
}
