import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
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

export interface SigV4Options {
  region: string;
  service: SigV4Service;
  /** Defaults to the AWS SDK's default chain (in Lambda: the function role's credentials). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  now?: () => Date;
}

/**
 * SigV4 for Amazon OpenSearch Service and OpenSearch Serverless. The signer and the credential
 * chain are loaded at the first request, so functions that do not sign never pay for them at
 * cold start.
 */
export function sigV4Auth(options: SigV4Options): Authorizer {
  let signer: Promise<Authorizer> | undefined;
  return {
    authorize(request) {
      signer ??= import('./sigv4').then(({ createSigV4Signer }) => createSigV4Signer(options));
      return signer.then((loaded) => loaded.authorize(request));
    },
  };
}
