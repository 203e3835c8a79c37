import type { Context, ScheduledEvent } from 'aws-lambda';
import { createAwsPorts } from '../../libs/export/aws';
import { isConfigured, loadExporterConfig } from '../../libs/export/config';
import type { RunSummary } from '../../libs/export/context';
import { ExportRunError } from '../../libs/export/errors';
import { runExporter } from '../../libs/export/run';
import type { LogsApi, ObjectStore } from '../../libs/export/types';
import { logger } from '../../libs/logging/logger';

// Parsed once per cold start: a bad value fails here, naming the variable.
const config = loadExporterConfig(process.env);

/** Kept back from the Lambda timeout so a run always gets to write its summary. */
const SAFETY_MS = 15_000;

let ports: Promise<{ logs: LogsApi; objects: ObjectStore }> | undefined;

/** Stands in for the AWS clients when nothing is configured: the run never calls them. */
const unused = new Proxy({} as LogsApi & ObjectStore, {
  get: () => {
    throw new Error('exporter is not configured; no AWS call expected');
  },
});

export const handler = async (event: ScheduledEvent, context: Context): Promise<RunSummary> => {
  const log = logger.child({
    function: 'exporter',
    requestId: context.awsRequestId,
    scheduledAt: event.time,
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
};
