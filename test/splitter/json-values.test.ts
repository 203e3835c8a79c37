import fc from 'fast-check';
import { SplitFormatError } from '../../libs/splitter/errors';
import { JsonValueSplitter, type ValueBytes } from '../../libs/splitter/json-values';

function splitAll(chunks: Buffer[], max = 1 << 20): { values: string[]; offsets: number[] } {
  const splitter = new JsonValueSplitter(max);
  const found: ValueBytes[] = [];
  for (const chunk of chunks) splitter.push(chunk, found);
  splitter.end();
  return { values: found.map((v) => v.bytes.toString('utf8')), offsets: found.map((v) => v.offset) };
}

const tricky = [
  { msg: 'a }{ b', n: 1 },
  { msg: '{"nested":"}{\\"}"}', list: [1, [2, { x: '][' }]] },
  { msg: 'line\nbreak\r\n\ttab \\ backslash \\\\ "quoted" \u0000 \u2028' },
  { msg: '한국어 로그 메시지 😀 日本語', emoji: '👩‍💻' },
  { msg: '\\' },
  { msg: '\\"}{' },
  {},
];

describe('JsonValueSplitter', () => {
  const text = tricky.map((v) => JSON.stringify(v)).join('');
  const bytes = Buffer.from(text);

  it('splits concatenated values with no delimiter, whatever the strings hold', () => {
    const { values } = splitAll([bytes]);
    expect(values.map((v) => JSON.parse(v))).toEqual(tricky);
  });

  it('gives the same values when the stream is cut at every byte position (twice)', () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      const second = Math.min(bytes.length, cut + 7);
      const { values } = splitAll([
        bytes.subarray(0, cut),
        bytes.subarray(cut, second),
        bytes.subarray(second),
      ]);
      expect(values.map((v) => JSON.parse(v))).toEqual(tricky);
    }
  });

  it('handles one byte per chunk', () => {
    const chunks = [...bytes].map((b) => Buffer.from([b]));
    expect(splitAll(chunks).values.map((v) => JSON.parse(v))).toEqual(tricky);
  });

  it('accepts newline-delimited values and whitespace between them, with their offsets', () => {
    const { values, offsets } = splitAll([Buffer.from(' {"a":1}\n{"b":2}\r\n\t{"c":3}\n')]);
    expect(values).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
    expect(offsets).toEqual([1, 9, 19]);
  });

  it('is correct for any values cut into any chunks (property)', () => {
    const value = fc.dictionary(fc.string({ unit: 'grapheme' }), fc.jsonValue({ maxDepth: 3 }), {
      maxKeys: 4,
    });
    fc.assert(
      fc.property(
        fc.array(value, { maxLength: 5 }),
        fc.array(fc.nat(40), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (list, cuts, newlines) => {
          const joined = Buffer.from(list.map((v) => JSON.stringify(v)).join(newlines ? '\n' : ''));
          const chunks: Buffer[] = [];
          let offset = 0;
          for (let i = 0; offset < joined.length; i++) {
            const size = cuts[i % cuts.length]! + 1;
            chunks.push(joined.subarray(offset, offset + size));
            offset += size;
          }
          const { values } = splitAll(chunks);
          expect(values.map((v) => JSON.parse(v))).toEqual(JSON.parse(JSON.stringify(list)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reports garbage between records with its offset, keeping the values before it', () => {
    const splitter = new JsonValueSplitter(1024);
    const found: ValueBytes[] = [];
    expect(() => splitter.push(Buffer.from('{"a":1}{"b":2}xyz{"c":3}'), found)).toThrow(SplitFormatError);
    expect(found.map((v) => v.bytes.toString())).toEqual(['{"a":1}', '{"b":2}']);
    try {
      new JsonValueSplitter(1024).push(Buffer.from('{"a":1}  x'));
    } catch (error) {
      expect((error as SplitFormatError).offset).toBe(9);
      expect((error as Error).message).toContain('"x" (0x78)');
    }
  });

  it('reports a truncated value at the end with the offset where it starts', () => {
    const splitter = new JsonValueSplitter(1024);
    splitter.push(Buffer.from('{"a":1}{"b":"unfinished'));
    expect(() => splitter.end()).toThrow(/truncated record/);
    try {
      splitter.end();
    } catch (error) {
      expect((error as SplitFormatError).offset).toBe(7);
    }
  });

  it('refuses a value larger than the maximum, within a chunk or across chunks', () => {
    expect(() => new JsonValueSplitter(10).push(Buffer.from('{"a":"0123456789"}'))).toThrow(
      /larger than the maximum of 10/,
    );
    const splitter = new JsonValueSplitter(10);
    splitter.push(Buffer.from('{"a":"01'));
    expect(() => splitter.push(Buffer.from('23456789'))).toThrow(/larger than the maximum/);
  });
});
