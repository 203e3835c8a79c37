import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { createHash } from 'node:crypto';
import type { Authorizer, SigV4Options } from './auth-types';

/** Loads the default AWS credential chain only when SigV4 is first used. */
const lazyDefaultCredentials: AwsCredentialIdentityProvider = (() => {
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
export function createSigV4Signer(options: SigV4Options): Authorizer {
  const signer = new SignatureV4({
    credentials: options.credentials ?? lazyDefaultCredentials,
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
