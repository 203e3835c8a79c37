import type { ScheduledEvent } from 'aws-lambda';
import type { Env } from '../runtime/env';
import type { Invocation } from '../runtime/handler';
import { createAwsPorts } from './aws';
import { isConfigured, loadExporterConfig } from './config';
import type { RunSummary } from './context';
import { ExportRunError } from './errors';
import { runExporter } from './run';
import type { LogsApi, ObjectStore } from './types';

/** Stands in for the AWS clients when nothing is configured: the run never calls them. */
const unused = new Proxy({} as LogsApi & ObjectStore, {
  get: () => {
    throw new Error('exporter is not configured; no AWS call expected');
  },
});

export interface Exporter {
  run(
    event: Pick<ScheduledEvent, 'time'>,
    invocation: Pick<Invocation, 'deadline' | 'log'> & {
      context: Pick<Invocation['context'], 'invokedFunctionArn'>;
    },
  ): Promise<RunSummary>;
}

/** Reads the configuration once (a bad value fails the cold start, naming the variable); AWS clients at first run. */
export function createExporter(env: Env): Exporter {
  const config = loadExporterConfig(env);
  let ports: Promise<{ logs: LogsApi; objects: ObjectStore }> | undefined;
  return {
    async run(event, { context, deadline, log: invocationLog }) {
      const log = invocationLog.child({ scheduled_at: event.time });
      const configured = isConfigured(config) && config.bucket !== undefined;
      if (configured) ports ??= createAwsPorts(config.region, config.bucket!);
      const { logs, objects } = configured ? await ports! : { logs: unused, objects: unused };
      const summary = await runExporter(config, {
        logs,
        objects,
        clock: Date.now,
        log,
        deadline,
        accountId: context.invokedFunctionArn?.split(':')[4],
      });
      // Faults an operator must fix (bucket policy) go to the on-failure queue; the rest retry next run.
      if (summary.fatal) throw new ExportRunError(summary.fatal.message, { cause: summary.fatal });
      return summary;
    },
  };
}
