import { isRetryableStatus } from './http';
import type { ItemOutcome } from './types';
import { TransportError } from './types';

interface BulkItemResult {
  _id?: unknown;
  status?: number;
  error?: { type?: string; reason?: string } | string;
}

/**
 * What the transport asks `_bulk` to answer with (filter_path): per item its `_id`, status and
 * error, a few bytes each instead of the echo of every document. `errors` is not asked for: it is
 * never believed (an answer saying `"errors": false` beside a 400 item has been seen from
 * gateways), each item's own status is.
 */
export const BULK_FILTER_PATH = 'items.*._id,items.*.status,items.*.error.type,items.*.error.reason';

/**
 * Maps a `_bulk` answer to one outcome per document sent, in the order sent: 2xx delivered, 409
 * duplicate, 429/408/5xx retry, other 4xx permanent. Items are matched to documents by `_id`, not
 * by position alone: an answer in another order is matched id by id; an answer whose ids do not
 * line up with what was sent (missing, unknown, repeated, or no `_id` at all) says nothing
 * trustworthy about any document and throws a retryable TransportError: the whole batch is sent
 * again (what was indexed comes back as 409 duplicates), nothing is counted delivered.
 * `ids` may repeat (the same event twice in one batch): each answer item then takes one of them.
 */
export function parseBulkItems(body: string, ids: readonly string[]): ItemOutcome[] {
  let parsed: { items?: unknown };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch (cause) {
    throw new TransportError('_bulk answer is not JSON', true, undefined, { cause });
  }
  const items = Array.isArray(parsed?.items) ? (parsed.items as unknown[]) : [];
  if (items.length !== ids.length) {
    throw new TransportError(`_bulk answered ${items.length} items for ${ids.length} documents`, true);
  }
  const results = items.map(resultOf);
  const outcomes = new Array<ItemOutcome>(ids.length);
  if (results.every((result, i) => result._id === ids[i])) {
    results.forEach((result, i) => (outcomes[i] = outcomeOf(result)));
    return outcomes;
  }
  // Not in the order sent: match id by id, each position taken once.
  const positions = new Map<string, number[]>();
  ids.forEach((id, i) => {
    const list = positions.get(id);
    if (list === undefined) positions.set(id, [i]);
    else list.push(i);
  });
  for (const result of results) {
    const position = typeof result._id === 'string' ? positions.get(result._id)?.shift() : undefined;
    if (position === undefined) {
      throw new TransportError(
        typeof result._id === 'string'
          ? `_bulk answer's ids do not line up with the documents sent (an item for ${JSON.stringify(result._id.slice(0, 100))} that was not sent, or twice)`
          : '_bulk answer has an item without an _id: it cannot be matched to a document',
        true,
      );
    }
    outcomes[position] = outcomeOf(result);
  }
  return outcomes;
}

function resultOf(item: unknown): BulkItemResult {
  const result = typeof item === 'object' && item !== null ? Object.values(item)[0] : undefined;
  return typeof result === 'object' && result !== null ? (result as BulkItemResult) : {};
}

function outcomeOf(result: BulkItemResult): ItemOutcome {
  const status = result.status;
  // An item without a status says nothing of the document: tried again, never taken as delivered.
  if (typeof status !== 'number') return { kind: 'retry', reason: '_bulk item without a status' };
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  if (status === 409) return { kind: 'duplicate' };
  const error = result.error;
  const reason =
    typeof error === 'string'
      ? `${status} ${error}`
      : `${status} ${error?.type ?? 'error'}: ${error?.reason ?? 'no reason given'}`;
  return isRetryableStatus(status) ? { kind: 'retry', reason } : { kind: 'permanent', reason };
}
