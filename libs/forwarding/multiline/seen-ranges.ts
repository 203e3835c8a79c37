/**
 * The event ids of one log stream already read from an S3 object, as ranges: one per payload
 * (first id to last id), overlapping ranges merged. A payload of a subscription holds
 * consecutive events of its stream, so an id inside a range read before is an event read before
 * (Firehose delivered the payload again), and an id between two ranges is one not read yet.
 * Ranges that merely touch are not merged: a payload never read may still lie between them.
 */
export class SeenRanges {
  // Sorted by first id, disjoint: firsts[i] <= lasts[i] < firsts[i + 1].
  private readonly firsts: string[] = [];
  private readonly lasts: string[] = [];

  get size(): number {
    return this.firsts.length;
  }

  /** Whether `id` lies in a range read before. */
  has(id: string): boolean {
    const i = this.lastStartingAtOrBelow(id);
    return i >= 0 && compareIds(id, this.lasts[i]!) <= 0;
  }

  /** The greatest id read before that is below `id` (for an id not read yet), or undefined. */
  below(id: string): string | undefined {
    const i = this.lastStartingAtOrBelow(id);
    if (i < 0) return undefined;
    const last = this.lasts[i]!;
    return compareIds(last, id) < 0 ? last : undefined;
  }

  /** Adds a payload's range, merging the ranges it overlaps. */
  add(first: string, last: string): void {
    const { firsts, lasts } = this;
    const n = firsts.length;
    // The common case: a stream's payloads in order, each after every range read before.
    if (n === 0 || compareIds(first, lasts[n - 1]!) > 0) {
      firsts.push(first);
      lasts.push(last);
      return;
    }
    let from = this.lastStartingAtOrBelow(first);
    if (from < 0 || compareIds(lasts[from]!, first) < 0) from++; // the range before ends below it
    let to = from;
    while (to < n && compareIds(firsts[to]!, last) <= 0) to++;
    // Ranges from..to-1 overlap [first, last]: one range replaces them.
    const mergedFirst = to > from && compareIds(firsts[from]!, first) < 0 ? firsts[from]! : first;
    const mergedLast = to > from && compareIds(lasts[to - 1]!, last) > 0 ? lasts[to - 1]! : last;
    firsts.splice(from, to - from, mergedFirst);
    lasts.splice(from, to - from, mergedLast);
  }

  /** Index of the range with the greatest first id <= `id`; -1 if none. */
  private lastStartingAtOrBelow(id: string): number {
    const { firsts } = this;
    let low = 0;
    let high = firsts.length - 1;
    // Fast path for ids at or after the last range (payloads in order).
    if (high >= 0 && compareIds(firsts[high]!, id) <= 0) return high;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (compareIds(firsts[mid]!, id) <= 0) low = mid + 1;
      else high = mid - 1;
    }
    return high;
  }
}

/**
 * CloudWatch event ids are equal-length decimal strings, ascending within a stream; a shorter
 * string sorts first so that any strings get one total order.
 */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
