import type { LogDocument } from '../documents/types';
import type { Authorizer } from './auth';
import { requestBody } from './body';
import { HttpClient, isRetryableStatus } from './http';
import type { EncodedDocument, ItemOutcome, Transport } from './types';
import { TransportError } from './types';

/**
 * Logstash's `http` input, one NDJSON body per batch (pipeline codec `json_lines` for
 * application/x-ndjson). The input answers for the whole request, so a batch succeeds or is
 * retried as one. `_id` and `_index` travel in `@metadata`, so the pipeline's elasticsearch
 * output can use them (`document_id => "%{[@metadata][_id]}"`, `action => "create"`) and a
 * retry stays one document.
 */
export class LogstashTransport implements Transport {
  readonly kind = 'logstash';

  constructor(
    private readonly url: URL,
    private readonly http: HttpClient,
    private readonly auth: Authorizer,
    private readonly compress: boolean,
  ) {}

  encode(doc: LogDocument): string {
    return JSON.stringify({ ...doc._source, '@metadata': { _id: doc._id, _index: doc._index } }) + '\n';
  }

  async send(batch: readonly EncodedDocument[], timeoutMs: number): Promise<ItemOutcome[]> {
    const { body, headers } = await requestBody(batch, this.compress);
    const request = {
      url: this.url,
      method: 'POST' as const,
      headers: { 'content-type': 'application/x-ndjson', ...headers },
      body,
    };
    Object.assign(request.headers, await this.auth.authorize(request));
    const response = await this.http.request({ ...request, timeoutMs });
    if (response.status === 413) throw new TransportError('request too large (413)', false, 413);
    if (response.status < 200 || response.status >= 300) {
      throw new TransportError(
        `logstash answered ${response.status}`,
        isRetryableStatus(response.status),
        response.status,
      );
    }
    return batch.map(() => ({ kind: 'delivered' }));
  }
}
