import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface StoredDocument {
  index: string;
  source: Record<string, unknown>;
}

export interface BulkItem {
  action: string;
  index: string;
  id: string;
  source: Record<string, unknown>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  items: number;
}

export interface BulkServerOptions {
  /** Force a status for one item on its nth attempt (1-based); undefined = normal behaviour. */
  itemFault?: (item: BulkItem, attempt: number) => number | undefined;
  /** Fail a whole request (1-based request number) with this status. */
  requestFault?: (requestNumber: number) => number | undefined;
  /** Delay before answering a request, in ms. */
  delayMs?: (requestNumber: number) => number;
  /**
   * A broken proxy or gateway: for this request, the last N items are neither indexed nor
   * answered, and the answer still says `"errors": false` for the items it lists.
   */
  dropTrailingItems?: (requestNumber: number) => number | undefined;
  /** Reject the request with 403 unless this returns true (used to check signatures). */
  authorize?: (request: http.IncomingMessage, body: Buffer) => boolean;
  /** Whose error types and reasons to answer with (default Elasticsearch). */
  flavor?: 'elasticsearch' | 'opensearch';
}

/**
 * Error types and reasons as real nodes answer them (captured from Elasticsearch 9.5.3 and
 * OpenSearch 3.8.0 with a write queue of one): the same failure has a different type per engine.
 */
const ENGINE_ERRORS = {
  elasticsearch: {
    mapping: 'document_parsing_exception',
    rejected: 'es_rejected_execution_exception',
  },
  opensearch: {
    mapping: 'mapper_parsing_exception',
    rejected: 'rejected_execution_exception',
  },
} as const;

/**
 * A loopback server that behaves like Elasticsearch `_bulk` (and Logstash's http input on any
 * other path): it stores documents by `_id`, answers `create` on an existing id with 409, and
 * can be scripted to answer 429, 400 or 5xx per item, fail whole requests, or answer slowly.
 */
export class BulkServer {
  readonly documents = new Map<string, StoredDocument>();
  readonly requests: RecordedRequest[] = [];
  readonly attempts = new Map<string, number>();
  /** How many times each id was created (more than 1 would be a duplicate). */
  readonly creations = new Map<string, number>();
  maxConcurrent = 0;
  private concurrent = 0;
  private server: http.Server | undefined;
  requestsReceived = 0;

  constructor(private readonly options: BulkServerOptions = {}) {}

  get url(): string {
    const address = this.server?.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => void this.answer(req, Buffer.concat(chunks), res));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async answer(req: http.IncomingMessage, raw: Buffer, res: http.ServerResponse): Promise<void> {
    this.concurrent++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent);
    res.on('close', () => this.concurrent--);
    const number = ++this.requestsReceived;
    const delay = this.options.delayMs?.(number) ?? 0;
    // unref: a slow answer still pending when a test ends must not hold the process.
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay).unref());
    // Authenticate before decoding, as a real server would.
    if (this.options.authorize && !this.options.authorize(req, raw)) {
      return this.reply(res, 403, { error: 'forbidden' });
    }
    let body: Buffer;
    try {
      body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
    } catch {
      return this.reply(res, 400, { error: 'body is not gzip' });
    }
    const path = (req.url ?? '/').split('?')[0]!;
    const isBulk = path.endsWith('/_bulk');
    const lines = body
      .toString('utf8')
      .split('\n')
      .filter((line) => line !== '');
    this.requests.push({
      method: req.method ?? '',
      path,
      headers: req.headers,
      body,
      items: isBulk ? lines.length / 2 : lines.length,
    });
    const failure = this.options.requestFault?.(number);
    if (failure !== undefined) return this.reply(res, failure, this.requestError(failure));
    if (!isBulk) {
      for (const line of lines) {
        const doc = JSON.parse(line) as Record<string, unknown> & {
          '@metadata': { _id: string; _index: string };
        };
        const { '@metadata': meta, ...source } = doc;
        this.documents.set(meta._id, { index: meta._index, source });
      }
      return this.reply(res, 200, 'ok');
    }
    const results: Array<Record<string, unknown>> = [];
    const dropped = this.options.dropTrailingItems?.(number) ?? 0;
    for (let i = 0; i < lines.length - 2 * dropped; i += 2) {
      const action = JSON.parse(lines[i]!) as Record<string, { _index: string; _id: string }>;
      const [name, meta] = Object.entries(action)[0]!;
      const item: BulkItem = {
        action: name,
        index: meta._index,
        id: meta._id,
        source: JSON.parse(lines[i + 1]!),
      };
      const attempt = (this.attempts.get(item.id) ?? 0) + 1;
      this.attempts.set(item.id, attempt);
      results.push({ [name]: this.apply(item, attempt) });
    }
    const errors = results.some((r) => ((Object.values(r)[0] as { status: number }).status ?? 0) >= 300);
    return this.reply(res, 200, { took: 1, errors, items: results });
  }

  /** A whole request refused: the engines' error body (OpenSearch answers a full write queue so). */
  private requestError(status: number): Record<string, unknown> {
    const errors = ENGINE_ERRORS[this.options.flavor ?? 'elasticsearch'];
    const error =
      status === 429
        ? {
            type: errors.rejected,
            reason: 'rejected execution of TransportBulkAction on write, queue capacity = 1',
          }
        : { type: 'cluster_block_exception', reason: `scripted ${status}` };
    return { error: { root_cause: [error], ...error }, status };
  }

  private apply(item: BulkItem, attempt: number): Record<string, unknown> {
    const forced = this.options.itemFault?.(item, attempt);
    const base = { _index: item.index, _id: item.id };
    const errors = ENGINE_ERRORS[this.options.flavor ?? 'elasticsearch'];
    if (forced === 400) {
      return {
        ...base,
        status: 400,
        error: {
          type: errors.mapping,
          reason: `failed to parse field [json.n] of type [long] in document with id '${item.id}'. Preview of field's value: 'text'`,
          caused_by: { type: 'illegal_argument_exception', reason: 'For input string: "text"' },
        },
      };
    }
    if (forced === 429)
      return {
        ...base,
        status: 429,
        error: {
          type: errors.rejected,
          reason: 'rejected execution of TransportReplicationAction on write, queue capacity = 1',
        },
      };
    if (forced !== undefined && forced >= 500)
      return {
        ...base,
        status: forced,
        error: { type: 'unavailable_shards_exception', reason: 'primary shard is not active' },
      };
    if (item.action === 'create' && this.documents.has(item.id)) {
      return {
        ...base,
        status: 409,
        error: {
          type: 'version_conflict_engine_exception',
          reason: `[${item.id}]: version conflict, document already exists (current version [1])`,
          index: item.index,
          shard: '0',
        },
      };
    }
    this.documents.set(item.id, { index: item.index, source: item.source });
    this.creations.set(item.id, (this.creations.get(item.id) ?? 0) + 1);
    return {
      ...base,
      _version: 1,
      result: 'created',
      _shards: { total: 2, successful: 1, failed: 0 },
      status: 201,
    };
  }

  private reply(res: http.ServerResponse, status: number, body: unknown): void {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
    res.end(text);
  }
}
