import type { Deadline } from '../../runtime/deadline';
import type { Env } from '../../runtime/env';
import {
  createDeadLetterSink,
  createTransport,
  Delivery,
  loadDestinationConfig,
  type DeadLetterSink,
  type DestinationConfig,
  type DestinationDeps,
  type Transport,
} from '../destinations';
import type { RuleTally } from '../filters-and-masks/tally';
import type { Logger, LogSink } from '../../runtime/logger';
import { defaultMetricsSink, publishCounts, serviceDimensions } from '../../runtime/metrics';
import { EMF_METRICS } from '../../runtime/stack-constants';
import { installOutputMasks } from '../destinations/output-mask';
import { loadDocumentStep, type DocumentStep } from './document-step';

/**
 * What every source (subscription payload, Kinesis records, S3 objects) shares, built once per
 * container: the document step (parsing, then the stage's rules) and one delivery per invocation.
 */
export interface Pipeline {
  readonly documents: DocumentStep;
  readonly destination: DestinationConfig;
  readonly transport: Transport;
  readonly deadLetters?: DeadLetterSink;
  /**
   * Opens the delivery for one invocation, bounded by its deadline (libs/runtime/handler.ts). `tracking`
   * (the Kinesis source only) replaces the transport and dead-letter sink by wrapped ones that
   * report outcomes per document: the delivery then keeps each document until its outcome is known.
   */
  openDelivery(deadline: Deadline, log: Logger, tracking?: OutcomeTracking): Delivery;
  /** Publishes what the rules file dropped and masked: EMF `Dropped` / `Masked` with a `Rule` dimension. */
  publishRuleCounts(tally: RuleTally): void;
}

/** The transport and dead-letter sink of a source that tracks each document's outcome. */
export interface OutcomeTracking {
  transport: Transport;
  deadLetters?: DeadLetterSink;
}

export interface PipelineDeps extends DestinationDeps {
  transport?: Transport;
  deadLetters?: DeadLetterSink;
  /** Where EMF metric lines go (default: stderr in Lambda, nowhere elsewhere). */
  metrics?: LogSink;
}

/**
 * Reads the configuration once (at cold start: a bad variable or RULES_FILE fails loudly there)
 * and builds the clients.
 */
export function createPipeline(env: Env, deps: PipelineDeps = {}): Pipeline {
  const destination = loadDestinationConfig(env);
  const documents = loadDocumentStep(env);
  const transport = deps.transport ?? createTransport(destination, deps);
  // One masking step for what is not a document: dead letters and the function's own log lines.
  const outputs = installOutputMasks(documents.parts.messages);
  const unmasked = deps.deadLetters ?? createDeadLetterSink(destination);
  const deadLetters = unmasked && outputs ? outputs.deadLetters(unmasked) : unmasked;
  const metrics = deps.metrics ?? defaultMetricsSink(env);
  const dimensions = serviceDimensions(env);
  return {
    documents,
    destination,
    transport,
    deadLetters,
    openDelivery(deadline, log, tracking) {
      return new Delivery(tracking?.transport ?? transport, {
        maxBatchDocs: destination.maxBatchDocs,
        maxBatchBytes: destination.maxBatchBytes,
        concurrency: destination.concurrency,
        requestTimeoutMs: destination.requestTimeoutMs,
        retry: destination.retry,
        keepDocuments: tracking !== undefined,
        timeLeft: () => deadline.remaining(),
        deadLetters: tracking === undefined ? deadLetters : tracking.deadLetters,
        log,
        onReport: (report) =>
          metrics &&
          publishCounts(metrics, dimensions, {
            EventsIn: report.received,
            Delivered: report.delivered,
            Duplicates: report.duplicates,
            Retried: report.retried,
            [EMF_METRICS.deadLettered]: report.dead_lettered,
            Rejected: report.rejected,
            Failed: report.failed,
          }),
      });
    },
    publishRuleCounts(tally) {
      if (!metrics) return;
      for (const [rule, values] of tally.metricsByRule())
        publishCounts(metrics, { ...dimensions, Rule: rule }, values);
    },
  };
}
