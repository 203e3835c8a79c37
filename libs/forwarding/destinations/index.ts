import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { CachedSecret, type SecretFetcher } from '../../runtime/secrets';
import { apiKeyAuth, basicAuth, noAuth, sigV4Auth, type Authorizer } from './auth';
import type { DestinationConfig } from './config';
import { S3DeadLetterSink, type DeadLetterSink } from './dead-letter';
import { localFallback } from './local-dead-letter';
import { ElasticsearchTransport } from './elasticsearch';
import { HttpClient } from './http';
import { LogstashTransport } from './logstash';
import { StdoutTransport } from './stdout';
import type { Transport } from './types';

export * from './types';
export * from './config';
export { Delivery, DeliveryError, type DeliveryOptions } from './delivery';
export type { DeadLetter, DeadLetterSink } from './dead-letter';

/** Seams for tests: where secrets and AWS credentials come from. */
export interface DestinationDeps {
  fetchSecret?: SecretFetcher;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

export function createAuthorizer(config: DestinationConfig, deps: DestinationDeps): Authorizer {
  const auth = config.auth;
  switch (auth.kind) {
    case 'none':
      return noAuth;
    case 'basic':
      return basicAuth(new CachedSecret(auth.secret, deps.fetchSecret));
    case 'apikey':
      return apiKeyAuth(new CachedSecret(auth.secret, deps.fetchSecret));
    case 'sigv4':
      return sigV4Auth({
        region: auth.region,
        service: auth.service,
        credentials: deps.credentials,
      });
  }
}

/** Builds the transport once per container: its keep-alive connections and cached credentials outlive invocations. */
export function createTransport(config: DestinationConfig, deps: DestinationDeps = {}): Transport {
  if (config.kind === 'stdout' || config.url === undefined) return new StdoutTransport();
  const http = new HttpClient(config.concurrency);
  const auth = createAuthorizer(config, deps);
  return config.kind === 'logstash'
    ? new LogstashTransport(config.url, http, auth, config.gzip)
    : new ElasticsearchTransport(config.url, http, auth, config.gzip);
}

export function createDeadLetterSink(config: DestinationConfig): DeadLetterSink | undefined {
  const s3 = config.deadLetter && new S3DeadLetterSink(config.deadLetter.bucket, config.deadLetter.prefix);
  return config.localDeadLetterDir === undefined ? s3 : localFallback(s3, config.localDeadLetterDir);
}
