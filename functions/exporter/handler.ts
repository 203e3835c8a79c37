import type { Context, ScheduledEvent } from 'aws-lambda';
import type { RunSummary } from '../../libs/exporter/context';
import { createExporter } from '../../libs/exporter/exporter';

// Parsed once per cold start: a bad value fails here, naming the variable.
const exporter = createExporter(process.env);

export const handler = (event: ScheduledEvent, context: Context): Promise<RunSummary> =>
  exporter.run(event, context);
