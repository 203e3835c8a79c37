import fc from 'fast-check';
import {
  numberSource,
  quoteNumbers,
  restoreNumbers,
} from '../../libs/forwarding/filters-and-masks/source-numbers';

/**
 * The placeholders that keep a masked record's numbers as written (source-numbers.ts): a text
 * parses with them exactly when it parses without, and a round trip gives the text back.
 */
const PIECES = [
  ...'{}[],:"\\ -+.0123456789eEtruefalsn\t',
  'true',
  'null',
  '"k"',
  '"\\u0000"',
  '1e400',
  '-0',
  '01',
];
const fragment = fc.array(fc.constantFrom(...PIECES), { maxLength: 25 }).map((parts) => parts.join(''));
const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe('numbers kept as written through a parse', () => {
  it('a text parses with its numbers made placeholders exactly when it parses as it is', () => {
    fc.assert(
      fc.property(fragment, (text) => {
        expect([text, parses(quoteNumbers(text).text)]).toEqual([text, parses(text)]);
      }),
      { numRuns: 10000 },
    );
  });

  it('a round trip of valid JSON gives the same values back, each number as written', () => {
    const number = fc.constantFrom('9007199254740993', '-0', '0.0', '1e400', '1.10', '1E+2', '-2e-5', '7');
    const space = fc.constantFrom('', ' ', '\n\t');
    const json: fc.Arbitrary<string> = fc
      .letrec<{ value: string }>((tie) => ({
        value: fc.oneof(
          { depthSize: 'small', withCrossShrink: true },
          number,
          fc.constantFrom('"x"', 'true', 'null', '"\\u0000"', '"1"'),
          fc
            .array(fc.tuple(space, tie('value')), { maxLength: 4 })
            .map((items) => `[${items.map(([s, v]) => s + v).join(',')}]`),
          fc
            .uniqueArray(fc.tuple(fc.constantFrom('a', 'b', '-1'), space, tie('value')), {
              maxLength: 4,
              selector: ([key]) => key,
            })
            .map((entries) => `{${entries.map(([k, s, v]) => `"${k}"${s}:${s}${v}`).join(',')}}`),
        ),
      }))
      .value.filter((text) => /^[[{]/.test(text));
    fc.assert(
      fc.property(json, (text) => {
        const { text: quoted, numbers } = quoteNumbers(text);
        const restored = restoreNumbers(JSON.stringify(JSON.parse(quoted)), numbers);
        // The same values (toEqual tells -0 from 0), and the numbers as the text writes them.
        expect([text, JSON.parse(restored)]).toEqual([text, JSON.parse(text)]);
        const written = (json: string) =>
          json
            .replace(/"(?:[^"\\]|\\.)*"|\s/g, '')
            .split(/[^0-9eE.+-]+/)
            .filter(Boolean);
        expect([text, written(restored)]).toEqual([text, written(text)]);
      }),
      { numRuns: 3000 },
    );
  });

  it('restores 2^53+1, -0, 1e400 and 1.10 as written, and reads placeholders only', () => {
    const text = '{"a":[9007199254740993,-0,1e400,1.10],"s":"\\u0000"}';
    const { text: quoted, numbers } = quoteNumbers(text);
    const tree = JSON.parse(quoted) as { a: string[]; s: string };
    expect(tree.a.map((value) => numberSource(value, numbers))).toEqual([
      '9007199254740993',
      '-0',
      '1e400',
      '1.10',
    ]);
    expect(numberSource(tree.s, numbers)).toBeUndefined();
    expect(restoreNumbers(JSON.stringify(tree), numbers)).toBe(
      '{"a":[9007199254740993,-0,1e400,1.10],"s":"\\u0000"}',
    );
  });
});
