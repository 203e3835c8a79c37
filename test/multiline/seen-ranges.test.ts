import fc from 'fast-check';
import { compareIds, SeenRanges } from '../../libs/forwarding/multiline/seen-ranges';

const id = (n: number) => String(n).padStart(56, '0');

describe('the id ranges of the payloads read', () => {
  it('knows exactly the ids inside a range added, and the greatest range end below an id', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 8 })), {
          maxLength: 25,
        }),
        (ranges) => {
          const seen = new SeenRanges();
          const covered = new Set<number>();
          const ends: number[] = [];
          for (const [first, length] of ranges) {
            seen.add(id(first), id(first + length));
            for (let n = first; n <= first + length; n++) covered.add(n);
            ends.push(first + length);
          }
          const got: Array<[boolean, string | undefined]> = [];
          const want: Array<[boolean, string | undefined]> = [];
          for (let n = 0; n <= 70; n++) {
            const below = Math.max(-1, ...ends.filter((end) => end < n));
            got.push([seen.has(id(n)), covered.has(n) ? undefined : seen.below(id(n))]);
            want.push([covered.has(n), covered.has(n) || below < 0 ? undefined : id(below)]);
          }
          expect(got).toEqual(want);
          expect(seen.size).toBeLessThanOrEqual(ranges.length);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('orders ids of different lengths by length first', () => {
    expect(compareIds('9', '10')).toBeLessThan(0);
    expect(compareIds('10', '10')).toBe(0);
    expect(compareIds('11', '10')).toBeGreaterThan(0);
  });
});
