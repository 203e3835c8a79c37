import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { AccountRoleError, accountLogsClients, type AccountLogsDeps } from './alarms/account-logs';
import { parseArn } from './alarms/arn';
import { findLogLines, LogLookupError } from './alarms/log-lines';
import { logsClientsByRegion } from './alarms/logs-client';
import type { AlarmNotification } from './alarms/types';
import { type Deadline, invocationDeadline } from '../runtime/deadline';
import { AppError } from '../runtime/errors';
import type { Invocation } from '../runtime/handler';
import { type Logger, logger as rootLogger } from '../runtime/logger';
import { CachedSecret, fetchSecretFromAws, type SecretFetcher } from '../runtime/secrets';
import { SlackChannel, SlackPermanentError } from './slack/client';
import { slackTokenFrom, TOKEN_REJECTED_CODES } from './slack/token';
import type { NotifierConfig } from './config';
import { maskedChannel, maskedPrint } from './masking';
import { notify, type Outcome, type SnsNotification } from './notify';
import { AlarmLedger, type LedgerClient } from './ledger-table';
import type { LedgerDeps } from './ledger-notify';
import { StormLedger } from './storm-table';

/** The log-line look-up may use at most this much of the time left. */
const LOOKUP_SHARE = 0.4;

export interface InvocationContext {
  awsRequestId?: string;
  /** The function's own ARN: its account is the one whose log lines this notifier can read. */
  invokedFunctionArn?: string;
  getRemainingTimeInMillis?: () => number;
}

export class NotificationFailedError extends AppError {}

/** A step that did not finish in the time the invocation had left for it. */
export class OutOfTimeError extends AppError {}

/** The promise's value, or OutOfTimeError once `ms` have passed (the invocation must end on its own terms). */
async function withinTime<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new OutOfTimeError(`${what} did not finish in the time left`)),
      Math.max(0, ms),
    );
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

export interface RuntimeDeps {
  fetchSecret?: SecretFetcher;
  /**
   * Time kept back from the context's remaining time when handle() gets no deadline (tests that
   * call the runtime directly); the handler's deadline already has the function's reserve.
   */
  reserveMs?: number;
  /** Longest wait for one Slack answer. */
  slackAttemptTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  logsClientFor?: (region: string) => Promise<Pick<CloudWatchLogsClient, 'send'>>;
  /** STS and Logs clients for the roles of other accounts (ALARM_ACCOUNT_ROLES). */
  otherAccounts?: AccountLogsDeps;
  /** DynamoDB for the alarm ledger (tests: moto); made on first use otherwise. */
  ledgerClient?: LedgerClient;
  print?: (line: string) => void;
  now?: () => Date;
  log?: Logger;
}

/**
 * SNS events carry Records[].Sns; anything else is one notification of its own: an alarm's Lambda
 * action event (parsed as the alarm it reports, keyed by ARN and state time: it has no MessageId),
 * or something shown as one generic message.
 */
function notificationsOf(event: unknown): SnsNotification[] {
  const records = (event as { Records?: unknown } | null)?.Records;
  if (!Array.isArray(records) || records.length === 0) return [{ Message: JSON.stringify(event ?? null) }];
  return records.map((record: { Sns?: SnsNotification }) =>
    typeof record?.Sns === 'object' && record.Sns !== null
      ? record.Sns
      : { Message: JSON.stringify(record ?? null) },
  );
}

/**
 * Per-container state (config, cached token, AWS clients) and the per-invocation flow. The
 * handler creates one at module scope; tests create their own with fakes.
 */
