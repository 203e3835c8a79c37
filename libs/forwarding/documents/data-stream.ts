import { createHash } from 'node:crypto';
import { enumVar, optionalString, type Env } from '../../runtime/env';
import { ConfigError } from '../../runtime/errors';
import type { LogDocument } from './types';

/**
 * Data stream mode: documents go to `logs-<dataset>-<namespace>` (Elastic's naming scheme
 * `type-dataset-namespace`) instead of daily indices. The engine routes each `create` to the
 * stream's current write (backing) index; search:setup installs the template that makes the
 * name a data stream.
 */
export const INDEX_MODES = ['daily', 'datastream'] as const;
export type IndexMode = (typeof INDEX_MODES)[number];

/** The dataset of a document that names none (Elastic's own default). */
export const GENERIC_DATASET = 'generic';

/**
 * Dataset and namespace: lower case, no `-` (it separates the three parts), none of the
 * characters an index name refuses (`\ / * ? " < > | , # :` and space), at most 100 bytes.
 */
const PART = /^[a-z0-9_.]{1,100}$/;
const MAX_PART = 100;

export interface DataStreamConfig {
  namespace: string;
}

/** INDEX_MODE and DATA_STREAM_NAMESPACE; undefined in the default (daily indices) mode, which ignores the namespace. */
export function loadDataStreamConfig(env: Env): DataStreamConfig | undefined {
  const mode = enumVar(env, 'INDEX_MODE', INDEX_MODES, 'daily');
  const namespace = optionalString(env, 'DATA_STREAM_NAMESPACE');
  if (mode === 'daily') return undefined;
  const value = namespace ?? 'default';
  if (!PART.test(value) || value.startsWith('.'))
    throw new ConfigError(
      'DATA_STREAM_NAMESPACE',
      `${JSON.stringify(value)} is not a data stream namespace (lower case letters, digits, _ and ., no -, at most 100)`,
    );
  return { namespace: value };
}

/**
 * A dataset from any text (a log group, a Kinesis stream, a rule's index prefix):
 * `/aws/lambda/my-function` -> `aws.lambda.my_function`. Path separators become dots, anything
 * else a data stream name refuses becomes `_`; over 100 bytes, the end is replaced by a hash of
 * the whole text so two long names stay two datasets. Lower-casing makes `MyApp` and `myapp` one
 * dataset (index names are lower case).
 */
export function datasetOf(text: string): string {
  const cleaned = text
    .toLowerCase()
    .replace(/\//g, '.')
    .replace(/[^a-z0-9_.]/g, '_')
    .replace(/\.{2,}/g, '.')
    .replace(/^[._]+|[._]+$/g, '');
  if (cleaned === '') return GENERIC_DATASET;
  if (cleaned.length <= MAX_PART) return cleaned;
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 8);
  return `${cleaned.slice(0, MAX_PART - 9)}.${hash}`;
}

/** Names the data stream of each document; names are cached per source text. */
export class DataStreamNamer {
  private readonly names = new Map<string, string>();

  constructor(readonly config: DataStreamConfig) {}

  /** Every stream of the namespace, for the template (`logs-*-prod`). */
  get pattern(): string {
    return `logs-*-${this.config.namespace}`;
  }

  streamFor(source: string): string {
    let name = this.names.get(source);
    if (name === undefined) {
      if (this.names.size > 10_000) this.names.clear();
      name = `logs-${datasetOf(source)}-${this.config.namespace}`;
      this.names.set(source, name);
    }
    return name;
  }

  /**
   * The document's stream: the dataset a rule routed it to, else its log group, else its Kinesis
   * stream, else `generic`.
   */
  route(doc: LogDocument, ruleDataset?: string): string {
    const aws = doc._source.aws;
    const kinesis = aws.kinesis as { stream?: unknown } | undefined;
    const source =
      ruleDataset ??
      aws.cloudwatch?.log_group ??
      (typeof kinesis?.stream === 'string' ? kinesis.stream : undefined) ??
      GENERIC_DATASET;
    return this.streamFor(source);
  }
}
