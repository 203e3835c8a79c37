import { SplitFormatError } from './errors';
import { JsonValueSplitter, type ValueBytes } from './json-values';
import { LineSplitter, type LineText } from './lines';

/** A parsed record (a CloudWatch Logs subscription message) or a raw line (message extraction). */
export type SplitUnit =
  | { kind: 'record'; record: unknown; offset: number; bytes: number }
  /** A complete value (its bounds are known) that is not JSON: dead-lettered, the next goes on. */
  | { kind: 'invalid'; text: string; offset: number; problem: string }
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
      // The value splitter found where it ends, so the records after it are still sound.
      units.push({
        kind: 'invalid',
        text: value.bytes.toString('utf8'),
        offset: value.offset,
        problem: (parseError as SplitFormatError).problem ?? 'record is not valid JSON',
      });
    }
  }
  return { units, error };
}

const lineBatch = (lines: LineText[], error?: unknown): UnitBatch => ({
  units: lines.map((line) => ({ kind: 'line', text: line.text, offset: line.offset })),
  error,
});

const NEWLINE = 0x0a;
const isWhitespace = (byte: number) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

/**
 * Whitespace before the first value, which may be a flood (a GiB of newlines compresses to a
 * few MB). None of it is held: blank lines are no event in either format. Only the whitespace
 * since the last newline is kept (it begins the first line, should the object be lines), and
 * only up to the maximum record size: past it, that first line is known to be too long.
 */
class LeadingWhitespace {
  parts: Buffer[] = [];
  bytes = 0;
  /** Where the line holding the first content starts in the decompressed stream. */
  lineStart = 0;
  overlong = false;

  constructor(private readonly maxBytes: number) {}

  /** Takes `chunk`'s leading whitespace (at stream offset `position`); returns its length. */
  take(chunk: Buffer, position: number): number {
    let leading = 0;
    while (leading < chunk.length && isWhitespace(chunk[leading]!)) leading++;
    if (leading === 0) return 0;
    const newline = chunk.lastIndexOf(NEWLINE, leading - 1);
    if (newline >= 0) {
      this.parts = [];
      this.bytes = 0;
      this.overlong = false;
      this.lineStart = position + newline + 1;
    }
    const tail = chunk.subarray(newline + 1, leading);
    if (!this.overlong && tail.length > 0) {
      this.parts.push(tail);
      this.bytes += tail.length;
      if (this.bytes > this.maxBytes) {
        this.overlong = true;
        this.parts = [];
        this.bytes = 0;
      }
    }
    return leading;
  }
}

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
  // Bytes from the start of the first content's line, held until the format is known.
  let held: Buffer[] = [];
  let heldBytes = 0;
  const leading = new LeadingWhitespace(maxRecordBytes);
  let beforeContent = true;

  const replayAsLines = (): LineSplitter => {
    const splitter = new LineSplitter(maxRecordBytes, leading.lineStart);
    if (leading.overlong) {
      throw new SplitFormatError(
        `line longer than the maximum of ${maxRecordBytes} bytes`,
        leading.lineStart,
      );
    }
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
      if (beforeContent) {
        const skipped = leading.take(chunk, values.offset);
        if (skipped === chunk.length) {
          values.push(chunk); // whitespace only: finds no value, moves the offset
          progress.offset = values.offset;
          yield { units: [] }; // the caller checks its time budget between batches
          continue;
        }
        beforeContent = false;
        held = [...leading.parts, chunk.subarray(skipped)];
        heldBytes = leading.bytes + chunk.length - skipped;
        leading.parts = [];
      } else {
        held.push(chunk);
        heldBytes += chunk.length;
      }
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
        const replay = step<LineText>((out) => {
          const splitter = replayAsLines();
          held.forEach((piece) => splitter.push(piece, out));
        });
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
    const replay = step<LineText>((out) => {
      const splitter = replayAsLines();
      held.forEach((piece) => splitter.push(piece, out));
      out.push(...splitter.end());
    });
    yield lineBatch(replay.found, replay.error);
  }
}
