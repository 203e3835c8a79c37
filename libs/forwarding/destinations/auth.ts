import { AppError } from '../../runtime/errors';
import { type CachedSecret, parseSecretJson } from '../../runtime/secrets';
import type { Authorizer, SigV4Options, SigV4Service } from './auth-types';

export type { Authorizer, OutgoingRequest, SigV4Options, SigV4Service } from './auth-types';

export class AuthError extends AppError {}

export const noAuth: Authorizer = { authorize: async () => ({}) };

/** The JSON object a secret holds; errors name the secret's reference, never its text. */
function parseSecretObject(secret: CachedSecret, text: string, expected: string): Record<string, unknown> {
  const where = `${secret.ref.store}:${secret.ref.id}`;
  let parsed: unknown;
  try {
    parsed = parseSecretJson(text);
  } catch (error) {
    throw new AuthError(`${where} is ${(error as Error).message}: it must hold ${expected}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new AuthError(`${where} must hold ${expected}`);
  return parsed as Record<string, unknown>;
}

/** Basic auth; the secret holds JSON `{"username": "...", "password": "..."}`. */
export function basicAuth(secret: CachedSecret): Authorizer {
  let header: string | undefined;
  const expected = '{"username": ..., "password": ...}';
  return {
    async authorize() {
      if (header === undefined) {
        const parsed = parseSecretObject(secret, await secret.get(), expected);
        if (typeof parsed.username !== 'string' || typeof parsed.password !== 'string') {
          throw new AuthError(`${secret.ref.store}:${secret.ref.id} must hold ${expected}`);
        }
        header = 'Basic ' + Buffer.from(`${parsed.username}:${parsed.password}`).toString('base64');
      }
      return { authorization: header };
    },
  };
}

const API_KEY = /^[A-Za-z0-9+/=_:.-]+$/;

/** Elasticsearch API key; the secret holds the encoded key, or JSON `{"apiKey": "..."}`. */
export function apiKeyAuth(secret: CachedSecret): Authorizer {
  let header: string | undefined;
  const expected = 'the key or {"apiKey": ...}';
  return {
    async authorize() {
      if (header === undefined) {
        const value = (await secret.get()).trim();
        let key = value;
        if (value.startsWith('{')) {
          const parsed = parseSecretObject(secret, value, expected);
          const candidate = parsed.apiKey ?? parsed.encoded;
          if (typeof candidate !== 'string') {
            throw new AuthError(`${secret.ref.store}:${secret.ref.id} must hold ${expected}`);
          }
          key = candidate;
        }
        // An encoded key is base64 (of id:key); anything else is a malformed secret, named not quoted.
        if (!API_KEY.test(key)) {
          throw new AuthError(
            `${secret.ref.store}:${secret.ref.id} must hold ${expected} (not an encoded API key)`,
          );
        }
        header = `ApiKey ${key}`;
      }
      return { authorization: header };
    },
  };
}

/** Request headers that carry credentials: never written into an error or a log. */
export const CREDENTIAL_HEADERS = ['authorization', 'x-amz-security-token'] as const;

/**
 * `text` (say, an answer's body quoted in an error) with every credential the request carried
 * cut out: a proxy or server that echoes the request's headers must not put them in our logs.
 * Each header value is cut whole and token by token (the key after "Basic " / "ApiKey ", its
 * decoded user:password, a signature).
 */
export function redactCredentials(text: string, headers: Record<string, string>): string {
  const secrets = new Set<string>();
  for (const name of CREDENTIAL_HEADERS) {
    const value = headers[name];
    if (value === undefined) continue;
    secrets.add(value);
    for (const token of value.split(/[^A-Za-z0-9+/_.~-]+/)) if (token.length >= 8) secrets.add(token);
    const basic = /^Basic (.+)$/.exec(value)?.[1];
    if (basic !== undefined) {
      const decoded = Buffer.from(basic, 'base64').toString('utf8');
      secrets.add(decoded);
      const colon = decoded.indexOf(':');
      if (colon >= 0 && decoded.length - colon > 4) secrets.add(decoded.slice(colon + 1));
    }
  }
  // As written, and as JSON writes it (an echo in a JSON body escapes quotes and backslashes).
  for (const secret of [...secrets]) secrets.add(JSON.stringify(secret).slice(1, -1));
  let out = text;
  // Longest first: a whole header before the tokens inside it.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length))
    if (secret !== '') out = out.split(secret).join('[redacted]');
  return out;
}

/** The service to sign for, from the endpoint: OpenSearch Serverless hosts end in aoss.amazonaws.com. */
export function sigV4ServiceFor(host: string): SigV4Service {
  return /\.aoss\.amazonaws\.com(\.cn)?$/.test(host) ? 'aoss' : 'es';
}

/** The region in an Amazon OpenSearch endpoint such as search-x.ap-northeast-2.es.amazonaws.com. */
export function regionFromHost(host: string): string | undefined {
  return /\.([a-z]{2}(?:-[a-z]+)+-\d)\.(?:es|aoss)\.amazonaws\.com(?:\.cn)?$/.exec(host)?.[1];
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
