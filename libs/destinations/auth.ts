import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { createHash } from 'node:crypto';
import { AppError } from '../errors';
import type { CachedSecret } from '../secrets';

export interface OutgoingRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** Adds authentication headers to a request about to be sent. */
export interface Authorizer {
  authorize(request: OutgoingRequest): Promise<Record<string, string>>;
}

export class AuthError extends AppError {}

export const noAuth: Authorizer = { authorize: async () => ({}) };

/** Basic auth; the secret holds JSON `{"username": "...", "password": "..."}`. */
export function basicAuth(secret: CachedSecret): Authorizer {
  let header: string | undefined;
  return {
    async authorize() {
      if (header === undefined) {
        let parsed: { username?: unknown; password?: unknown };
        try {
          parsed = JSON.parse(await secret.get()) as typeof parsed;
        } catch (cause) {
          throw new AuthError(`${secret.ref.store}:${secret.ref.id} is not JSON with username and password`, {
            cause,
          });
        }
        if (typeof parsed.username !== 'string' || typeof parsed.password !== 'string') {
          throw new AuthError(
            `${secret.ref.store}:${secret.ref.id} must hold {"username": ..., "password": ...}`,
          );
        }
        header = 'Basic ' + Buffer.from(`${parsed.username}:${parsed.password}`).toString('base64');
      }
      return { authorization: header };
    },
  };
}

/** Elasticsearch API key; the secret holds the encoded key, or JSON `{"apiKey": "..."}`. */
export function apiKeyAuth(secret: CachedSecret): Authorizer {
  let header: string | undefined;
  return {
    async authorize() {
      if (header === undefined) {
        const value = (await secret.get()).trim();
        let key = value;
        if (value.startsWith('{')) {
          const parsed = JSON.parse(value) as { apiKey?: unknown; encoded?: unknown };
          const candidate = parsed.apiKey ?? parsed.encoded;
          if (typeof candidate !== 'string') {
            throw new AuthError(`${secret.ref.store}:${secret.ref.id} must hold the key or {"apiKey": ...}`);
          }
          key = candidate;
        }
        header = `ApiKey ${key}`;
      }
      return { authorization: header };
    },
  };
}

export type SigV4Service = 'es' | 'aoss';

/** The service to sign for, from the endpoint: OpenSearch Serverless hosts end in aoss.amazonaws.com. */
export function sigV4ServiceFor(host: string): SigV4Service {
  return /\.aoss\.amazonaws\.com(\.cn)?$/.test(host) ? 'aoss' : 'es';
}

/** The region in an Amazon OpenSearch endpoint such as search-x.ap-northeast-2.es.amazonaws.com. */
export function regionFromHost(host: string): string | undefined {
  return /\.([a-z]{2}(?:-[a-z]+)+-\d)\.(?:es|aoss)\.amazonaws\.com(?:\.cn)?$/.exec(host)?.[1];
}

/** Loads the default AWS credential chain only when SigV4 is first used. */
export const lazyDefaultCredentials: AwsCredentialIdentityProvider = (() => {
  let provider: AwsCredentialIdentityProvider | undefined;
  return async () => {
    if (provider === undefined) {
      const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
      provider = defaultProvider();
    }
    return provider();
  };
})();

/**
 * AWS Signature Version 4 for Amazon OpenSearch Service (`es`) and OpenSearch Serverless (`aoss`).
 * The payload hash header is always sent: aoss requires it, and it covers the gzip body as sent.
 */
export function sigV4Auth(options: {
  region: string;
  service: SigV4Service;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  now?: () => Date;
}): Authorizer {
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: options.region,
    service: options.service,
    sha256: Hash.bind(null, 'sha256'),
  });
  return {
    async authorize(request) {
      const payloadHash = createHash('sha256').update(request.body).digest('hex');
      const query: Record<string, string> = {};
      request.url.searchParams.forEach((value, key) => (query[key] = value));
      const signed = await signer.sign(
        {
          method: request.method,
          protocol: request.url.protocol,
          hostname: request.url.hostname,
          port: request.url.port ? Number(request.url.port) : undefined,
          path: request.url.pathname,
          query,
          headers: { ...request.headers, host: request.url.host, 'x-amz-content-sha256': payloadHash },
          body: request.body,
        },
        options.now ? { signingDate: options.now() } : undefined,
      );
      const added: Record<string, string> = {};
      for (const [name, value] of Object.entries(signed.headers)) {
        if (request.headers[name] === undefined && name !== 'host') added[name] = value;
      }
      return added;
    },
  };
}
