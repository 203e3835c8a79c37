import { artifactBase, indexPattern, type SearchSettings } from './artifacts';
import type { EngineKind } from './engine';

/**
 * A data view (Kibana) / index pattern (OpenSearch Dashboards) over the stage's indices and a
 * saved search on it, as NDJSON for the Saved Objects import API (`POST
 * /api/saved_objects/_import?overwrite=true`) or the UI's Saved Objects > Import. Both products
 * read the same two types; ids are derived from the prefix, so importing again overwrites.
 */
export const SAVED_SEARCH_COLUMNS = ['log.level', 'aws.cloudwatch.log_group', 'message'];

export interface SavedObject {
  type: 'index-pattern' | 'search';
  id: string;
  attributes: Record<string, unknown>;
  references: Array<{ name: string; type: string; id: string }>;
}

export function dataViewId(settings: SearchSettings): string {
  return `logpipe-${artifactBase(settings)}`;
}

export function savedSearchId(settings: SearchSettings): string {
  return `logpipe-${artifactBase(settings)}-logs`;
}

export function savedObjects(settings: SearchSettings, engine: EngineKind): SavedObject[] {
  const pattern = indexPattern(settings);
  const dataView: SavedObject = {
    type: 'index-pattern',
    id: dataViewId(settings),
    // `name` is Kibana's display name for a data view; Dashboards only knows `title`.
    attributes:
      engine === 'elasticsearch'
        ? { title: pattern, timeFieldName: '@timestamp', name: `Logs (${pattern})` }
        : { title: pattern, timeFieldName: '@timestamp' },
    references: [],
  };
  const searchSource = {
    query: { query: '', language: 'kuery' },
    filter: [],
    indexRefName: 'kibanaSavedObjectMeta.searchSourceJSON.index',
  };
  const search: SavedObject = {
    type: 'search',
    id: savedSearchId(settings),
    attributes: {
      title: `Logs (${pattern})`,
      description: 'CloudWatch Logs forwarded by logpipe: level, log group and message, newest first.',
      columns: SAVED_SEARCH_COLUMNS,
      sort: [['@timestamp', 'desc']],
      kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify(searchSource) },
    },
    references: [{ name: searchSource.indexRefName, type: 'index-pattern', id: dataView.id }],
  };
  return [dataView, search];
}

export function savedObjectsNdjson(settings: SearchSettings, engine: EngineKind): string {
  return savedObjects(settings, engine)
    .map((object) => JSON.stringify(object))
    .join('\n')
    .concat('\n');
}

/** A multipart/form-data body with the NDJSON as the `file` field, as the import API expects. */
export function importRequestBody(ndjson: string, filename: string): { body: Buffer; contentType: string } {
  const boundary = `logpipe-${Date.now().toString(16)}`;
  const body = Buffer.from(
    `--${boundary}\r\n` +
      `Content-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
      'Content-Type: application/ndjson\r\n\r\n' +
      ndjson +
      `\r\n--${boundary}--\r\n`,
  );
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}
