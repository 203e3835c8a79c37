import { AppError, ConfigError } from './errors';

/** Where a secret lives: `secretsmanager:<id or ARN>` or `ssm:<parameter name>` (SecureString). */
export interface SecretRef {
  store: 'secretsmanager' | 'ssm';
  id: string;
}

export class SecretError extends AppError {}

/**
 * JSON.parse of a secret's text. V8's SyntaxError quotes the text around the fault (the secret
 * itself), so it is never kept, not even as a cause: the error gives the fault's position only.
 */
export function parseSecretJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new SecretError(
      `not valid JSON${position === undefined ? '' : ` (fault at character ${position})`}`,
    );
  }
}

export function parseSecretRef(variable: string, value: string): SecretRef {
  const colon = value.indexOf(':');
  const store = value.slice(0, colon);
  const id = value.slice(colon + 1);
  if (colon < 0 || (store !== 'secretsmanager' && store !== 'ssm') || id === '') {
    throw new ConfigError(
      variable,
      'must look like "secretsmanager:<secret id or ARN>" or "ssm:<parameter name>"',
    );
  }
  return { store, id };
}

export type SecretFetcher = (ref: SecretRef) => Promise<string>;

/** Fetches with the AWS SDK, loading only the client the reference needs (keeps cold starts small). */
export const fetchSecretFromAws: SecretFetcher = async (ref) => {
  if (ref.store === 'secretsmanager') {
    const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const result = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: ref.id }));
    if (result.SecretString === undefined) throw new SecretError(`secret ${ref.id} has no SecretString`);
    return result.SecretString;
  }
  const { SSMClient, GetParameterCommand } = await import('@aws-sdk/client-ssm');
  const result = await new SSMClient({}).send(
    new GetParameterCommand({ Name: ref.id, WithDecryption: true }),
  );
  const value = result.Parameter?.Value;
  if (value === undefined) throw new SecretError(`parameter ${ref.id} has no value`);
  return value;
};

/**
 * A secret fetched once per container and kept in memory. A failed fetch is not cached, so the
 * next invocation tries again. The value is never logged.
 */
export class CachedSecret {
  private pending: Promise<string> | undefined;

  constructor(
    readonly ref: SecretRef,
    private readonly fetch: SecretFetcher = fetchSecretFromAws,
  ) {}

  get(): Promise<string> {
    if (this.pending === undefined) {
      this.pending = this.fetch(this.ref).catch((cause: unknown) => {
        this.pending = undefined;
        throw new SecretError(`could not read ${this.ref.store}:${this.ref.id}`, { cause });
      });
    }
    return this.pending;
  }
}
