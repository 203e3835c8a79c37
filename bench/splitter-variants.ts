/**
 * The splitter benchmark's variants, one per child process (bundled by bench/splitter.ts and
 * run with plain node), so each one's peak RSS is its own: `node variants.js <variant> <object>`.
 * Prints one JSON line: decompressed bytes, documents, milliseconds, peak RSS.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { createGunzip, gunzipSync } from 'node:zlib';
import { documentsFromLogsData } from '../libs/forwarding/documents/build';
import type { LogDocument } from '../libs/forwarding/documents/types';
import { createPipeline } from '../libs/forwarding/pipeline/pipeline';
import { Logger } from '../libs/runtime/logger';
import { deadlineAt } from '../libs/runtime/deadline';
import { decompressLayers } from '../libs/splitter/gzip-layers';
import { JsonValueSplitter, type ValueBytes } from '../libs/splitter/json-values';
import { splitStream } from '../libs/splitter/split-stream';
import { splitUnits } from '../libs/splitter/units';
import type { CloudWatchLogsData } from '../libs/forwarding/decoding/subscription';

interface Result {
  bytes: number;
  docs: number;
  ms: number;
  maxRssMb: number;
}

const READ_CHUNK = 1024 * 1024;
const quiet = new Logger({}, 'error', { write: () => true });
const forever = deadlineAt(Date.now() + 3_600_000);

/** The forwarder's own configuration; DESTINATION_* and BATCH_* from the environment apply (e.g. DESTINATION_GZIP). */
function forwarder(sinkUrl: string) {
  const tuning = Object.entries(process.env).filter(([name]) => /^(DESTINATION_|BATCH_)/.test(name));
  return createPipeline({
    ...Object.fromEntries(tuning),
    DESTINATION_URL: sinkUrl,
    AWS_REGION: 'ap-northeast-2',
  });
}

/** gunzip only: how fast this machine's zlib decompresses the object. */
async function gunzip(path: string): Promise<Partial<Result>> {
  let bytes = 0;
  const stream = createReadStream(path, { highWaterMark: READ_CHUNK }).pipe(
    createGunzip({ chunkSize: 65536 }),
  );
  for await (const chunk of stream as AsyncIterable<Buffer>) bytes += chunk.length;
  return { bytes };
}

/** The floor: gunzip plus JSON.parse of every record, with the record boundaries known for free. */
async function floor(path: string): Promise<Partial<Result>> {
  const lengths = JSON.parse(readFileSync(`${path}.records.json`, 'utf8')) as number[];
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let record = 0;
  let bytes = 0;
  const stream = createReadStream(path, { highWaterMark: READ_CHUNK }).pipe(
    createGunzip({ chunkSize: 65536 }),
  );
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    pending.push(chunk);
    pendingBytes += chunk.length;
    bytes += chunk.length;
    while (record < lengths.length && pendingBytes >= lengths[record]!) {
      const all = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
      const length = lengths[record++]!;
      JSON.parse(all.toString('utf8', 0, length));
      const rest = all.subarray(length);
      pending = [rest];
      pendingBytes = rest.length;
    }
  }
  return { bytes };
}

/** The splitter's streaming front half only: gzip layers, value splitting and JSON.parse. */
async function splitOnly(path: string): Promise<Partial<Result>> {
  const progress = { format: 'empty' as const, offset: 0 };
  const body = decompressLayers(createReadStream(path, { highWaterMark: READ_CHUNK }));
  let records = 0;
  for await (const batch of splitUnits(body, 64 * 1024 * 1024, progress)) records += batch.units.length;
  return { bytes: progress.offset, docs: records };
}

/** The whole splitter, documents built but discarded: the cost of the forwarder's document builder. */
async function splitterNoSink(path: string): Promise<Partial<Result>> {
  const stats = await splitStream(createReadStream(path, { highWaterMark: READ_CHUNK }), {
    source: { uri: 'file://bench', writtenAt: new Date() },
    documents: forwarder('http://127.0.0.1:9').documents,
    maxRecordBytes: 64 * 1024 * 1024,
    sink: { push: () => undefined, reject: () => undefined },
  });
  return { bytes: stats.decompressed_bytes, docs: stats.documents };
}

/** The splitter as deployed: documents through Delivery (bulk batches, gzip, 4 requests in flight) to the sink. */
async function splitter(path: string, sinkUrl: string): Promise<Partial<Result>> {
  const f = forwarder(sinkUrl);
  const delivery = f.openDelivery(forever, quiet);
  const stats = await splitStream(createReadStream(path, { highWaterMark: READ_CHUNK }), {
    source: { uri: 'file://bench', writtenAt: new Date() },
    documents: f.documents,
    maxRecordBytes: 64 * 1024 * 1024,
    sink: delivery,
  });
  const report = await delivery.close();
  if (report.delivered !== stats.documents)
    throw new Error(`delivered ${report.delivered} of ${stats.documents}`);
  return { bytes: stats.decompressed_bytes, docs: stats.documents };
}

/** What peers do: the whole object in memory, every record parsed, every document built, then sent. */
async function inMemory(path: string, sinkUrl: string): Promise<Partial<Result>> {
  const f = forwarder(sinkUrl);
  const plain = gunzipSync(readFileSync(path));
  const values: ValueBytes[] = [];
  new JsonValueSplitter(plain.length).push(plain, values);
  const records = values.map((value) => JSON.parse(value.bytes.toString('utf8')) as CloudWatchLogsData);
  const docs: LogDocument[] = [];
  for (const data of records)
    for (const doc of documentsFromLogsData(data, f.documents.options, () => undefined)) docs.push(doc);
  const delivery = f.openDelivery(forever, quiet);
  for (const doc of docs) {
    const slot = delivery.push(doc);
    if (slot) await slot;
  }
  await delivery.close();
  return { bytes: plain.length, docs: docs.length };
}

const variants: Record<string, (path: string, sinkUrl: string) => Promise<Partial<Result>>> = {
  gunzip,
  floor,
  'split-only': splitOnly,
  'splitter-no-sink': splitterNoSink,
  splitter,
  'in-memory': inMemory,
};

async function main(): Promise<void> {
  const [name, path, sinkUrl] = process.argv.slice(2);
  const variant = variants[name ?? ''];
  if (variant === undefined || path === undefined)
    throw new Error(`usage: <${Object.keys(variants).join('|')}> <object> [sink url]`);
  const started = performance.now();
  const result = await variant(path, sinkUrl ?? '');
  const ms = performance.now() - started;
  // maxRSS is in KiB on Linux.
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ bytes: 0, docs: 0, ...result, ms, maxRssMb }) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
