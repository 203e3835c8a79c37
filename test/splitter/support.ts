import { gzipSync } from 'node:zlib';
import type { CloudWatchLogEvent, CloudWatchLogsData } from '../../libs/forwarding/decoding/subscription';
import type { RejectedEvent } from '../../libs/forwarding/documents/guard';
import { documentOptions, loadDocumentConfig } from '../../libs/forwarding/documents/config';
import { DocumentStep } from '../../libs/forwarding/pipeline/document-step';
import type { LogDocument } from '../../libs/forwarding/documents/types';
import { splitStream, type SplitOptions, type SplitStats } from '../../libs/splitter/split-stream';
import { controlMessage, eventId, logsData } from '../support/subscription';

export const options = documentOptions(loadDocumentConfig({ AWS_REGION: 'ap-northeast-2' }));
const documents = new DocumentStep(options);

/** A DATA_MESSAGE whose events are numbered from `first` (ids unique across records). */
export function record(
  first: number,
  messages: string[],
  overrides: Partial<CloudWatchLogsData> = {},
): CloudWatchLogsData {
  const data = logsData(
    messages.map((message, i) => ({ message, id: eventId(first + i), timestamp: 1732122743505 + first + i })),
    overrides,
  );
  return data;
}

export const control: CloudWatchLogsData = controlMessage('Firehose');

/** What Firehose writes by default: each record gzipped by CloudWatch Logs, concatenated. */
export const multiMember = (records: unknown[]): Buffer =>
  Buffer.concat(records.map((r) => gzipSync(JSON.stringify(r))));
export const concatenated = (records: unknown[]): Buffer =>
  Buffer.from(records.map((r) => JSON.stringify(r)).join(''));
export const newlineDelimited = (records: unknown[]): Buffer =>
  Buffer.from(records.map((r) => JSON.stringify(r) + '\n').join(''));

/** Feeds a buffer in chunks of the given sizes (cycled). */
export async function* chunked(bytes: Buffer, sizes: number[] = [65536]): AsyncGenerator<Buffer> {
  let offset = 0;
  for (let i = 0; offset < bytes.length; i++) {
    const size = Math.max(1, sizes[i % sizes.length]!);
    yield bytes.subarray(offset, offset + size);
    offset += size;
  }
}

export async function* splitAt(bytes: Buffer, ...cuts: number[]): AsyncGenerator<Buffer> {
  let previous = 0;
  for (const cut of [...cuts, bytes.length]) {
    if (cut > previous) yield bytes.subarray(previous, cut);
    previous = Math.max(previous, cut);
  }
}

export interface Collected {
  docs: LogDocument[];
  rejected: RejectedEvent[];
  stats?: SplitStats;
  error?: unknown;
}

/** Runs splitStream into arrays; a fault is returned, not thrown, with what came before it. */
export async function split(
  body: AsyncIterable<Uint8Array> | Buffer,
  overrides: Partial<SplitOptions> = {},
): Promise<Collected> {
  const out: Collected = { docs: [], rejected: [] };
  const source = Buffer.isBuffer(body) ? chunked(body) : body;
  try {
    out.stats = await splitStream(source, {
      source: { uri: 's3://raw/key', bucket: 'raw', key: 'key', writtenAt: new Date('2024-11-20T17:00:00Z') },
      documents,
      maxRecordBytes: 1024 * 1024,
      sink: { push: (doc) => void out.docs.push(doc), reject: (r) => void out.rejected.push(r) },
      ...overrides,
    });
  } catch (error) {
    out.error = error;
  }
  return out;
}

export const ids = (docs: LogDocument[]) => docs.map((d) => d._id);
export const messages = (docs: LogDocument[]) => docs.map((d) => d._source.message);
export type { CloudWatchLogEvent };
