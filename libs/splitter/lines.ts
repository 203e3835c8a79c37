import { SplitFormatError } from './errors';

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** Only spaces, tabs and carriage returns; most lines fail at their first byte. */
function isBlank(bytes: Buffer, end: number): boolean {
  for (let i = 0; i < end; i++) {
    const byte = bytes[i]!;
    if (byte !== 0x20 && byte !== 0x09 && byte !== CARRIAGE_RETURN) return false;
  }
  return true;
}

/** One line of text and the byte offset where it starts in the decompressed stream. */
export interface LineText {
  text: string;
  offset: number;
}

/**
 * Splits a byte stream into lines (LF or CRLF), for objects written with Firehose's message
 * extraction: the raw messages, one per line. Decoding happens per complete line, so a
 * multi-byte character split across chunks is intact. Blank lines (empty, or spaces and tabs
 * only) are skipped: they are no log event.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private lineOffset = 0;
  private position = 0;

  /** `startOffset`: where the first byte pushed sits in the decompressed stream. */
  constructor(
    private readonly maxLineBytes: number,
    startOffset = 0,
  ) {
    this.position = startOffset;
  }

  get offset(): number {
    return this.position;
  }

  /** Appends the lines completed by this chunk; on a fault the lines before it are already appended. */
  push(chunk: Buffer, lines: LineText[] = []): LineText[] {
    let start = 0;
    for (let newline = chunk.indexOf(NEWLINE); newline !== -1; newline = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, newline);
      const offset = this.parts.length > 0 ? this.lineOffset : this.position + start;
      this.emit(lines, this.join(piece), offset);
      start = newline + 1;
    }
    if (start < chunk.length) {
      if (this.parts.length === 0) this.lineOffset = this.position + start;
      this.parts.push(chunk.subarray(start));
      this.partsBytes += chunk.length - start;
      this.checkSize(this.partsBytes, this.lineOffset);
    }
    this.position += chunk.length;
    return lines;
  }

  /** The last line may have no newline. */
  end(): LineText[] {
    const lines: LineText[] = [];
    if (this.parts.length > 0) this.emit(lines, this.join(Buffer.alloc(0)), this.lineOffset);
    return lines;
  }

  private join(last: Buffer): Buffer {
    if (this.parts.length === 0) return last;
    this.parts.push(last);
    const whole = Buffer.concat(this.parts, this.partsBytes + last.length);
    this.parts = [];
    this.partsBytes = 0;
    return whole;
  }

  private emit(lines: LineText[], bytes: Buffer, offset: number): void {
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === CARRIAGE_RETURN) end--;
    this.checkSize(end, offset);
    if (end === 0 || isBlank(bytes, end)) return;
    lines.push({ text: bytes.toString('utf8', 0, end), offset });
  }

  private checkSize(bytes: number, offset: number): void {
    if (bytes > this.maxLineBytes) {
      throw new SplitFormatError(`line longer than the maximum of ${this.maxLineBytes} bytes`, offset);
    }
  }
}
