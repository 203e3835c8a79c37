import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { isGzip } from '../forwarding/decoding/gzip';
import { AppError } from '../runtime/errors';
import { GzipLayerError } from './errors';

/** Gzip inside the deepest layer peeled: what comes out would be binary, never log text. */
export class TooManyGzipLayersError extends AppError {
  constructor(readonly maxLayers: number) {
    super(`more than ${maxLayers} gzip layers (the data inside the last one is gzip again)`);
  }
}

// Larger than zlib's 16 KiB default: fewer chunks to hand through the async iterators.
const OUTPUT_CHUNK = 64 * 1024;

export interface LayerInfo {
  /** gzip layers found so far: 0 (plain), 1 (multi-member gzip) or 2 (gzip of gzip). */
  layers: number;
}

/** Reads from an iterator until at least `bytes` bytes are buffered (or the stream ends). */
async function peek(
  iterator: AsyncIterator<Buffer>,
  bytes: number,
): Promise<{ head: Buffer; done: boolean }> {
  const chunks: Buffer[] = [];
  let length = 0;
  while (length < bytes) {
    const next = await iterator.next();
    if (next.done) return { head: Buffer.concat(chunks, length), done: true };
    chunks.push(next.value);
    length += next.value.length;
  }
  return { head: Buffer.concat(chunks, length), done: false };
}

async function* prepend(
  head: Buffer,
  iterator: AsyncIterator<Buffer>,
  done: boolean,
): AsyncGenerator<Buffer> {
  if (head.length > 0) yield head;
  if (done) return;
  for (;;) {
    const next = await iterator.next();
    if (next.done) return;
    yield next.value;
  }
}

async function* gunzip(source: AsyncIterable<Buffer>, layer: number): AsyncGenerator<Buffer> {
  // Node's gunzip decodes every member of a multi-member file and rejects non-zero garbage after one.
  const inflater = createGunzip({ chunkSize: OUTPUT_CHUNK });
  let produced = 0;
  // Errors reach the iteration below (the inflater is destroyed with the same error). Not awaited
  // on the way out: after a fault, waiting for a stalled source to notice would only delay the report.
  void pipeline(Readable.from(source, { objectMode: false }), inflater).catch(() => undefined);
  try {
    for await (const chunk of inflater as AsyncIterable<Buffer>) {
      produced += chunk.length;
      yield chunk;
    }
  } catch (cause) {
    if ((cause as { code?: string }).code?.startsWith('Z_'))
      throw new GzipLayerError(layer, produced, { cause });
    throw cause;
  } finally {
    inflater.destroy();
  }
}

/**
 * Peels gzip layers detected by their magic bytes `1f 8b` (never by the key's extension):
 * none, one (CloudWatch's gzip members concatenated by Firehose) or more (Firehose's own GZIP
 * on top), up to `maxLayers`; gzip inside the last is TooManyGzipLayersError. Everything streams: memory is a few zlib buffers whatever the object size.
 */
export async function* decompressLayers(
  source: AsyncIterable<Buffer>,
  info: LayerInfo = { layers: 0 },
  maxLayers = 3,
): AsyncGenerator<Buffer> {
  let current: AsyncIterable<Buffer> = source;
  for (;;) {
    const iterator = current[Symbol.asyncIterator]();
    const { head, done } = await peek(iterator, 2);
    const rest = prepend(head, iterator, done);
    if (!isGzip(head)) {
      yield* rest;
      return;
    }
    // Rejected clearly rather than indexed as binary lines.
    if (info.layers >= maxLayers) {
      await iterator.return?.(); // closes the layers above (their inflaters)
      throw new TooManyGzipLayersError(maxLayers);
    }
    info.layers++;
    current = gunzip(rest, info.layers);
  }
}

/** Counts the bytes flowing through, e.g. how much of the S3 object was read when a fault happened. */
export async function* countBytes(
  source: AsyncIterable<Uint8Array>,
  counter: { bytes: number },
): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    const buffer = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    counter.bytes += buffer.length;
    yield buffer;
  }
}
