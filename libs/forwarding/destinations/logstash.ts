import { serializeSource } from '../documents/serialize';
import type { DocumentSource, LogDocument } from '../documents/types';
import type { Authorizer } from './auth';
import { postBatch, type BatchEndpoint } from './body';
import type { HttpClient } from './http';
import type { EncodedDocument, ItemOutcome, Transport } from './types';
import { requestUrl } from './url';

/**
 * Logstash's `http` input, one NDJSON body per batch (pipeline codec `json_lines` for
 * application/x-ndjson). The input answers for the whole request, so a batch succeeds or is
 * retried as one. `_id` and `_index` travel in `@metadata`, so the pipeline's elasticsearch
 * output can use them (`document_id => "%{[@metadata][_id]}"`, `action => "create"`) and a
 * retry stays one document.
 */
export class LogstashTransport implements Transport {
  readonly kind = 'logstash';

  private readonly endpoint: BatchEndpoint;

  constructor(url: URL, http: HttpClient, auth: Authorizer, compress: boolean) {
    this.endpoint = { url: requestUrl(url, ''), http, auth, compress, name: 'logstash' };
  }

  encode(doc: LogDocument): string {
    const metadata = { _id: doc._id, _index: doc._index };
    if (Object.prototype.hasOwnProperty.call(doc._source, '@metadata')) {
      return `${JSON.stringify({ ...doc._source, '@metadata': metadata })}\n`; // ours replaces theirs
    }
    return `${serializeSource(doc._source, `"@metadata":${JSON.stringify(metadata)}`)}\n`;
  }

  /** A source's own `@metadata` was replaced by ours when encoded: it does not come back. */
  decode(text: string): LogDocument {
    const { '@metadata': metadata, ...source } = JSON.parse(text) as DocumentSource & {
      '@metadata': { _id: string; _index: string };
    };
    return { _id: metadata._id, _index: metadata._index, _source: source as DocumentSource };
  }

  async send(batch: readonly EncodedDocument[], timeoutMs: number): Promise<ItemOutcome[]> {
    await postBatch(this.endpoint, batch, timeoutMs);
    return batch.map(() => ({ kind: 'delivered' }));
  }
}
