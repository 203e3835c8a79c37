import type { DocumentSource } from './types';

/**
 * The root fields of a document the pipeline sets, in one table. `owned`: only the pipeline
 * writes them (rules may not either); `parsed`: filled by parsing the message, which a rule's
 * parser may refine. A JSON line's own `log` or `tags` copied to the root would conflict with
 * their mapping, so the keys of parsed JSON never land on these (they stay under `json`).
 */
const ROOT_FIELDS = {
  '@timestamp': 'owned',
  aws: 'owned',
  cloud: 'owned',
  tags: 'owned',
  parse_errors: 'owned',
  message: 'parsed',
  log: 'parsed',
  json: 'parsed',
} as const;

/** Every root field the pipeline sets. */
export const PIPELINE_FIELDS: ReadonlySet<string> = new Set(Object.keys(ROOT_FIELDS));

/** Root fields only the pipeline writes: rules may neither write them nor parse into them. */
export const OWNED_FIELDS: ReadonlySet<string> = new Set(
  Object.entries(ROOT_FIELDS)
    .filter(([, kind]) => kind === 'owned')
    .map(([key]) => key),
);

/**
 * Engines keep `_id`, `_index`, `_source`, `_routing`… for themselves and refuse a document
 * that carries one: keys starting with `_` are never copied to a document's root.
 */
export function isMetadataField(key: string): boolean {
  return key.charCodeAt(0) === 95; /* _ */
}

/**
 * Whether a key names a protected root field or a path inside one: engines read a dotted key as
 * the path it spells, so an ECS line's `"log.level": " WARN"` copied to the root would land in
 * the mapped `log.level` beside the pipeline's value, and `"aws.lambda.report.duration_ms": "x"`
 * would conflict with its mapping and get the document refused.
 */
function isProtected(protect: ReadonlySet<string>, key: string): boolean {
  if (protect.has(key)) return true;
  const dot = key.indexOf('.');
  return dot !== -1 && protect.has(key.slice(0, dot));
}

export interface CopyToRoot {
  /** Root fields the copied keys may not take: PIPELINE_FIELDS, or OWNED_FIELDS for a rule's parser. */
  protect: ReadonlySet<string>;
  /** What happens to a protected key (or a metadata one): kept under `json`, or skipped (it is there already). */
  protectedKeys: 'json' | 'skip';
  /** Whether a key the document already has is overwritten. */
  overwrite: boolean;
}

/**
 * Copies the keys of parsed fields (a JSON message, a record's JSON line, a rule's parser) to the
 * document root, never over the pipeline's own fields. `skip` leaves out keys already used.
 */
export function copyToRoot(
  source: DocumentSource,
  fields: Record<string, unknown>,
  how: CopyToRoot,
  skip?: (key: string) => boolean,
): void {
  for (const key of Object.keys(fields)) {
    if (skip?.(key)) continue;
    if (isProtected(how.protect, key) || isMetadataField(key)) {
      if (how.protectedKeys === 'json') (source.json ??= {})[key] = fields[key];
    } else if (how.overwrite || !(key in source)) source[key] = fields[key];
  }
}

/** Tag and field that mark a document whose line could not be fully parsed (it is indexed anyway). */
export const PARSE_FAILURE_TAG = '_parse_failure';
export const PARSE_ERRORS_FIELD = 'parse_errors';

/** Marks the document: the line is indexed anyway, tagged, with the reason beside it. */
export function markFailure(source: DocumentSource, reason: string): void {
  if (source.tags === undefined) source.tags = [PARSE_FAILURE_TAG];
  else if (!source.tags.includes(PARSE_FAILURE_TAG)) source.tags.push(PARSE_FAILURE_TAG);
  const errors = source[PARSE_ERRORS_FIELD];
  if (Array.isArray(errors)) errors.push(reason);
  else source[PARSE_ERRORS_FIELD] = [reason];
}
