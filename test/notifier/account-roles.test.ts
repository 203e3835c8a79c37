import {
  AccountRoleError,
  accountLogsClients,
  REFRESH_BEFORE_EXPIRY_MS,
} from '../../libs/notifier/alarms/account-logs';
import { parseAccountRoles } from '../../libs/notifier/alarms/account-roles';
import { ConfigError } from '../../libs/runtime/errors';
import { Logger } from '../../libs/runtime/logger';
import { loadNotifierConfig } from '../../libs/notifier/config';
import { createNotifierRuntime } from '../../libs/notifier/runtime';
import { loadEvent } from './fixtures';
import { lambdaContext } from '../support/lambda';

const ROLE = 'arn:aws:iam::111122223333:role/logpipe-alarm-lines';

describe('ALARM_ACCOUNT_ROLES', () => {
  it('maps each account to its role; unset or blank is no role at all', () => {
    const roles = parseAccountRoles({
      ALARM_ACCOUNT_ROLES: ` 111122223333=${ROLE}, 444455556666=arn:aws-cn:iam::444455556666:role/path/r `,
    });
    expect([...roles]).toEqual([
      ['111122223333', ROLE],
      ['444455556666', 'arn:aws-cn:iam::444455556666:role/path/r'],
    ]);
    expect(parseAccountRoles({}).size).toBe(0);
    expect(parseAccountRoles({ ALARM_ACCOUNT_ROLES: ' ' }).size).toBe(0);
    expect(loadNotifierConfig({}).accountRoles).toBeUndefined();
    expect(
      loadNotifierConfig({ ALARM_ACCOUNT_ROLES: `111122223333=${ROLE}` }).accountRoles?.get('111122223333'),
    ).toBe(ROLE);
  });

  it.each([
    [ROLE, 'must look like <12-digit account id>=<role ARN>'],
    [`11112222333=${ROLE}`, 'must look like'],
    [`=${ROLE}`, 'must look like'],
    ['111122223333=', 'is not an IAM role ARN'],
    ['111122223333=arn:aws:iam::111122223333:user/someone', 'is not an IAM role ARN'],
    ['111122223333=arn:aws:sts::111122223333:assumed-role/r/s', 'is not an IAM role ARN'],
    ['111122223333=arn:aws:iam::999988887777:role/r', 'is in account 999988887777'],
    [`111122223333=${ROLE},111122223333=${ROLE}`, 'listed twice'],
  ])('refuses %j at cold start, naming the variable', (value, problem) => {
    expect(() => loadNotifierConfig({ ALARM_ACCOUNT_ROLES: value })).toThrow(ConfigError);
    expect(() => loadNotifierConfig({ ALARM_ACCOUNT_ROLES: value })).toThrow(/^ALARM_ACCOUNT_ROLES: /);
    expect(() => parseAccountRoles({ ALARM_ACCOUNT_ROLES: value })).toThrow(problem);
  });
});

/** An STS stand-in answering AssumeRole as STS does, counting calls; `refuse` answers AccessDenied. */
function fakeSts(clock: { now: number }, refuse = false) {
  const calls: { RoleArn?: string }[] = [];
  const sts = {
    send: async (command: { input: { RoleArn?: string } }) => {
      calls.push(command.input);
      if (refuse)
        throw Object.assign(
          new Error(
            `User: arn:aws:sts::999988887777:assumed-role/n is not authorized to perform: sts:AssumeRole on resource: ${command.input.RoleArn}`,
          ),
          {
            name: 'AccessDenied',
          },
        );
      return {
        Credentials: {
          AccessKeyId: `ASIA${calls.length}`,
          SecretAccessKey: `secret-${calls.length}`,
          SessionToken: `token-${calls.length}`,
          Expiration: new Date(clock.now + 3600_000),
        },
      };
    },
  };
  return { calls, sts: async () => sts as never };
}

