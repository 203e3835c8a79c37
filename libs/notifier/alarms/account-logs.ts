import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { STSClient } from '@aws-sdk/client-sts';
import { AppError } from '../../runtime/errors';

/** The role of another account could not be assumed: its alarm is posted without its lines. */
export class AccountRoleError extends AppError {
  constructor(
    readonly account: string,
    readonly roleArn: string,
    options: { cause: unknown },
  ) {
    super(`could not assume ${roleArn} to read the log lines of account ${account}`, options);
  }
}

export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

type StsLike = Pick<STSClient, 'send'>;
type LogsClient = Pick<CloudWatchLogsClient, 'send'>;

export interface AccountLogsDeps {
  /** STS (tests: moto); by default one client of the function's region, made on first use. */
  sts?: () => Promise<StsLike>;
  /** A CloudWatch Logs client of `region` signing with `credentials`. */
  logsClient?: (region: string, credentials: () => Promise<TemporaryCredentials>) => Promise<LogsClient>;
  now?: () => Date;
}

/** Credentials are renewed this long before they expire, so no call is signed with stale ones. */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;
const SESSION_SECONDS = 3600;

function defaultSts(): () => Promise<StsLike> {
  let client: Promise<StsLike> | undefined;
  return () =>
    (client ??= import('@aws-sdk/client-sts').then(
      ({ STSClient: Client }) => new Client({ maxAttempts: 2 }),
    ));
}

async function defaultLogsClient(region: string, credentials: () => Promise<TemporaryCredentials>) {
  const { CloudWatchLogsClient: Client } = await import('@aws-sdk/client-cloudwatch-logs');
  return new Client({ region, maxAttempts: 2, credentials });
}

/**
 * CloudWatch Logs clients of the other accounts that ALARM_ACCOUNT_ROLES lists, signing with the
 * role assumed there. Credentials are kept per account for the container's life and renewed before
 * they expire; a failed AssumeRole is not kept (the next alarm tries again). Returns undefined for
 * an account with no role.
 */
export function accountLogsClients(roles: ReadonlyMap<string, string>, deps: AccountLogsDeps = {}) {
  const sts = deps.sts ?? defaultSts();
  const makeLogsClient = deps.logsClient ?? defaultLogsClient;
  const now = deps.now ?? (() => new Date());
  const credentials = new Map<string, Promise<TemporaryCredentials>>();
  const clients = new Map<string, Promise<LogsClient>>();

  async function assume(
    account: string,
    roleArn: string,
    signal?: AbortSignal,
  ): Promise<TemporaryCredentials> {
    const { AssumeRoleCommand } = await import('@aws-sdk/client-sts');
    const out = await (
      await sts()
    ).send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: 'logpipe-notifier',
        DurationSeconds: SESSION_SECONDS,
      }),
      { abortSignal: signal },
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new AppError(`AssumeRole answered without credentials for account ${account}`);
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: new Date(c.Expiration),
    };
  }

  /** The account's credentials: cached, renewed REFRESH_BEFORE_EXPIRY_MS before they expire. */
  async function credentialsOf(
    account: string,
    roleArn: string,
    signal?: AbortSignal,
  ): Promise<TemporaryCredentials> {
    const cached = credentials.get(account);
    if (cached !== undefined) {
      const held = await cached.catch(() => undefined);
      if (held && held.expiration.getTime() - REFRESH_BEFORE_EXPIRY_MS > now().getTime()) return held;
      if (credentials.get(account) !== cached) return credentialsOf(account, roleArn, signal);
    }
    const fresh = assume(account, roleArn, signal).catch((cause: unknown) => {
      if (credentials.get(account) === fresh) credentials.delete(account);
      throw new AccountRoleError(account, roleArn, { cause });
    });
    credentials.set(account, fresh);
    return fresh;
  }

  return {
    roleOf: (account: string): string | undefined => roles.get(account),
    /**
     * The account's Logs client of `region`; throws AccountRoleError when its role cannot be
     * assumed (or STS does not answer before `signal`: the look-up's share of the invocation).
     */
    async clientFor(account: string, region: string, signal?: AbortSignal): Promise<LogsClient | undefined> {
      const roleArn = roles.get(account);
      if (roleArn === undefined) return undefined;
      // Assumed now, so a refused role is told apart from a failed look-up.
      await credentialsOf(account, roleArn, signal);
      const key = `${account} ${region}`;
      let client = clients.get(key);
      if (client === undefined) {
        client = makeLogsClient(region, () => credentialsOf(account, roleArn));
        clients.set(key, client);
      }
      return client;
    },
  };
}

export type AccountLogsClients = ReturnType<typeof accountLogsClients>;
