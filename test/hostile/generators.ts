import fc from 'fast-check';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_JSON_DEPTH } from '../../libs/forwarding/decoding/json-depth';
import { MAX_TIME_MS, MIN_TIME_MS } from '../../libs/forwarding/decoding/timestamp';

/**
 * Hostile inputs, one generator per class. Each poison event carries the reason it must be
 * dead-lettered with (a pattern); hostile but good events (deep JSON, edge times) must be
 * indexed once.
 */

/** `{"a":{"a":…1…}}` nested `depth` levels. */
export const deepObject = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
/** `{"a":[[[…]]]}`: arrays count as levels too. */
export const deepArrays = (depth: number): string =>
  '{"a":' + '['.repeat(depth - 1) + ']'.repeat(depth - 1) + '}';

/** Around the kept depth, and around and past the stack limit of JSON.stringify (~4,000-10,000). */
export const DEPTHS = [MAX_JSON_DEPTH, MAX_JSON_DEPTH + 1, 1000, 4500, 10_000, 100_000];

/** Times a document can carry: the edges of years 0000-9999 and ordinary ones. */
export const GOOD_TIMES = [MIN_TIME_MS, MAX_TIME_MS, 0, -1, 1732122743505];
/** Finite numbers past those edges (and past the Date range). */
export const BAD_TIMES = [
  MIN_TIME_MS - 1,
  MAX_TIME_MS + 1,
  1e16,
  -1e16,
  8.64e15 + 1,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
];

export interface PlannedEvent {
  kind: 'good' | 'poison';
  /** The log event as CloudWatch Logs would carry it (id assigned later). */
  event: { timestamp?: unknown; message?: unknown; id?: unknown };
  /** For poison events: the reason the dead letter must give. */
  reason?: RegExp;
  /** For a deep good event: its message is indexed as text, without `json`. */
  deep?: boolean;
}

const goodLine = fc.oneof(
  fc.constantFrom(
    '2024-11-20T17:12:23.505Z\t830e95c2-4983-4e72-99f1-1aa410a0ffb0\tINFO\tFetching lists...',
    '{"level":"error","msg":"failed","order":42}',
    'START RequestId: 830e95c2-4983-4e72-99f1-1aa410a0ffb0 Version: $LATEST',
    '로그 한 줄 🙂',
  ),
  fc.string({ maxLength: 40 }),
);

export const goodEvent: fc.Arbitrary<PlannedEvent> = fc.oneof(
  fc.record({
    kind: fc.constant('good' as const),
    event: fc.record({ timestamp: fc.constantFrom(...GOOD_TIMES), message: goodLine }),
  }),
  // Deep JSON: kept as text (a crash in serialization used to fail the whole payload).
  fc.record({
    kind: fc.constant('good' as const),
    event: fc.record({
      timestamp: fc.constant(1732122743505),
      message: fc
        .constantFrom(...DEPTHS.filter((d) => d > MAX_JSON_DEPTH))
        .chain((depth) => fc.constantFrom(deepObject(depth), deepArrays(depth))),
    }),
    deep: fc.constant(true),
  }),
);

export const poisonEvent: fc.Arbitrary<PlannedEvent> = fc.oneof(
  fc.record({
    kind: fc.constant('poison' as const),
    event: fc.record({ timestamp: fc.constantFrom(...BAD_TIMES), message: goodLine }),
    reason: fc.constant(/outside years 0000-9999/),
  }),
  fc.record({
    kind: fc.constant('poison' as const),
    event: fc.record({
      timestamp: fc.constant(1732122743505),
      message: fc.constantFrom(42, null, { m: 'x' }),
    }),
    reason: fc.constant(/no string "message"/),
  }),
  fc.record({
    kind: fc.constant('poison' as const),
    event: fc.record({ timestamp: fc.constantFrom('soon', null), message: goodLine }),
    reason: fc.constant(/no numeric "timestamp"/),
  }),
);

/** A payload mixing good and poison events, in any order, at least one of each kind possible. */
export const mixedPayload = fc.array(
  fc.oneof({ weight: 3, arbitrary: goodEvent }, { weight: 1, arbitrary: poisonEvent }),
  {
    minLength: 1,
    maxLength: 12,
  },
);

/**
 * Leading whitespace floods for the splitter: `bytes` of one byte, fed lazily in fresh chunks
 * (as gunzip hands them over: holding them would cost their memory), then `then`.
 */
export async function* flood(
  byte: string,
  bytes: number,
  then: Buffer = Buffer.alloc(0),
  onChunk?: (n: number) => void,
  chunk = 1 << 16,
): AsyncGenerator<Buffer> {
  let n = 0;
  for (let sent = 0; sent < bytes; sent += chunk) {
    onChunk?.(n++);
    yield Buffer.alloc(Math.min(chunk, bytes - sent), byte);
  }
  if (then.length > 0) yield then;
}

/** A server that answers 200, then one byte every `everyMs`, never ending (a trickling destination). */
export class TricklingServer {
  private server: http.Server | undefined;
  readonly timers = new Set<NodeJS.Timeout>();
  closedByClient = 0;

  constructor(private readonly everyMs = 100) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        const timer = setInterval(() => res.write(' '), this.everyMs);
        this.timers.add(timer);
        res.on('close', () => {
          this.closedByClient++;
          clearInterval(timer);
          this.timers.delete(timer);
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

/** Secrets that are not what the auth kind expects; each holds `marker`, which must never be logged. */
export function malformedSecrets(marker: string): Array<{ name: string; value: string }> {
  return [
    { name: 'unquoted JSON value', value: `{"apiKey": ${marker}}` },
    { name: 'truncated JSON', value: `{"username":"elastic","password":"${marker}` },
    { name: 'single quotes', value: `{'username':'elastic','password':'${marker}'}` },
    { name: 'JSON array', value: `["${marker}"]` },
    { name: 'trailing garbage', value: `{"username":"elastic","password":"${marker}"} x` },
    { name: 'wrong keys', value: `{"user":"elastic","pass":"${marker}"}` },
  ];
}