describe('assumed-role credentials', () => {
  it('assumes once per account for the container, and renews them before they expire', async () => {
    const clock = { now: Date.UTC(2026, 0, 1) };
    const { calls, sts } = fakeSts(clock);
    const providers: (() => Promise<{ accessKeyId: string }>)[] = [];
    const clients = accountLogsClients(new Map([['111122223333', ROLE]]), {
      sts,
      now: () => new Date(clock.now),
      logsClient: async (_region, credentials) => {
        providers.push(credentials);
        return { send: async () => ({}) } as never;
      },
    });
    expect(await clients.clientFor('444455556666', 'eu-west-1')).toBeUndefined();
    const a = await clients.clientFor('111122223333', 'eu-west-1');
    const b = await clients.clientFor('111122223333', 'eu-west-1');
    await clients.clientFor('111122223333', 'us-east-1');
    expect(a).toBe(b);
    expect(providers).toHaveLength(2); // one client per region
    expect(calls).toEqual([expect.objectContaining({ RoleArn: ROLE })]);
    expect((await providers[0]!()).accessKeyId).toBe('ASIA1');
    clock.now += 3600_000 - REFRESH_BEFORE_EXPIRY_MS - 1000;
    expect((await providers[0]!()).accessKeyId).toBe('ASIA1');
    clock.now += 2000; // inside the renewal margin
    expect((await providers[0]!()).accessKeyId).toBe('ASIA2');
    expect(calls).toHaveLength(2);
  });

  it('a refused AssumeRole is an AccountRoleError naming account and role, and is not kept', async () => {
    const clock = { now: Date.UTC(2026, 0, 1) };
    const { calls, sts } = fakeSts(clock, true);
    const clients = accountLogsClients(new Map([['111122223333', ROLE]]), { sts });
    const error = await clients.clientFor('111122223333', 'eu-west-1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccountRoleError);
    expect(error).toMatchObject({ account: '111122223333', roleArn: ROLE, cause: { name: 'AccessDenied' } });
    await clients.clientFor('111122223333', 'eu-west-1').catch(() => undefined);
    expect(calls).toHaveLength(2);
  });
});

describe('an alarm of an account whose role cannot be assumed', () => {
  it('is posted saying so, and the warn line names the account, not credentials', async () => {
    const printed: string[] = [];
    const logged: string[] = [];
    const { sts } = fakeSts({ now: Date.now() }, true);
    const runtime = createNotifierRuntime(
      loadNotifierConfig({
        STAGE: 'dev',
        ALARM_ACCOUNT_ROLES: `123456789012=arn:aws:iam::123456789012:role/lines`,
      }),
      {
        otherAccounts: { sts },
        logsClientFor: async () => {
          throw new Error('this account’s client must not be used');
        },
        print: (line) => printed.push(line),
        log: new Logger({}, 'warn', { write: (line: string) => logged.push(line) }),
      },
    );
    const event = loadEvent('single-metric-alarm'); // an alarm of account 123456789012
    await runtime.handle(
      event,
      lambdaContext({
        invokedFunctionArn: 'arn:aws:lambda:ap-northeast-2:999988887777:function:logpipe-dev-notifier',
        remainingMs: 20_000,
      }),
    );
    expect(printed).toHaveLength(1);
    expect(printed[0]).toContain('could not assume arn:aws:iam::123456789012:role/lines');
    expect(printed[0]).toContain('AccessDenied');
    const warn = logged
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'account role not assumed');
    expect(warn).toMatchObject({ level: 'warn', account: '123456789012', error_name: 'AccessDenied' });
    expect(logged.join('\n')).not.toMatch(/secret-|token-|ASIA/);
  });
});

describe('an STS that does not answer', () => {
  it('is given up within the look-up’s share of the invocation, and the alarm posted saying so', async () => {
    const printed: string[] = [];
    const hanging = {
      send: (_command: unknown, options?: { abortSignal?: AbortSignal }) =>
        new Promise((_resolve, reject) => {
          options?.abortSignal?.addEventListener('abort', () =>
            reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' })),
          );
        }),
    };
    const runtime = createNotifierRuntime(
      loadNotifierConfig({
        STAGE: 'dev',
        ALARM_ACCOUNT_ROLES: `123456789012=arn:aws:iam::123456789012:role/lines`,
      }),
      {
        otherAccounts: { sts: async () => hanging as never },
        reserveMs: 0,
        print: (line) => printed.push(line),
        log: new Logger({}, 'error', { write: () => undefined }),
      },
    );
    await runtime.handle(
      loadEvent('single-metric-alarm'),
      lambdaContext({
        invokedFunctionArn: 'arn:aws:lambda:ap-northeast-2:999988887777:function:logpipe-dev-notifier',
        remainingMs: 1000,
      }),
    );
    expect(printed).toHaveLength(1);
    expect(printed[0]).toContain('could not assume arn:aws:iam::123456789012:role/lines');
    expect(printed[0]).toContain('AbortError');
  });
});
