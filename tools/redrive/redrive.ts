/**
 * Redrive of a function's on-failure queue: each message is a Lambda destination record for an
 * asynchronous invocation that exhausted its retries. Its `requestPayload` is the original event;
 * the function is invoked again with it, asynchronously (so Lambda's retries and the on-failure
 * destination apply again), and the message is deleted only after Lambda accepted the invoke.
 * Anything that is not such a record for this function stays in the queue.
 */

export interface QueueMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
}

export interface QueuePort {
  /** Up to `max` (1-10) messages, hidden from other readers for `visibilityTimeoutSeconds`. */
  receive(max: number, visibilityTimeoutSeconds: number): Promise<QueueMessage[]>;
  delete(receiptHandle: string): Promise<void>;
}

export interface InvokePort {
  /** Asynchronous (Event) invoke; resolves once Lambda accepted it (202), throws otherwise. */
  invokeAsync(functionName: string, payload: string): Promise<void>;
}

export interface RedriveOptions {
  queue: QueuePort;
  lambda: InvokePort;
  /** The function's name (`logpipe-dev-forwarder`); records for another function are skipped. */
  functionName: string;
  dryRun: boolean;
  /** Stop after this many messages (redriven, skipped or listed). */
  max: number;
  /** Seconds a received message stays hidden; must outlast the run (skipped ones reappear after it). */
  visibilityTimeoutSeconds: number;
  report?: (line: MessageReport) => void;
}

export type Outcome = 'redriven' | 'listed' | 'skipped' | 'failed';

export interface MessageReport {
  messageId: string;
  outcome: Outcome;
  reason?: string;
  /** From the destination record, to tell failures apart in a dry run. */
  condition?: string;
  approximateInvokeCount?: number;
  timestamp?: string;
  error?: string;
  payloadBytes?: number;
}

export interface RedriveSummary {
  received: number;
  redriven: number;
  listed: number;
  skipped: number;
  /** Set when the run stopped at a failed invoke or delete; the message stays (or is re-driven twice, see below). */
  failure?: string;
}

interface DestinationRecord {
  requestContext?: { functionArn?: unknown; condition?: unknown; approximateInvokeCount?: unknown };
  requestPayload?: unknown;
  responsePayload?: unknown;
  timestamp?: unknown;
}

/** "arn:aws:lambda:ap-northeast-2:123456789012:function:logpipe-dev-forwarder:$LATEST" -> "logpipe-dev-forwarder". */
export function functionNameOf(functionArn: string): string | undefined {
  const parts = functionArn.split(':');
  return parts[5] === 'function' ? parts[6] : undefined;
}

function errorOf(responsePayload: unknown): string | undefined {
  if (responsePayload && typeof responsePayload === 'object') {
    const { errorType, errorMessage } = responsePayload as { errorType?: unknown; errorMessage?: unknown };
    if (errorType !== undefined || errorMessage !== undefined)
      return `${String(errorType ?? 'Error')}: ${String(errorMessage ?? '')}`.slice(0, 300);
  }
  return undefined;
}

type Parsed = { ok: true; payload: string; details: Partial<MessageReport> } | { ok: false; reason: string };

/** The original event of a destination record for `functionName`, or why there is none. */
export function parseRecord(body: string, functionName: string): Parsed {
  let record: DestinationRecord;
  try {
    record = JSON.parse(body) as DestinationRecord;
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  if (record === null || typeof record !== 'object' || typeof record.requestContext !== 'object')
    return { ok: false, reason: 'not a Lambda destination record (no requestContext), e.g. a stream batch' };
  const arn = record.requestContext.functionArn;
  const owner = typeof arn === 'string' ? functionNameOf(arn) : undefined;
  if (owner !== functionName)
    return { ok: false, reason: `record is for function ${owner ?? String(arn)}, not ${functionName}` };
  if (!('requestPayload' in record) || record.requestPayload === undefined)
    return { ok: false, reason: 'record has no requestPayload (too large for the destination?)' };
  const payload = JSON.stringify(record.requestPayload);
  const count = record.requestContext.approximateInvokeCount;
  return {
    ok: true,
    payload,
    details: {
      condition:
        typeof record.requestContext.condition === 'string' ? record.requestContext.condition : undefined,
      approximateInvokeCount: typeof count === 'number' ? count : undefined,
      timestamp: typeof record.timestamp === 'string' ? record.timestamp : undefined,
      error: errorOf(record.responsePayload),
      payloadBytes: Buffer.byteLength(payload),
    },
  };
}

const message = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/**
 * Receives until the queue returns nothing or `max` messages were handled. Stops at the first
 * failed invoke (the cause — permissions, a missing function — usually applies to every message;
 * the message stays). A failed delete after an accepted invoke also stops the run: that event
 * will be driven again by the next run, which the consumers tolerate (deterministic document ids).
 */
export async function redrive(options: RedriveOptions): Promise<RedriveSummary> {
  const summary: RedriveSummary = { received: 0, redriven: 0, listed: 0, skipped: 0 };
  const report = options.report ?? (() => undefined);
  while (summary.received < options.max) {
    const batch = await options.queue.receive(
      Math.min(10, options.max - summary.received),
      options.visibilityTimeoutSeconds,
    );
    if (batch.length === 0) break;
    for (const msg of batch) {
      summary.received += 1;
      const parsed = parseRecord(msg.body, options.functionName);
      if (!parsed.ok) {
        summary.skipped += 1;
        report({ messageId: msg.messageId, outcome: 'skipped', reason: parsed.reason });
        continue;
      }
      if (options.dryRun) {
        summary.listed += 1;
        report({ messageId: msg.messageId, outcome: 'listed', ...parsed.details });
        continue;
      }
      try {
        await options.lambda.invokeAsync(options.functionName, parsed.payload);
      } catch (error) {
        summary.failure = `invoke failed for message ${msg.messageId}, left in the queue: ${message(error)}`;
        report({ messageId: msg.messageId, outcome: 'failed', reason: summary.failure, ...parsed.details });
        return summary;
      }
      try {
        await options.queue.delete(msg.receiptHandle);
      } catch (error) {
        summary.failure = `message ${msg.messageId} was re-invoked but not deleted (it will be driven again): ${message(error)}`;
        report({ messageId: msg.messageId, outcome: 'failed', reason: summary.failure, ...parsed.details });
        return summary;
      }
      summary.redriven += 1;
      report({ messageId: msg.messageId, outcome: 'redriven', ...parsed.details });
    }
  }
  return summary;
}
