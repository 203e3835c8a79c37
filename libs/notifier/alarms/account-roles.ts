import type { Env } from '../../runtime/env';
import { listVar } from '../../runtime/env';
import { ConfigError } from '../../runtime/errors';
import { ALARM_ACCOUNT_ROLE_ARN } from '../../runtime/stack-constants';

const VARIABLE = 'ALARM_ACCOUNT_ROLES';
const ROLE_ARN = ALARM_ACCOUNT_ROLE_ARN;

/**
 * `111122223333=arn:aws:iam::111122223333:role/logpipe-alarm-lines,...`: for an alarm of another
 * account, the role this notifier assumes to read that account's log lines. The role must live in
 * the account it is listed for (its lines are there); one role per account.
 */
export function parseAccountRoles(env: Env): Map<string, string> {
  const roles = new Map<string, string>();
  for (const entry of listVar(env, VARIABLE)) {
    const at = entry.indexOf('=');
    const account = entry.slice(0, at).trim();
    const roleArn = entry.slice(at + 1).trim();
    if (at <= 0 || !/^\d{12}$/.test(account)) {
      throw new ConfigError(VARIABLE, `entry "${entry}" must look like <12-digit account id>=<role ARN>`);
    }
    const arnAccount = ROLE_ARN.exec(roleArn)?.[1];
    if (arnAccount === undefined) {
      throw new ConfigError(VARIABLE, `"${roleArn}" (account ${account}) is not an IAM role ARN`);
    }
    if (arnAccount !== account) {
      throw new ConfigError(
        VARIABLE,
        `the role for account ${account} is in account ${arnAccount}: it must be in the account whose lines it reads`,
      );
    }
    if (roles.has(account)) throw new ConfigError(VARIABLE, `account ${account} is listed twice`);
    roles.set(account, roleArn);
  }
  return roles;
}
