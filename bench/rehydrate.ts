/**
 * Rehydration throughput against the splitter's own, on the same events: one Firehose object
 * (the splitter's input), the archive object the splitter writes of it, and the export object
 * CreateExportTask would write of its stream; each read by `rehydrate()` into the same delivery
 * (loopback _bulk sink in its own process). The baseline is splitStream() of the Firehose object
 * into that delivery, as the splitter function does. Rates: events/s, and MiB/s of the object as
 * stored (compressed) and decompressed. Objects are served from memory: S3 is not measured.
 */
import { gzipSync, gunzipSync } from 'node:zlib';
import type { CloudWatchLogEvent } from '../libs/forwarding/decoding/subscription';
import { createTransport, loadDestinationConfig } from '../libs/forwarding/destinations';
import { Delivery } from '../libs/forwarding/destinations/delivery';
import { Logger } from '../libs/runtime/logger';
import { loadDocumentStep } from '../libs/forwarding/pipeline/document-step';
import { noCheckpoint } from '../tools/rehydrate/checkpoint';
import { parseGroupSelector, type Layout } from '../tools/rehydrate/layout';
import { rehydrate } from '../tools/rehydrate/rehydrate';
import type { SourceStore, StoredObject } from '../tools/rehydrate/store';
import { archiveKey, archiveLine } from '../libs/splitter/archive';
import { splitStream } from '../libs/splitter/split-stream';
import { compare, fmt, startSink } from './support/measure';

const EVENTS = 120_000;
const PER_RECORD = 400;
const GROUP = '/aws/lambda/orders';
const STREAM = '2026/03/02/[$LATEST]0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const OWNER = '123456789012';
const START = Date.parse('2026-03-02T00:00:00Z');
const MiB = 1024 * 1024;

function message(n: number): string {
  switch (n % 4) {
    case 0:
      return JSON.stringify({
        level: n % 31 === 0 ? 'error' : 'info',
        msg: 'request done',
        path: '/v1/orders',
        status: 200,
        duration_ms: n % 900,
        order: `o-${n}`,
      });
    case 1:
      return `START RequestId: 6f0a${String(n).padStart(28, '0')} Version: $LATEST`;
    case 2:
      return `2026-03-02T01:02:03.456Z\t6f0a${String(n).padStart(28, '0')}\tINFO\tcharged order o-${n} for 12000 KRW (주문 완료)`;
    default:
      return `GET /v1/users/me 200 ${n % 5000}ms - upstream=orders-${n % 7}`;
  }
}

function events(): CloudWatchLogEvent[] {
  return Array.from({ length: EVENTS }, (_, n) => ({
    id: `38627627950000000000000000000000000000000000${String(n).padStart(12, '0')}`,
    timestamp: START + n * 500,
    message: message(n),
  }));
}

/** A Firehose object as CloudWatch Logs and Firehose write it: one gzip member per record. */
function firehoseObject(all: CloudWatchLogEvent[]): Buffer {
  const members: Buffer[] = [];
  for (let i = 0; i < all.length; i += PER_RECORD)
    members.push(
      gzipSync(
        JSON.stringify({
          messageType: 'DATA_MESSAGE',
          owner: OWNER,
          logGroup: GROUP,
          logStream: STREAM,
          subscriptionFilters: ['firehose'],
          logEvents: all.slice(i, i + PER_RECORD),
        }),
      ),
    );
  return Buffer.concat(members);
}

/** The bench's objects in memory, listed by "/" as S3 lists them. */
function memoryStore(objects: Map<string, Buffer>): SourceStore {
  const sorted = () => [...objects.keys()].sort();
  const stored = (key: string): StoredObject => ({
    key,
    size: objects.get(key)!.length,
    lastModified: new Date(START),
  });
  return {
    async listDirectory(prefix) {
      const directories = new Set<string>();
      const found: StoredObject[] = [];
      for (const key of sorted()) {
        if (!key.startsWith(prefix)) continue;
        const slash = key.indexOf('/', prefix.length);
        if (slash === -1) found.push(stored(key));
        else directories.add(key.slice(0, slash + 1));
      }
      return { directories: [...directories].sort(), objects: found };
    },
    listAll: async (prefix) =>
      sorted()
        .filter((key) => key.startsWith(prefix))
        .map(stored),
    async read(key) {
      const body = objects.get(key)!;
      return (async function* () {
        for (let offset = 0; offset < body.length; offset += 64 * 1024)
          yield body.subarray(offset, offset + 64 * 1024);
      })();
    },
  };
}

