/**
 * Event times in the formats logs write them, declared like Fluent Bit's `Time_Format`
 * (strptime tokens), so a parsers.conf can be carried over unchanged. Besides strptime formats,
 * `iso8601`, `epoch` (seconds) and `epoch_ms` are accepted.
 */
export type TimeParser = (value: unknown) => number | undefined;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const ISO_8601 = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

type Part = 'Y' | 'y' | 'm' | 'd' | 'H' | 'M' | 'S' | 'b' | 'z' | 'L' | 's';

const TOKENS: Record<string, { regex: string; part?: Part }> = {
  Y: { regex: '(\\d{4})', part: 'Y' },
  y: { regex: '(\\d{2})', part: 'y' },
  m: { regex: '(\\d{1,2})', part: 'm' },
  d: { regex: '(\\d{1,2})', part: 'd' },
  e: { regex: ' ?(\\d{1,2})', part: 'd' },
  H: { regex: '(\\d{1,2})', part: 'H' },
  M: { regex: '(\\d{1,2})', part: 'M' },
  S: { regex: '(\\d{1,2})', part: 'S' },
  b: { regex: '([A-Za-z]{3})', part: 'b' },
  h: { regex: '([A-Za-z]{3})', part: 'b' },
  B: { regex: '([A-Za-z]{3})[A-Za-z]*', part: 'b' },
  z: { regex: '(Z|[+-]\\d{2}:?\\d{2})', part: 'z' },
  L: { regex: '(\\d+)', part: 'L' },
  f: { regex: '(\\d+)', part: 'L' },
  s: { regex: '(\\d+)', part: 's' },
  a: { regex: '[A-Za-z]+' },
  A: { regex: '[A-Za-z]+' },
  '%': { regex: '%' },
};

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

function epochParser(scale: number): TimeParser {
  return (value) => {
    const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
    return typeof value === 'string' && value.trim() === ''
      ? undefined
      : Number.isFinite(number)
        ? Math.round(number * scale)
        : undefined;
  };
}

/** Compiles a format; throws an Error naming the problem (the caller adds the rule and field). */
export function compileTimeFormat(format: string): TimeParser {
  if (format === 'epoch') return epochParser(1000);
  if (format === 'epoch_ms') return epochParser(1);
  if (format === 'iso8601') {
    return (value) => {
      if (typeof value !== 'string' || !ISO_8601.test(value)) return undefined;
      // Without a zone the time is taken as UTC (Lambda runs in UTC; be explicit anyway).
      const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/.test(value) ? value : `${value}Z`;
      const ms = Date.parse(zoned.replace(' ', 'T'));
      return Number.isNaN(ms) ? undefined : ms;
    };
  }
  let source = '^';
  const parts: Part[] = [];
  for (let i = 0; i < format.length; i++) {
    const char = format[i]!;
    if (char !== '%') {
      source += escapeRegex(char);
      continue;
    }
    const token = format[++i];
    if (token === 'T') {
      source += '(\\d{1,2}):(\\d{1,2}):(\\d{1,2})';
      parts.push('H', 'M', 'S');
      continue;
    }
    const spec = token === undefined ? undefined : TOKENS[token];
    if (spec === undefined) {
      throw new Error(
        `unsupported token %${token ?? ''} (supported: %Y %y %m %d %e %H %M %S %T %b %B %z %L %f %s %a %%)`,
      );
    }
    source += spec.regex;
    if (spec.part) parts.push(spec.part);
  }
  if (!parts.includes('s') && !(parts.includes('Y') || parts.includes('y'))) {
    throw new Error('needs a year (%Y or %y) or epoch seconds (%s)');
  }
  const regex = new RegExp(source + '$');
  return (value) => {
    if (typeof value !== 'string') return undefined;
    const match = regex.exec(value);
    if (match === null) return undefined;
    let year = 1970,
      month = 0,
      day = 1,
      hour = 0,
      minute = 0,
      second = 0,
      ms = 0,
      offsetMin = 0;
    for (let p = 0; p < parts.length; p++) {
      const text = match[p + 1]!;
      switch (parts[p]) {
        case 's':
          return Number(text) * 1000;
        case 'Y':
          year = Number(text);
          break;
        case 'y':
          year = 2000 + Number(text);
          break;
        case 'm':
          month = Number(text) - 1;
          break;
        case 'd':
          day = Number(text);
          break;
        case 'H':
          hour = Number(text);
          break;
        case 'M':
          minute = Number(text);
          break;
        case 'S':
          second = Number(text);
          break;
        case 'L':
          ms = Math.round(Number(`0.${text}`) * 1000);
          break;
        case 'b': {
          month = MONTHS.indexOf(text.toLowerCase());
          if (month < 0) return undefined;
          break;
        }
        case 'z': {
          if (text === 'Z') break;
          const digits = text.replace(':', '');
          const sign = digits[0] === '-' ? -1 : 1;
          offsetMin = sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
          break;
        }
      }
    }
    if (month > 11 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
    // No %z: the time is UTC. The offset is subtracted to get from local time to UTC.
    return Date.UTC(year, month, day, hour, minute, second, ms) - offsetMin * 60_000;
  };
}
