/**
 * A fixed built-in's pattern on V8's RegExp instead of re2js. re2js pays ~10-30 us of set-up
 * per call even on a 40-character span, and on a CloudTrail record (addresses, access key ids,
 * long digit ids in every record) that set-up was most of masking's cost. Only built-ins move,
 * and only patterns written so V8 cannot backtrack catastrophically: a literal or one class
 * before each bounded or unambiguous repeat, no nested unbounded quantifiers. User patterns stay
 * on RE2. test/events/v8-builtins.test.ts checks each V8 form answers as its RE2 form.
 */
export interface MaskMatcher {
  find(): boolean;
  start(): number;
  end(): number;
  group(i: number | string): string | null;
}

/** What replaceMatches needs of a pattern: RE2JS has this shape, and so do the V8 forms. */
export interface MaskRegex {
  test(text: string): boolean;
  matcher(text: string): MaskMatcher;
  /** True for the V8 forms: finding the first match costs no more than a test. */
  readonly findScansOnce?: boolean;
}

/** Matches one after another from `lastIndex`, skipping past empty ones (as RE2's find does). */
class V8Matcher implements MaskMatcher {
  private current: RegExpExecArray | null = null;
  private from = 0;

  constructor(
    private readonly text: string,
    private readonly next: (text: string, from: number) => RegExpExecArray | null,
  ) {}

  find(): boolean {
    if (this.from > this.text.length) return false;
    const match = this.next(this.text, this.from);
    this.current = match;
    if (match === null) {
      this.from = this.text.length + 1;
      return false;
    }
    const end = match.index + match[0].length;
    this.from = end === match.index ? end + 1 : end;
    return true;
  }

  start(): number {
    return this.current!.index;
  }

  end(): number {
    return this.current!.index + this.current![0].length;
  }

  group(i: number | string): string | null {
    const value = typeof i === 'number' ? this.current![i] : this.current!.groups?.[i];
    return value ?? null;
  }
}

/** Leftmost-first matching, as RE2's default (and Perl's, and V8's). */
export function v8Regex(source: string, flags = ''): MaskRegex {
  const tester = new RegExp(source, flags);
  const finder = new RegExp(source, `${flags}g`);
  const next = (text: string, from: number) => {
    finder.lastIndex = from;
    return finder.exec(text);
  };
  return {
    test: (text) => tester.test(text),
    matcher: (text) => new V8Matcher(text, next),
    findScansOnce: true,
  };
}

/**
 * Leftmost-longest matching of an alternation (RE2's LONGEST_MATCH): the earliest position any
 * alternative matches at, then the longest of the alternatives' matches there. Each alternative
 * must itself match its longest at a position when it matches (greedy, no choice that ends it
 * earlier and lets it go further): the property test holds the forms to that.
 */
export function v8LongestRegex(alternatives: readonly string[]): MaskRegex {
  const any = alternatives.map((alt) => `(?:${alt})`).join('|');
  const tester = new RegExp(any);
  const finder = new RegExp(any, 'g');
  const each = alternatives.map((alt) => new RegExp(alt, 'y'));
  const next = (text: string, from: number): RegExpExecArray | null => {
    finder.lastIndex = from;
    const first = finder.exec(text);
    if (first === null) return null;
    let longest: RegExpExecArray = first;
    for (const sticky of each) {
      sticky.lastIndex = first.index;
      const match = sticky.exec(text);
      if (match !== null && match[0].length > longest[0].length) longest = match;
    }
    return longest;
  };
  return {
    test: (text) => tester.test(text),
    matcher: (text) => new V8Matcher(text, next),
    findScansOnce: true,
  };
}
