import { SplitFormatError } from './errors';
import { JsonValueSplitter, type ValueBytes } from './json-values';
import { LineSplitter, type LineText } from './lines';

/** A parsed record (a CloudWatch Logs subscription message) or a raw line (message extraction). */
export type SplitUnit =
  | { kind: 'record'; record: unknown; offset: number; bytes: number }
  | { kind: 'line'; text: string; offset: number };

export type ObjectFormat = 'records' | 'lines' | 'empty';

export interface UnitProgress {
  format: ObjectFormat;
  /** Decompressed bytes consumed so far: where a gzip fault happened. */
  offset: number;
}

/**
 * Units found before a fault, then the fault. The consumer handles `units` first, so
 * everything before the fault is delivered, then throws `error`.
 */
export interface UnitBatch {
  units: SplitUnit[];
  error?: unknown;
}

// How a record starts; tells a broken record from a raw line that happens to start with "{".
const RECORD_START = /^\s*\{\s*"(messageType|owner|logGroup|logStream|subscriptionFilters|logEvents)"/;

function parseJson(value: ValueBytes): unknown {
  try {
    return JSON.parse(value.bytes.toString('utf8'));
  } catch (cause) {
    throw new SplitFormatError(`record of ${value.bytes.length} bytes is not valid JSON`, value.offset, {
      cause,
    });
  }
}

function looksLikeRecord(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  return typeof record.messageType === 'string' || Array.isArray(record.logEvents);
}

function recordBatch(values: ValueBytes[], error?: unknown): UnitBatch {
  const units: SplitUnit[] = [];
  for (const value of values) {
    try {
      units.push({
        kind: 'record',
        record: parseJson(value),
        offset: value.offset,
        bytes: value.bytes.length,
      });
    } catch (parseError) {
      return { units, error: parseError };
    }
  }
  return { units, error };
}

const lineBatch = (lines: LineText[], error?: unknown): UnitBatch => ({
  units: lines.map((line) => ({ kind: 'line', text: line.text, offset: line.offset })),
  error,
});

/** Runs one splitter step, keeping what it found before a fault. */
function step<T>(run: (out: T[]) => void): { found: T[]; error?: unknown } {
  const found: T[] = [];
  try {
    run(found);
    return { found };
  } catch (error) {
    return { found, error };
  }
}

/**
 * Turns the decompressed bytes into units, one batch per chunk. The format is decided by the
 * first value: a JSON object that is a subscription message means records (concatenated or
 * newline-delimited); anything else means raw lines from message extraction (even JSON lines,
 * since extracted messages are often JSON). Until the first value is complete its chunks are
 * held (bounded by the maximum record size) so they can be replayed as lines.
 * A batch with `error` is the last one.
 */
export async function* splitUnits(
  decompressed: AsyncIterable<Buffer>,
  maxRecordBytes: number,
  progress: UnitProgress = { format: 'empty', offset: 0 },
): AsyncGenerator<UnitBatch> {
  const values = new JsonValueSplitter(maxRecordBytes);
  let lines: LineSplitter | undefined;
  let held: Buffer[] = [];
  let heldBytes = 0;

  const replayAsLines = (): LineSplitter => {
    const splitter = new LineSplitter(maxRecordBytes);
    progress.format = 'lines';
    lines = splitter;
    return splitter;
  };
  // A fault before the format is known is a broken record if the data starts like one.
  const startsLikeRecord = (): boolean =>
    RECORD_START.test(Buffer.concat(held, heldBytes).subarray(0, 4096).toString('utf8'));

  for await (const chunk of decompressed) {
    let batch: UnitBatch;
    if (lines !== undefined) {
      const splitter = lines;
      const { found, error } = step<LineText>((out) => splitter.push(chunk, out));
      batch = lineBatch(found, error);
    } else if (progress.format === 'records') {
      const { found, error } = step<ValueBytes>((out) => values.push(chunk, out));
      batch = recordBatch(found, error);
    } else {
      held.push(chunk);
      heldBytes += chunk.length;
      const { found, error } = step<ValueBytes>((out) => values.push(chunk, out));
      let first: unknown;
      if (found.length > 0) {
        try {
          first = JSON.parse(found[0]!.bytes.toString('utf8'));
        } catch {
          first = undefined;
        }
      }
      if (looksLikeRecord(first)) {
        progress.format = 'records';
        held = [];
        batch = recordBatch(found, error);
      } else if (found.length === 0 && error === undefined) {
        continue; // the first value is not complete yet
      } else if (found.length === 0 && startsLikeRecord()) {
        batch = { units: [], error };
      } else {
        const splitter = replayAsLines();
        const replay = step<LineText>((out) => held.forEach((piece) => splitter.push(piece, out)));
        held = [];
        batch = lineBatch(replay.found, replay.error);
      }
    }
    progress.offset = lines?.offset ?? values.offset;
    yield batch;
    if (batch.error !== undefined) return;
  }

  if (lines !== undefined) {
    yield lineBatch(lines.end());
  } else if (progress.format === 'records' || heldBytes === 0) {
    const { error } = step<never>(() => values.end());
    if (error !== undefined) yield { units: [], error };
  } else {
    const { error } = step<never>(() => values.end());
    if (error === undefined) return; // only whitespace
    if (startsLikeRecord()) {
      yield { units: [], error };
      return;
    }
    const splitter = replayAsLines();
    const replay = step<LineText>((out) => {
      held.forEach((piece) => splitter.push(piece, out));
      out.push(...splitter.end());
    });
    yield lineBatch(replay.found, replay.error);
  }
}
