import { quoteId, serializeSource } from '../documents/serialize';
import type { DocumentSource, LogDocument } from '../documents/types';
import type { Authorizer } from './auth';
import { postBatch, type BatchEndpoint } from './body';
import { BULK_FILTER_PATH, parseBulkItems } from './bulk-answer';
import type { HttpClient } from './http';
import type { EncodedDocument, ItemOutcome, Transport } from './types';
import { requestUrl } from './url';

/** The `_bulk` API of Elasticsearch 7-9 and OpenSearch, with `create` so a retry never duplicates. */
export class ElasticsearchTransport implements Transport {
  readonly kind = 'elasticsearch';
  private readonly endpoint: BatchEndpoint;
  private readonly prefixes = new Map<string, string>();

  constructor(baseUrl: URL, http: HttpClient, auth: Authorizer, compress: boolean) {
    const url = requestUrl(baseUrl, '_bulk', { filter_path: BULK_FILTER_PATH });
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
    // Every item read, whatever `errors` says: see parseBulkItems.
    return parseBulkItems(
      response.body,
      batch.map((item) => item.id),
    );
  }
}
