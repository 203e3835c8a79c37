import { SplitFormatError } from './errors';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** The bytes of one complete top-level JSON value and where it starts in the stream. */
export interface ValueBytes {
  bytes: Buffer;
  offset: number;
}

export function describeByte(byte: number): string {
  const hex = `0x${byte.toString(16).padStart(2, '0')}`;
  return byte >= 0x21 && byte <= 0x7e ? `"${String.fromCharCode(byte)}" (${hex})` : hex;
}

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/**
 * Finds top-level JSON objects in a byte stream fed chunk by chunk: `{..}{..}` with no
 * delimiter (what Firehose concatenates) and `{..}\n{..}` alike. It tracks only string,
 * escape and nesting state on bytes, so `}{`, newlines and escaped quotes inside strings are
 * never boundaries, and multi-byte UTF-8 characters split across chunks stay intact (their
 * bytes are all >= 0x80, never a quote or a brace). The values are returned as bytes for
 * JSON.parse to validate; memory is one value at most (bounded by `maxValueBytes`).
 */
export class JsonValueSplitter {
  private depth = 0;
  private inString = false;
  /** The last byte of the previous chunk was a backslash inside a string. */
  private escaped = false;
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private valueOffset = 0;
  /** Absolute offset of the next chunk's first byte. */
  private position = 0;

  constructor(private readonly maxValueBytes: number) {}

  /** Bytes consumed so far. */
  get offset(): number {
    return this.position;
  }

  /**
   * Appends the values completed by this chunk to `values`. On a fault it throws, and the
   * values found before the fault are already in `values` (so they can still be delivered).
   */
  push(chunk: Buffer, values: ValueBytes[] = []): ValueBytes[] {
    const n = chunk.length;
    let { depth, inString } = this;
    let start = 0; // where the current value starts in this chunk (0 when it began earlier)
    let i = 0;
    if (this.escaped && n > 0) {
      this.escaped = false;
      i = 1;
    }
    while (i < n) {
      if (inString) {
        // Most bytes of a record are inside message strings: this loop is the hot path.
        while (i < n) {
          const byte = chunk[i++]!;
          if (byte === QUOTE) {
            inString = false;
            break;
          }
          if (byte === BACKSLASH) {
            if (i < n) i++;
            else this.escaped = true;
          }
        }
        continue;
      }
      const byte = chunk[i]!;
      if (depth === 0) {
        if (byte === OPEN_BRACE) {
          depth = 1;
          start = i;
          this.valueOffset = this.position + i;
        } else if (!isWhitespace(byte)) {
          throw new SplitFormatError(`unexpected ${describeByte(byte)} between records`, this.position + i);
        }
        i++;
        continue;
      }
      i++;
      if (byte === QUOTE) inString = true;
      else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth++;
      else if ((byte === CLOSE_BRACE || byte === CLOSE_BRACKET) && --depth === 0) {
        values.push({ bytes: this.complete(chunk.subarray(start, i)), offset: this.valueOffset });
      }
    }
    this.depth = depth;
    this.inString = inString;
    if (depth > 0) this.keep(chunk.subarray(start));
    this.position += n;
    return values;
  }

  /** Call at the end of the stream: a value still open means the data was truncated. */
  end(): void {
    if (this.depth > 0) {
      throw new SplitFormatError(
        `truncated record: ${this.partsBytes} bytes from its start, the stream ended inside it`,
        this.valueOffset,
      );
    }
  }

  private keep(piece: Buffer): void {
    this.parts.push(piece);
    this.partsBytes += piece.length;
    this.checkSize(this.partsBytes);
  }

  private complete(last: Buffer): Buffer {
    if (this.parts.length === 0) {
      this.checkSize(last.length);
      return last;
    }
    this.checkSize(this.partsBytes + last.length);
    this.parts.push(last);
    const whole = Buffer.concat(this.parts, this.partsBytes + last.length);
    this.parts = [];
    this.partsBytes = 0;
    return whole;
  }

  private checkSize(bytes: number): void {
    if (bytes > this.maxValueBytes) {
      throw new SplitFormatError(
        `record larger than the maximum of ${this.maxValueBytes} bytes`,
        this.valueOffset,
      );
    }
  }
}