export async function run(): Promise<void> {
  const all = events();
  const firehose = firehoseObject(all);
  const archive = gzipSync(
    all.map((event) => archiveLine({ owner: OWNER, logGroup: GROUP, logStream: STREAM }, event)).join(''),
  );
  const exported = gzipSync(
    all.map((event) => `${new Date(event.timestamp).toISOString()} ${event.message}\n`).join(''),
  );
  const objects = new Map<string, Buffer>([
    ['raw/2026/03/02/00/logpipe-1-2026-03-02-00-00-00-bench', firehose],
    [archiveKey('archive', GROUP, '2026-03-02', 'logpipe-1-2026-03-02-00-00-00-bench'), archive],
    [`exports/aws/lambda/orders/dt=2026-03-02/task-1/${STREAM}/000000.gz`, exported],
  ]);
  const store = memoryStore(objects);
  const sink = await startSink();
  try {
    const env = {
      DESTINATION_URL: sink.url,
      INDEX_PREFIX: 'cwl',
      AWS_REGION: 'ap-northeast-2',
      LOG_LEVEL: 'warn',
    };
    const destination = loadDestinationConfig(env);
    const transport = createTransport(destination);
    const documents = loadDocumentStep(env);
    const log = new Logger({}, 'warn');
    const range = { from: START, to: START + 24 * 3600_000 };
    const delivery = () =>
      new Delivery(transport, { ...destination, timeLeft: () => Number.MAX_SAFE_INTEGER, log });

    const split = async () => {
      const target = delivery();
      await splitStream(await store.read([...objects.keys()][0]!), {
        source: { uri: 's3://bench/raw', writtenAt: new Date(START) },
        documents,
        maxRecordBytes: 16 * MiB,
        sink: target,
      });
      const report = await target.close();
      if (report.delivered !== EVENTS) throw new Error(`splitter delivered ${report.delivered}`);
    };
    const rehydrateFrom = (layout: Layout, prefix: string) => async () => {
      const summary = await rehydrate({
        sources: [{ ref: { bucket: 'bench', prefix }, layout, store }],
        groups: [parseGroupSelector(GROUP)],
        range,
        exportSpanDays: 0,
        lateHours: 0,
        documents,
        transport,
        delivery: destination,
        concurrency: 1,
        checkpoint: noCheckpoint,
        dryRun: false,
        owner: OWNER,
        maxRecordBytes: 16 * MiB,
        log,
      });
      if (summary.report.delivered !== EVENTS)
        throw new Error(`${layout} delivered ${summary.report.delivered}`);
    };
    const rates = await compare(
      EVENTS,
      {
        'splitter (splitStream)': split,
        'rehydrate firehose': rehydrateFrom('firehose', 'raw'),
        'rehydrate archive': rehydrateFrom('archive', 'archive'),
        'rehydrate exports': rehydrateFrom('exports', 'exports'),
      },
      5,
    );
    const sizes: Record<string, Buffer> = {
      'splitter (splitStream)': firehose,
      'rehydrate firehose': firehose,
      'rehydrate archive': archive,
      'rehydrate exports': exported,
    };
    const baseline = rates['splitter (splitStream)'];
    console.log(
      `${fmt(EVENTS)} events of one group and stream, one object per layout, to a loopback _bulk sink`,
    );
    console.log('variant                   events/s   MiB/s stored   MiB/s decompressed   vs splitter');
    for (const [name, eventsPerSecond] of Object.entries(rates)) {
      const seconds = EVENTS / eventsPerSecond;
      const stored = sizes[name]!;
      const raw = gunzipSync(stored).length; // every gzip member
      console.log(
        `${name.padEnd(24)} ${fmt(eventsPerSecond).padStart(9)}   ${fmt(stored.length / MiB / seconds, 1).padStart(12)}   ` +
          `${fmt(raw / MiB / seconds, 1).padStart(18)}   ${fmt(eventsPerSecond / baseline, 2).padStart(10)}x`,
      );
    }
  } finally {
    sink.stop();
  }
}
