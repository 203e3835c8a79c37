import { decodeSubscriptionEvent, DecodeError } from '../decoding/subscription';
import type { DeliveryReport } from '../destinations';
import type { Invocation } from '../../runtime/handler';
import type { Logger } from '../../runtime/logger';
import { newRuleCounts } from '../pipeline/document-step';
import type { Pipeline } from '../pipeline/pipeline';

/**
 * Forwards one CloudWatch Logs subscription event: decode the payload, turn its events into
 * documents (pipeline.documents), deliver them. Failures throw, so Lambda retries the invocation
 * (deterministic ids make that safe) and then hands the event to the on-failure queue.
 */
export async function forwardSubscription(
  pipeline: Pipeline,
  event: unknown,
  invocation: Pick<Invocation, 'deadline' | 'log'>,
  log: Logger = invocation.log,
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
  // No outcome tracking: the delivery keeps only encoded bytes while a batch waits.
  const delivery = pipeline.openDelivery(invocation.deadline, log);
  // Every event guarded: one that cannot become a document is dead-lettered, the rest go on.
  let failure: unknown;
  const counts = newRuleCounts();
  try {
    await pipeline.documents.pushLogsData(data, delivery, counts);
  } catch (error) {
    failure = error; // not one event's fault (those are dead-lettered): still closed and logged below
  }
  try {
    const report = await delivery.close();
    if (failure !== undefined) throw failure;
    log.info('forwarded', {
      log_group: data.logGroup,
      log_stream: data.logStream,
      // ACCOUNT_LEVEL_POLICY when an account-level subscription policy delivered the payload.
      ...(data.policyLevel === undefined ? {} : { policy_level: data.policyLevel }),
      destination: pipeline.transport.kind,
      ...report,
      ...counts.tally.logFields(),
    });
    return report;
  } catch (error) {
    log.error('forwarding failed', { log_group: data.logGroup, ...delivery.report, error });
    throw error;
  } finally {
    pipeline.publishRuleCounts(counts.tally);
  }
}