export function createNotifierRuntime(config: NotifierConfig, deps: RuntimeDeps = {}) {
  const log = deps.log ?? rootLogger.child({ function: 'notifier' });
  const fetchSecret = deps.fetchSecret ?? fetchSecretFromAws;
  const now = deps.now ?? (() => new Date());
  const logsClientFor = deps.logsClientFor ?? logsClientsByRegion();
  const otherAccountLogs = accountLogsClients(config.accountRoles ?? new Map(), {
    now,
    ...deps.otherAccounts,
  });
  const print = maskedPrint(
    deps.print ?? ((line: string) => process.stdout.write(`${line}\n`)),
    config.masks,
  );
  let token = config.token ? new CachedSecret(config.token, fetchSecret) : undefined;
  const ledger = config.ledgerTable
    ? new AlarmLedger(deps.ledgerClient ?? lazyDynamoDb(), config.ledgerTable, now)
    : undefined;
  const storm =
    config.ledgerTable && config.stormThreshold > 0
      ? new StormLedger(deps.ledgerClient ?? lazyDynamoDb(), config.ledgerTable, now)
      : undefined;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  /**
   * The Logs client of another account's role, undefined when the stage lists none for it. A role
   * that cannot be assumed fails the look-up with a message saying so (the alarm is still posted);
   * the warn line names the account and role, never the credentials.
   */
  async function otherAccountClient(
    account: string,
    region: string,
    signal: AbortSignal,
    invocationLog: Logger,
  ) {
    try {
      return await otherAccountLogs.clientFor(account, region, signal);
    } catch (error) {
      if (!(error instanceof AccountRoleError)) throw error;
      const cause = error.cause instanceof Error ? error.cause : undefined;
      invocationLog.warn('account role not assumed', {
        account,
        role_arn: error.roleArn,
        error_name: cause?.name,
        error_message: cause?.message,
      });
      throw new LogLookupError(
        `the alarm is in account ${account}: ${error.message} (${cause?.name ?? 'error'}); its lines are in that account's CloudWatch Logs (${region})`,
      );
    }
  }

  async function handle(
    event: unknown,
    context: InvocationContext = {},
    invocation: Partial<Pick<Invocation, 'deadline' | 'log'>> = {},
  ): Promise<{ outcomes: Outcome[] }> {
    const invocationLog = invocation.log ?? log.child({ function_request_id: context.awsRequestId });
    const deadline: Deadline =
      invocation.deadline ??
      invocationDeadline(
        { getRemainingTimeInMillis: context.getRemainingTimeInMillis ?? (() => 30_000) },
        deps.reserveMs ?? 0,
      );
    const timeLeft = () => deadline.remaining();
    const cachedToken = token;
    let opened: Promise<SlackChannel> | undefined;
    const slack = cachedToken
      ? () =>
          (opened ??= withinTime(cachedToken.get(), timeLeft(), 'reading the Slack token').then((secret) =>
            SlackChannel.create({
              token: slackTokenFrom(secret),
              slackApiUrl: config.slackApiUrl,
              timeLeft,
              attemptTimeoutMs: deps.slackAttemptTimeoutMs,
              sleep: deps.sleep,
              log: invocationLog,
            }).then((channel) => maskedChannel(channel, config.masks)),
          ))
      : undefined;
    const ownAccount = parseArn(context.invokedFunctionArn)?.accountId;
    const lookUpLogLines = async (alarm: AlarmNotification) => {
      if (alarm.region === undefined) return [];
      const region = alarm.region;
      const otherAccount =
        ownAccount && alarm.accountId && alarm.accountId !== ownAccount ? alarm.accountId : undefined;
      // One budget for the role (when another account's) and the look-up.
      const abortSignal = AbortSignal.timeout(Math.max(500, Math.floor(timeLeft() * LOOKUP_SHARE)));
      let client: Pick<CloudWatchLogsClient, 'send'>;
      if (otherAccount === undefined) client = await logsClientFor(region);
      else {
        const theirs = await otherAccountClient(otherAccount, region, abortSignal, invocationLog);
        // No role for that account: never show this account's same-named lines instead; say where to look.
        if (theirs === undefined)
          throw new LogLookupError(
            `the alarm is in account ${otherAccount}: its lines are in that account's CloudWatch Logs (${region}); this notifier reads account ${ownAccount} (ALARM_ACCOUNT_ROLES can name a role there)`,
          );
        client = theirs;
      }
      return findLogLines(client, alarm, { maxLines: config.maxLogLines, abortSignal });
    };
    // Only with a Slack channel to keep in step: print mode has nothing to post once.
    const ledgerDeps: LedgerDeps | undefined =
      ledger && slack ? { ledger, timeLeft, sleep, now, ...(storm ? { storm } : {}) } : undefined;
    const outcomes: Outcome[] = [];
    const failures: unknown[] = [];
    // SNS delivers one record per invocation; should there be more, one failure must not stop the rest.
    for (const sns of notificationsOf(event)) {
      try {
        const outcome = await notify(sns, {
          config,
          slack,
          lookUpLogLines,
          ledger: ledgerDeps,
          print,
          now,
          log: invocationLog,
        });
        invocationLog.info('notification handled', {
          message_id: sns.MessageId,
          ...outcome,
          remaining_ms: deadline.remaining(),
        });
        outcomes.push(outcome);
      } catch (error) {
        invocationLog.error('notification failed', {
          message_id: sns.MessageId,
          error,
          remaining_ms: deadline.remaining(),
        });
        const tokenRejected = error instanceof SlackPermanentError && TOKEN_REJECTED_CODES.has(error.code);
        // A rotated token, or a read that hung: read it again next time, not the cached promise.
        if ((tokenRejected || error instanceof OutOfTimeError) && config.token) {
          token = new CachedSecret(config.token, fetchSecret);
        }
        failures.push(error);
      }
    }
    if (failures.length > 0) {
      const first = failures[0];
      const summary = first instanceof Error ? `${first.name}: ${first.message}` : String(first);
      // Failing the invocation lets Lambda retry and then keep the event in the on-failure queue.
      throw new NotificationFailedError(
        `${failures.length} of ${outcomes.length + failures.length} notifications failed; first: ${summary}`,
        {
          cause: first,
        },
      );
    }
    return { outcomes };
  }

  return { handle };
}

/** The runtime's DynamoDB client, made (and its SDK loaded) when the ledger is first used. */
function lazyDynamoDb(): LedgerClient {
  let client: Promise<LedgerClient> | undefined;
  return {
    send: (async (command: Parameters<LedgerClient['send']>[0]) => {
      client ??= import('@aws-sdk/client-dynamodb').then(({ DynamoDBClient }) => new DynamoDBClient({}));
      return (await client).send(command);
    }) as LedgerClient['send'],
  };
}
