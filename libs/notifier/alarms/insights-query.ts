/**
 * Best-effort translation of a metric filter pattern into a Logs Insights query, so the link
 * opens on the same lines. Patterns it cannot translate (space-delimited `[...]`, IS NULL…)
 * get a query without the filter, and `exact: false` so the message can say so.
 */
export interface InsightsQuery {
  query: string;
  exact: boolean;
}

const HEAD = 'fields @timestamp, @logStream, @message';
const TAIL = '| sort @timestamp asc\n| limit 200';

function quoteString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function regexLiteral(source: string): string {
  return `/${source.replace(/\//g, '\\/')}/`;
}

function wildcardToRegex(value: string): string {
  const escaped = value.replace(/[.+?^${}()|[\]\\/]/g, '\\$&');
  return `/^${escaped.replace(/\*/g, '.*')}$/`;
}

/** `{ $.a = "x*" && $.b >= 2 }` -> `a like /^x.*$/ and b >= 2`. */
function translateJson(inner: string): string | undefined {
  if (/\bIS\b|\bNOT EXISTS\b|\$\[/.test(inner)) return undefined;
  let out = inner.replace(
    /\$\.([\w.[\]]+)\s*(!=|=)\s*"([^"]*\*[^"]*)"/g,
    (_all, field: string, op: string, value: string) =>
      `${field} ${op === '=' ? 'like' : 'not like'} ${wildcardToRegex(value)}`,
  );
  out = out
    .replace(/\$\./g, '')
    .replace(/\[(\d+)\]/g, '.$1')
    .replace(/&&/g, 'and')
    .replace(/\|\|/g, 'or');
  return /\$[.[]/.test(out) ? undefined : out.trim();
}

/** Unstructured terms: `ERROR "Task timed out" -DEBUG` (all), `?ERROR ?WARN` (any). */
function translateTerms(pattern: string): string | undefined {
  const terms = pattern.match(/[?-]?"(?:[^"\\]|\\.)*"|[?-]?[^\s"]+/g) ?? [];
  if (terms.length === 0) return undefined;
  const any: string[] = [];
  const all: string[] = [];
  for (const term of terms) {
    const prefix = term[0] === '?' || term[0] === '-' ? term[0] : '';
    const body = term.slice(prefix.length);
    const value = body.startsWith('"') ? body.slice(1, -1).replace(/\\"/g, '"') : body;
    if (value === '') return undefined;
    const like = `@message like ${quoteString(value)}`;
    if (prefix === '?') any.push(like);
    else if (prefix === '-') all.push(`@message not like ${quoteString(value)}`);
    else all.push(like);
  }
  if (any.length > 0) all.push(any.length === 1 ? (any[0] ?? '') : `(${any.join(' or ')})`);
  return all.join(' and ');
}

export function insightsQueryFor(filterPattern: string): InsightsQuery {
  const pattern = filterPattern.trim();
  let filter: string | undefined;
  if (pattern === '') filter = undefined;
  else if (pattern.startsWith('{') && pattern.endsWith('}')) filter = translateJson(pattern.slice(1, -1));
  else if (pattern.startsWith('%') && pattern.endsWith('%') && pattern.length > 2)
    filter = `@message like ${regexLiteral(pattern.slice(1, -1))}`;
  else if (!pattern.startsWith('[')) filter = translateTerms(pattern);
  const exact = filter !== undefined || pattern === '';
  return { query: [HEAD, ...(filter ? [`| filter ${filter}`] : []), TAIL].join('\n'), exact };
}
