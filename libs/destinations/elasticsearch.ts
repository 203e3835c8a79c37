import { quoteId, serializeSource } from '../documents/serialize';
import type { DocumentSource, LogDocument } from '../documents/types';
import type { Authorizer } from './auth';
import { postBatch, type BatchEndpoint } from './body';
import { isRetryableStatus, type HttpClient } from './http';
import type { EncodedDocument, ItemOutcome, Transport } from './types';
import { TransportError } from './types';

interface BulkItemResult {
  status?: number;
  error?: { type?: string; reason?: string } | string;
}

// Only what we read: a few bytes per item instead of the whole echo of every document.
const FILTER_PATH = 'errors,items.*.status,items.*.error.type,items.*.error.reason';
const NO_ERRORS = /^\s*\{[^[]{0,64}"errors"\s*:\s*false/;

/** The `_bulk` API of Elasticsearch 7-9 and OpenSearch, with `create` so a retry never duplicates. */
export class ElasticsearchTransport implements Transport {
  readonly kind = 'elasticsearch';
  private readonly endpoint: BatchEndpoint;
  private readonly prefixes = new Map<string, string>();

  constructor(baseUrl: URL, http: HttpClient, auth: Authorizer, compress: boolean) {
    const url = new URL(baseUrl.pathname.replace(/\/$/, '') + '/_bulk', baseUrl);
    url.searchParams.set('filter_path', FILTER_PATH);
    this.endpoint = { url, http, auth, compress, name: '_bulk' };
  }

  encode(doc: LogDocument): string {
    return `${this.actionPrefix(doc._index)}${quoteId(doc._id)}}}\n${serializeSource(doc._source)}\n`;
  }

  decode(text: string): LogDocument {
    const newline = text.indexOf('\n');
    const { create } = JSON.parse(text.slice(0, newline)) as { create: { _index: string; _id: string } };
    const source = JSON.parse(text.slice(newline + 1)) as DocumentSource;
    return { _id: create._id, _index: create._index, _source: source };
  }

  /** `{"create":{"_index":"cwl-2024.11.20","_id":` built once per index name. */
  private actionPrefix(index: string): string {
    let prefix = this.prefixes.get(index);
    if (prefix === undefined) {
      if (this.prefixes.size > 1000) this.prefixes.clear();
      prefix = `{"create":{"_index":${JSON.stringify(index)},"_id":`;
      this.prefixes.set(index, prefix);
    }
    return prefix;
  }

  async send(batch: readonly EncodedDocument[], timeoutMs: number): Promise<ItemOutcome[]> {
    const response = await postBatch(this.endpoint, batch, timeoutMs);
    // The fast path counts the items too: a proxy or gateway that answers `"errors": false` for
    // fewer items than were sent has not delivered the others (parseBulkItems then throws, and
    // the batch is retried: what was indexed comes back as 409 duplicates).
    if (NO_ERRORS.test(response.body) && countStatuses(response.body) === batch.length)
      return batch.map(() => ({ kind: 'delivered' }));
    return parseBulkItems(response.body, batch.length);
  }
}

/** Items in a `_bulk` answer without errors: each has one `status` (filtered or not). */
function countStatuses(body: string): number {
  let count = 0;
  for (let i = body.indexOf('"status"'); i !== -1; i = body.indexOf('"status"', i + 8)) count++;
  return count;
}

/** Maps each `_bulk` item result to an outcome: 2xx delivered, 409 duplicate, 429/5xx retry, other 4xx permanent. */
export function parseBulkItems(body: string, expected: number): ItemOutcome[] {
  let parsed: { items?: Array<Record<string, BulkItemResult>> };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch (cause) {
    throw new TransportError('_bulk response is not JSON', true, undefined, { cause });
  }
  const items = Array.isArray(parsed?.items) ? parsed.items : [];
  if (items.length !== expected) {
    // Which items are missing cannot be known (positions no longer match): the whole batch is
    // retried, and never counted as delivered.
    throw new TransportError(`_bulk answered ${items.length} items for ${expected} documents`, true);
  }
  return items.map((item): ItemOutcome => {
    const result = (typeof item === 'object' && item !== null ? Object.values(item)[0] : undefined) ?? {};
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
  });
}
