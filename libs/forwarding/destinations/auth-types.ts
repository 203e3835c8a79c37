import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** The shapes every authorizer shares (here so the lazily loaded SigV4 signer needs no more of auth.ts). */

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

export type SigV4Service = 'es' | 'aoss';

export interface SigV4Options {
  region: string;
  service: SigV4Service;
  /** Defaults to the AWS SDK's default chain (in Lambda: the function role's credentials). */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  now?: () => Date;
}
