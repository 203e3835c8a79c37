import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { documentsFromLogsData } from '../../libs/forwarding/documents/build';
import {
  chunked,
  concatenated,
  control,
  multiMember,
  newlineDelimited,
  options,
  record,
  split,
} from './support';

const message = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.constantFrom('}{', '{"a":"}{"}', '\\"}{\\"', '한국어 }{ 로그', 'line\nbreak\r\n', '\\', '"'),
  fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
);

const encodings = {
  'multi-member gzip': multiMember,
  'double gzip': (records: unknown[]) => gzipSync(multiMember(records)),
  concatenated,
  'newline-delimited': newlineDelimited,
  'gzip of newline-delimited': (records: unknown[]) => gzipSync(newlineDelimited(records)),
};

describe('splitStream (property)', () => {
  it('delivers every event exactly once as the forwarder’s document, whatever the format and chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(message, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 6 }),
        fc.constantFrom(...(Object.keys(encodings) as Array<keyof typeof encodings>)),
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        async (batches, encoding, sizes, withControl) => {
          let first = 0;
          const records: unknown[] = batches.map((messages) => {
            const data = record(first, messages);
            first += messages.length;
            return data;
          });
          if (withControl) records.splice(1, 0, control);
          const want = records.flatMap((r) => [
            ...documentsFromLogsData(r as never, options, () => undefined),
          ]);
          const out = await split(chunked(encodings[encoding](records), sizes));
          expect(out.error).toBeUndefined();
          expect(out.docs).toEqual(want);
        },
      ),
      { numRuns: 150 },
    );
  });
});
