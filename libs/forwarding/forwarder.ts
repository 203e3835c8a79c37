import type { Context } from 'aws-lambda';
import { decodeSubscriptionEvent, DecodeError } from '../decoding/subscription';
import { pushLogsData, type DocumentOptions } from '../documents/build';
import { documentOptions, loadDocumentConfig } from '../documents/config';
import type { Env } from '../config/env';
import type { LogDocument } from '../documents/types';
import {
  createDeadLetterSink,
  createTransport,
  Delivery,
  loadDestinationConfig,
  type DeadLetterSink,
  type DeliveryReport,
  type DestinationConfig,
  type DestinationDeps,
  type Transport,
} from '../destinations';
import { logger as rootLogger, type Logger, type LogSink } from '../logging/logger';
import { defaultMetricsSink, publishCounts, serviceDimensions } from '../logging/metrics';

/** Everything a forwarder container keeps between invocations. */
export interface Forwarder {
  readonly documents: DocumentOptions;
  readonly destination: DestinationConfig;
  readonly transport: Transport;
  readonly deadLetters?: DeadLetterSink;
  /** Rules (libs/rules) applied to each document; undefined = the document was filtered out. */
  readonly route?: (doc: LogDocument) => LogDocument | undefined;
  /** Opens the delivery for one invocation, bounded by the Lambda's remaining time. */
  openDelivery(context: Pick<Context, 'getRemainingTimeInMillis'>, log: Logger): Delivery;
}

export interface ForwarderDeps extends DestinationDeps {
  transport?: Transport;
  deadLetters?: DeadLetterSink;
  /** Where EMF metric lines go (default: stderr in Lambda, nowhere elsewhere). */
  metrics?: LogSink;
  /**
   * Wraps the transport and the dead-letter sink (the Kinesis path tracks outcomes per record,
   * by document: deliveries then keep documents until their outcome is known).
   */
  wrap?: { transport(inner: Transport): Transport; deadLetters(inner: DeadLetterSink): DeadLetterSink };
}

/** Reads the configuration once (at cold start: a bad variable fails loudly there) and builds the clients. */
export function createForwarder(env: Env, deps: ForwarderDeps = {}): Forwarder {
  const destination = loadDestinationConfig(env);
  const documents = documentOptions(loadDocumentConfig(env));
  const baseTransport = deps.transport ?? createTransport(destination, deps);
  const transport = deps.wrap ? deps.wrap.transport(baseTransport) : baseTransport;
  const baseDeadLetters = deps.deadLetters ?? createDeadLetterSink(destination);
  const deadLetters = baseDeadLetters && deps.wrap ? deps.wrap.deadLetters(baseDeadLetters) : baseDeadLetters;
  const metrics = deps.metrics ?? defaultMetricsSink(env);
  const dimensions = serviceDimensions(env);
  return {
    documents,
    destination,
    transport,
    deadLetters,
    openDelivery(context, log) {
      return new Delivery(transport, {
        maxBatchDocs: destination.maxBatchDocs,
        maxBatchBytes: destination.maxBatchBytes,
        concurrency: destination.concurrency,
        requestTimeoutMs: destination.requestTimeoutMs,
        retry: destination.retry,
        keepDocuments: deps.wrap !== undefined,
        timeLeft: () => context.getRemainingTimeInMillis() - destination.reserveMs,
        deadLetters,
        log,
        onReport: (report) =>
          metrics &&
          publishCounts(metrics, dimensions, {
            EventsIn: report.received,
            Delivered: report.delivered,
            Duplicates: report.duplicates,
            Retried: report.retried,
            DeadLettered: report.deadLettered,
            Rejected: report.rejected,
            Failed: report.failed,
          }),
      });
    },
  };
}

/**
 * Forwards one CloudWatch Logs subscription event. Failures throw, so Lambda retries the
 * invocation (deterministic ids make that safe) and then hands the event to the on-failure queue.
 */
export async function forwardSubscription(
  forwarder: Forwarder,
  event: unknown,
  context: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>,
  log: Logger = rootLogger.child({ request_id: context.awsRequestId }),
): Promise<DeliveryReport | undefined> {
  let data;
  try {
    data = decodeSubscriptionEvent(event);
  } catch (error) {
    if (error instanceof DecodeError) log.error('subscription event rejected', { stage: error.stage, error });
    throw error;
  }
  if (data.messageType === 'CONTROL_MESSAGE') {
    log.info('control message skipped', { log_group: data.logGroup });
    return undefined;
  }
  const delivery = forwarder.openDelivery(context, log);
  // Every event guarded: one that cannot become a document is dead-lettered, the rest go on.
  // A rule's include/exclude filter leaves out what `route` maps to undefined.
  let failure: unknown;
  try {
    await pushLogsData(data, forwarder.documents, delivery, forwarder.route);
  } catch (error) {
    failure = error; // not one event's fault (those are dead-lettered): still closed and logged below
  }
  try {
    const report = await delivery.close();
    if (failure !== undefined) throw failure;
    log.info('forwarded', {
      log_group: data.logGroup,
      log_stream: data.logStream,
      destination: forwarder.transport.kind,
      ...report,
    });
    return report;
  } catch (error) {
    log.error('forwarding failed', { log_group: data.logGroup, ...delivery.report, error });
    throw error;
  }
}
