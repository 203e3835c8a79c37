import type { ScheduledEvent } from 'aws-lambda';
import type { RunSummary } from '../../libs/exporter/context';
import { createExporter } from '../../libs/exporter/exporter';
import { defineHandler } from '../../libs/runtime/handler';

// Parsed once per cold start: a bad value fails here, naming the variable.
const exporter = createExporter(process.env);

export const handler = defineHandler<ScheduledEvent, RunSummary>(
  // 15 s: after pruning stops, a run still writes its checkpoints and summary (S3 puts, each
  // retried by the SDK) before the timeout.
  { name: 'exporter', timeReserveMs: 15_000 },
  (event, invocation) => exporter.run(event, invocation),
);
