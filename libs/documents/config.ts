import { boolVar, optionalString, stringVar, timeZoneVar, type Env } from '../config/env';
import { ConfigError } from '../errors';
import type { DocumentOptions } from './build';
import { IndexNamer } from './index-name';

// Elasticsearch/OpenSearch index names: lower case, no \ / * ? " < > | , # : or space, not starting with - _ +.
const INDEX_PREFIX = /^[a-z0-9][a-z0-9._-]*$/;

export interface DocumentConfig {
  indexPrefix: string;
  indexTimeZone: string;
  jsonAtRoot: boolean;
  region?: string;
}

export function loadDocumentConfig(env: Env): DocumentConfig {
  const indexPrefix = stringVar(env, 'INDEX_PREFIX', 'cwl');
  if (!INDEX_PREFIX.test(indexPrefix)) {
    throw new ConfigError(
      'INDEX_PREFIX',
      `"${indexPrefix}" is not a valid index name start (lower case letters, digits, . _ -)`,
    );
  }
  return {
    indexPrefix,
    indexTimeZone: timeZoneVar(env, 'INDEX_TIMEZONE', 'UTC'),
    jsonAtRoot: boolVar(env, 'JSON_FIELDS_AT_ROOT', false),
    region: optionalString(env, 'AWS_REGION'),
  };
}

export function documentOptions(config: DocumentConfig): DocumentOptions {
  return {
    indexNamer: new IndexNamer(config.indexPrefix, config.indexTimeZone),
    region: config.region,
    jsonAtRoot: config.jsonAtRoot,
  };
}
