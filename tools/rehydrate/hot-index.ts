import {
  createAuthorizer,
  type DestinationConfig,
  type DestinationDeps,
} from '../../libs/forwarding/destinations';
import { redactCredentials } from '../../libs/forwarding/destinations/auth';
import { HttpClient } from '../../libs/forwarding/destinations/http';
import { requestUrl } from '../../libs/forwarding/destinations/url';
import type { DocumentSink } from '../../libs/forwarding/documents/guard';
import type { RejectedEvent } from '../../libs/forwarding/documents/guard';
import type { LogDocument } from '../../libs/forwarding/documents/types';
import { AppError, describeError } from '../../libs/runtime/errors';

/**
 * Exported lines carry no CloudWatch event id, so their documents cannot collide by `_id` with
 * the forwarder's documents of the same events. Before they are written into an index the
 * forwarder also writes, the index is asked what it holds for the same group and stream over
 * the documents' time span, and a document is dropped when an indexed one has the same stream,
 * millisecond and message: n identical indexed documents absorb n identical exported lines.
 */

export class HotIndexError extends AppError {}

/** One page of `_search`: each hit's `_source` and sort values. */
export type EngineSearch = (index: string, body: Record<string, unknown>) => Promise<SearchHit[]>;

export interface SearchHit {
  _source?: { message?: unknown; aws?: { cloudwatch?: { log_group?: unknown; log_stream?: unknown } } };
  sort?: unknown[];
}

/** `_search` on the destination, with its authentication; a missing index answers no hits. */
export function engineSearch(config: DestinationConfig, deps: DestinationDeps): EngineSearch {
  const base = config.url;
  if (base === undefined) throw new HotIndexError('the hot index look-up needs DESTINATION_URL');
  const http = new HttpClient(Math.max(1, config.concurrency));
  const auth = createAuthorizer(config, deps);
  return async (index, body) => {
    const request = {
      url: requestUrl(base, `${encodeURIComponent(index)}/_search`, {
        ignore_unavailable: 'true',
        filter_path: 'hits.hits._source,hits.hits.sort',
      }),
      method: 'POST' as const,
      headers: { 'content-type': 'application/json' } as Record<string, string>,
      body: Buffer.from(JSON.stringify(body)),
    };
    Object.assign(request.headers, await auth.authorize(request));
    const response = await http.request({ ...request, timeoutMs: config.requestTimeoutMs });
    if (response.status !== 200)
      throw new HotIndexError(
        `${index}/_search answered ${response.status}: ${redactCredentials(response.body.slice(0, 2000), request.headers).slice(0, 200)}`,
      );
    const answer = JSON.parse(response.body) as { hits?: { hits?: SearchHit[] } };
    return answer.hits?.hits ?? [];
  };
}

/** The engine's default `index.max_result_window`: `from + size` past it is refused. */
const MAX_RESULT_WINDOW = 10_000;

/**
 * `<ms>\n<message>` of every document of one group and stream with `@timestamp` in [from, to],
 * paged by time (sorted by `@timestamp`, `pageSize` per request, only the fields compared). A
 * page that ends inside a millisecond is read again from that millisecond; a page that is all
 * one millisecond goes on with `from` (more than 10,000 documents in one millisecond of one
 * stream is refused by the engine and fails the object rather than guessing).
 */
export async function indexedLines(
  search: EngineSearch,
  index: string,
  logGroup: string,
  logStream: string,
  range: { from: number; to: number },
  pageSize: number,
): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  const either = (field: string, value: string) => ({
    // A dynamic mapping makes strings text with a `.keyword`; the template makes them keyword.
    bool: {
      should: [{ term: { [field]: value } }, { term: { [`${field}.keyword`]: value } }],
      minimum_should_match: 1,
    },
  });
  let lowest = range.from;
  let skip = 0;
  for (;;) {
    if (skip + pageSize > MAX_RESULT_WINDOW)
      throw new HotIndexError(
        `${index}: more than ${MAX_RESULT_WINDOW} documents of ${logStream} at ${new Date(lowest).toISOString()}`,
      );
    const hits = await search(index, {
      size: pageSize,
      from: skip,
      // A date field sorts by epoch milliseconds: the sort value is the document's millisecond.
      sort: [{ '@timestamp': { order: 'asc' } }],
      _source: ['message', 'aws.cloudwatch.log_group', 'aws.cloudwatch.log_stream'],
      track_total_hits: false,
      query: {
        bool: {
          filter: [
            { range: { '@timestamp': { gte: lowest, lte: range.to, format: 'epoch_millis' } } },
            either('aws.cloudwatch.log_group', logGroup),
            either('aws.cloudwatch.log_stream', logStream),
          ],
        },
      },
    });
    const timeOf = (hit: SearchHit) => Number(hit.sort?.[0]);
    const full = hits.length >= pageSize;
    const last = full ? timeOf(hits[hits.length - 1]!) : Number.POSITIVE_INFINITY;
    const allOneMs = full && timeOf(hits[0]!) === last;
    for (const hit of hits) {
      const time = timeOf(hit);
      // The last millisecond of a full page is read whole by the next request.
      if (full && !allOneMs && time >= last) break;
      const source = hit._source;
      const cloudwatch = source?.aws?.cloudwatch;
      if (
        typeof source?.message !== 'string' ||
        cloudwatch?.log_group !== logGroup ||
        cloudwatch.log_stream !== logStream ||
        !Number.isFinite(time)
      )
        continue;
      const key = `${time}\n${source.message}`;
      found.set(key, (found.get(key) ?? 0) + 1);
    }
    if (!full) return found;
    if (allOneMs) skip += pageSize;
    else {
      lowest = last;
      skip = 0;
    }
  }
}

