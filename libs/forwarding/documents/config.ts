import { boolVar, listVar, optionalString, stringVar, timeZoneVar, type Env } from '../../runtime/env';
import { ConfigError } from '../../runtime/errors';
import type { DocumentOptions } from './build';
import { IndexNamer } from './index-name';

// Elasticsearch/OpenSearch index names: lower case, no \ / * ? " < > | , # : or space, not starting with - _ +.
const INDEX_PREFIX = /^[a-z0-9][a-z0-9._-]*$/;

export interface DocumentConfig {
  indexPrefix: string;
  indexTimeZone: string;
  jsonAtRoot: boolean;
  region?: string;
  /** SOURCE_ACCOUNTS: the other accounts of a cross-account destination (their ids are prefixed). */
  sourceAccounts: string[];
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
    sourceAccounts: accountList(env, 'SOURCE_ACCOUNTS'),
  };
}

function accountList(env: Env, name: string): string[] {
  const accounts = listVar(env, name);
  const bad = accounts.find((account) => !/^\d{12}$/.test(account));
  if (bad !== undefined) throw new ConfigError(name, `"${bad}" is not a 12-digit AWS account id`);
  return accounts;
}

export function documentOptions(config: DocumentConfig): DocumentOptions {
  return {
    indexNamer: new IndexNamer(config.indexPrefix, config.indexTimeZone),
    region: config.region,
    jsonAtRoot: config.jsonAtRoot,
    ...(config.sourceAccounts.length > 0 ? { sourceAccounts: new Set(config.sourceAccounts) } : {}),
  };
}
