import type { KinesisStreamBatchResponse, KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { DeliveryError, type Delivery, type DeliveryReport } from '../destinations';
import { EventGuard, failureReason, type DocumentSink } from '../documents/guard';
import { RecordOutcomes, type RecordState } from './kinesis-outcomes';
import {
  decodeRecordData,
  recordOrigin,
  type RecordLine,
  type RecordPayload,
} from '../decoding/kinesis-records';
import type { Invocation } from '../../runtime/handler';
import type { Logger } from '../../runtime/logger';
import { newRuleCounts, type RuleCounts } from '../pipeline/document-step';
import type { OutcomeTracking, Pipeline } from '../pipeline/pipeline';

/**
 * The Kinesis source of a container: the pipeline, and the outcome tracker that maps each
 * document's outcome back to its record (ReportBatchItemFailures). Only this source tracks
 * outcomes, so only its deliveries keep documents while a batch waits.
 */
export interface KinesisSource {
  readonly pipeline: Pipeline;
  readonly outcomes: RecordOutcomes;
  readonly tracking: OutcomeTracking;
}

/** Wraps the pipeline's transport and dead-letter sink once per container (one connection pool). */
export function createKinesisSource(pipeline: Pipeline): KinesisSource {
  const outcomes = new RecordOutcomes();
  const tracking = {
    transport: outcomes.wrapTransport(pipeline.transport),
    deadLetters: pipeline.deadLetters && outcomes.wrapDeadLetters(pipeline.deadLetters),
  };
  return { pipeline, outcomes, tracking };
}

export function isKinesisEvent(event: unknown): event is KinesisStreamEvent {
  const records = (event as { Records?: unknown } | null)?.Records;
  return (
    Array.isArray(records) &&
    records.length > 0 &&
    (records[0] as KinesisStreamRecord)?.eventSource === 'aws:kinesis'
  );
}

interface BatchCounts extends RuleCounts {
  records: number;
  poison: number;
  documents: number;
  failed_records: number;
}

/**
 * Forwards one Kinesis batch and answers with the records to retry (ReportBatchItemFailures).
 *
 * Every record is processed even after one fails: Lambda retries from the lowest failed
 * sequence number and re-sends the records after it too, so documents already indexed come back
 * as 409 duplicates (deterministic ids) and cost nothing.
 *
 * A poison record (one that can never be decoded) is reported as failed like any other. With
 * the Kinesis event source mapping the stack declares (resources/forwarder.js:
 * bisectBatchOnFunctionError, maximumRetryAttempts, destinations.onFailure) Lambda retries from that record at most maximumRetryAttempts times,
 * then sends the batch's shard id and sequence-number range to the on-failure queue and moves the
 * shard's checkpoint past it. So a poison record delays its shard by a few retries and never
 * blocks it; the queue message says where to read it from the stream (until retention expires).
 */
export async function forwardKinesis(
  kinesis: KinesisSource,
  event: KinesisStreamEvent,
  invocation: Pick<Invocation, 'deadline' | 'log'>,
  log: Logger = invocation.log,
): Promise<KinesisStreamBatchResponse> {
  const counts: BatchCounts = {
    records: event.Records.length,
    poison: 0,
    documents: 0,
    failed_records: 0,
    ...newRuleCounts(),
  };
  const states: RecordState[] = [];
  const delivery = kinesis.pipeline.openDelivery(invocation.deadline, log, kinesis.tracking);

  for (const record of event.Records) {
    const state: RecordState = { sequenceNumber: String(record?.kinesis?.sequenceNumber), pending: 0 };
    states.push(state);
    let reason: string;
    try {
      const decoded = decodeRecordData(record.kinesis.data);
      if (decoded.ok) {
        await forwardRecord(record, decoded.payload, kinesis, state, delivery, counts);
        continue;
      }
      reason = decoded.reason;
    } catch (error) {
      // Not one event's fault (those are dead-lettered inside): the record itself is unreadable.
      reason = failureReason('record', error);
    }
    state.poison = reason;
    counts.poison++;
    // The reason and position only: never the payload.
    log.error('poison record', {
      sequence_number: state.sequenceNumber,
      partition_key: record?.kinesis?.partitionKey,
      reason,
    });
  }

  let report: DeliveryReport;
  try {
    report = await delivery.close();
  } catch (error) {
    // Anything else than "some documents were not delivered" is unexpected: fail the whole batch.
    if (!(error instanceof DeliveryError)) throw error;
    report = error.report;
  }
  const batchItemFailures = states
    .filter((state) => state.poison !== undefined || state.pending > 0)
    .map((state) => ({ itemIdentifier: state.sequenceNumber }));
  counts.failed_records = batchItemFailures.length;
  const { tally, ...batch } = counts;
  kinesis.pipeline.publishRuleCounts(tally);
  const fields = { destination: kinesis.pipeline.transport.kind, ...batch, ...tally.logFields(), ...report };
  if (batchItemFailures.length > 0) log.warn('kinesis batch partly failed', fields);
  else log.info('kinesis batch forwarded', fields);
  return { batchItemFailures };
}

/**
 * Pushes the documents of one decoded record, every event guarded (EventGuard): an event that
 * cannot become a document is dead-lettered raw, boxed with the record's position, and tracked
 * so that the record counts as settled only once its dead letter is stored.
 */
async function forwardRecord(
  record: KinesisStreamRecord,
  payload: RecordPayload,
  kinesis: KinesisSource,
  state: RecordState,
  delivery: Delivery,
  counts: BatchCounts,
): Promise<void> {
  const { outcomes } = kinesis;
  const { documents } = kinesis.pipeline;
  const sink: DocumentSink = {
    push(doc) {
      const slot = delivery.push(doc); // encodes first: a throw leaves nothing tracked
      // Tracked after push: outcomes are settled only after an await, never within push.
      outcomes.track(doc, state);
      counts.documents++;
      return slot;
    },
    reject(rejected) {
      const event = { kinesis_sequence_number: state.sequenceNumber, ...rawOf(rejected.event) };
      outcomes.track(event, state);
      delivery.reject({ ...rejected, event });
    },
  };
  if (payload.kind === 'subscription') {
    // CloudWatch event ids: the same document whether it came by subscription or by stream.
    await documents.pushLogsData(payload.data, sink, counts);
    return;
  }
  const origin = recordOrigin(record);
  const guard = new EventGuard<RecordLine>(
    sink,
    (line) => documents.recordLine(line, origin, counts),
    (line, reason) => ({ reason, event: { line } }),
  );
  for (const line of payload.lines) {
    const slot = guard.push(line);
    if (slot) await slot;
  }
}

/** A rejected event as the dead letter keeps it: a log event, or a line with its position. */
function rawOf(event: unknown): Record<string, unknown> {
  const line = (event as { line?: RecordLine } | null)?.line;
  if (line !== undefined) return { line: line.index, text: line.text ?? line.fields };
  return { log_event: event };
}
