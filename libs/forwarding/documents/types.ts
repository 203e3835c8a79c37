/** What one log event becomes: the `_source` to index plus its bulk metadata. */
export interface LogDocument {
  /** Deterministic id (CloudWatch event id, or derived from the source position): retries never duplicate. */
  _id: string;
  _index: string;
  _source: DocumentSource;
}

export interface LambdaReport {
  duration_ms?: number;
  billed_duration_ms?: number;
  memory_size_mb?: number;
  max_memory_used_mb?: number;
  init_duration_ms?: number;
}

export interface DocumentSource {
  '@timestamp': string;
  message: string;
  log?: { level?: string };
  aws: {
    cloudwatch?: { log_group: string; log_stream: string; event_id: string };
    lambda?: { request_id?: string; report?: LambdaReport; event?: string };
    [key: string]: unknown;
  };
  cloud: { provider: 'aws'; account?: { id: string }; region?: string };
  json?: Record<string, unknown>;
  tags?: string[];
  [key: string]: unknown;
}