export interface HotIndexFilterOptions {
  search: EngineSearch;
  /** Documents looked up together (one search span). */
  chunkDocs?: number;
  pageSize?: number;
  /** Counts each document dropped because the index holds it. */
  onFound: () => void;
}

interface StreamState {
  /** Index copies of `<ms>\n<message>` already used to drop a document of this object. */
  used: Map<string, number>;
  /** Documents before this time were in a chunk whose uses were forgotten: never dropped. */
  forgottenBefore: number;
}

/**
 * A DocumentSink in front of the delivery for one export object's documents: collects
 * `chunkDocs`, looks up each (index, group, stream) span of them, pushes those the index does
 * not already hold. `flush()` before the delivery is closed.
 */
export class HotIndexFilter implements DocumentSink {
  private buffer: LogDocument[] = [];
  private readonly streams = new Map<string, StreamState>();
  private readonly chunkDocs: number;
  private readonly pageSize: number;

  constructor(
    private readonly sink: DocumentSink,
    private readonly options: HotIndexFilterOptions,
  ) {
    this.chunkDocs = options.chunkDocs ?? 2000;
    this.pageSize = options.pageSize ?? 1000;
  }

  push(doc: LogDocument): Promise<void> | undefined {
    this.buffer.push(doc);
    return this.buffer.length >= this.chunkDocs ? this.flush() : undefined;
  }

  reject(rejected: RejectedEvent): void {
    this.sink.reject(rejected);
  }

  async flush(): Promise<void> {
    const docs = this.buffer;
    this.buffer = [];
    if (docs.length === 0) return;
    const spans = new Map<
      string,
      { index: string; group: string; stream: string; from: number; to: number }
    >();
    const times = docs.map((doc) => Date.parse(doc._source['@timestamp']));
    docs.forEach((doc, i) => {
      const cloudwatch = doc._source.aws.cloudwatch;
      const time = times[i]!;
      if (cloudwatch === undefined || Number.isNaN(time)) return;
      const key = `${doc._index}\n${cloudwatch.log_group}\n${cloudwatch.log_stream}`;
      const span = spans.get(key);
      if (span === undefined)
        spans.set(key, {
          index: doc._index,
          group: cloudwatch.log_group,
          stream: cloudwatch.log_stream,
          from: time,
          to: time,
        });
      else {
        span.from = Math.min(span.from, time);
        span.to = Math.max(span.to, time);
      }
    });
    const available = new Map<string, Map<string, number>>();
    for (const [key, span] of spans) {
      let state = this.streams.get(key);
      if (state === undefined) {
        state = { used: new Map(), forgottenBefore: Number.NEGATIVE_INFINITY };
        this.streams.set(key, state);
      }
      const from = Math.max(span.from, state.forgottenBefore);
      const indexed =
        from > span.to
          ? new Map<string, number>()
          : await indexedLines(
              this.options.search,
              span.index,
              span.group,
              span.stream,
              { from, to: span.to },
              this.pageSize,
            ).catch((error: unknown) => {
              throw new HotIndexError(`hot index look-up: ${describeError(error).message}`, { cause: error });
            });
      for (const [line, used] of state.used) {
        const left = (indexed.get(line) ?? 0) - used;
        if (left > 0) indexed.set(line, left);
        else indexed.delete(line);
      }
      // Uses before this span are forgotten (memory stays one chunk): a later document before
      // it is pushed as it is (its own `_id` still makes a rerun harmless).
      for (const line of state.used.keys())
        if (Number(line.slice(0, line.indexOf('\n'))) < from) state.used.delete(line);
      state.forgottenBefore = Math.max(state.forgottenBefore, from);
      available.set(key, indexed);
    }
    for (let i = 0; i < docs.length; i++) {
      const doc = docs[i]!;
      const cloudwatch = doc._source.aws.cloudwatch;
      const key = cloudwatch && `${doc._index}\n${cloudwatch.log_group}\n${cloudwatch.log_stream}`;
      const indexed = key === undefined ? undefined : available.get(key);
      const line = `${times[i]}\n${doc._source.message}`;
      const left = indexed?.get(line) ?? 0;
      if (left > 0 && times[i]! >= this.streams.get(key!)!.forgottenBefore) {
        indexed!.set(line, left - 1);
        const used = this.streams.get(key!)!.used;
        used.set(line, (used.get(line) ?? 0) + 1);
        this.options.onFound();
        continue;
      }
      let slot: Promise<void> | undefined;
      try {
        slot = this.sink.push(doc);
      } catch (error) {
        // As the guard does when the delivery cannot encode a document: dead-letter it, go on.
        this.sink.reject({ reason: `document: ${describeError(error).message}`, event: doc._source });
        continue;
      }
      if (slot !== undefined) await slot;
    }
  }
}
