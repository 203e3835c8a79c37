import {
  boolVar,
  type Env,
  intVar,
  listVar,
  optionalString,
  stringVar,
  timeZoneVar,
  urlVar,
} from '../runtime/env';
import { parseAccountRoles } from './alarms/account-roles';
import { ConfigError } from '../runtime/errors';
import type { OutputMasks } from '../forwarding/destinations/output-mask';
import type { SecretRef } from '../runtime/secrets';
import { loadNotifierMasks } from './masking';

export interface ChannelRoute {
  prefix: string;
  channel: string;
}

export interface NotifierConfig {
  stage: string;
  timeZone: string;
  /** Where the bot token lives; undefined means no Slack: print the payload to stdout. */
  token?: SecretRef;
  channel: string;
  routes: ChannelRoute[];
  mention?: string;
  postInsufficientData: boolean;
  maxLogLines: number;
  maxLineChars: number;
  threadLookbackHours: number;
  /** Pages of 200 messages an OK (or a repeated post) reads back through channel history at most. */
  historyPagesMax: number;
  slackApiUrl?: string;
  /** The alarm ledger's DynamoDB table; unset: history alone decides, as before the ledger. */
  ledgerTable?: string;
  /** More ALARMs than this in one channel in one minute go into one summary message; 0: never. */
  stormThreshold: number;
  /** The stage's masks (RULES_FILE) on every message: masking.ts. */
  masks?: OutputMasks;
  /** ALARM_ACCOUNT_ROLES: account id -> the role there that reads its log lines (alarms/account-roles.ts). */
  accountRoles?: ReadonlyMap<string, string>;
}

/** `critical-=C0CRIT,payments-=C0PAY`: alarm name prefix -> channel, longest prefix wins. */
function parseRoutes(env: Env): ChannelRoute[] {
  return listVar(env, 'SLACK_CHANNEL_ROUTES')
    .map((entry) => {
      const at = entry.lastIndexOf('=');
      const prefix = entry.slice(0, at).trim();
      const channel = entry.slice(at + 1).trim();
      if (at <= 0 || channel === '') {
        throw new ConfigError(
          'SLACK_CHANNEL_ROUTES',
          `entry "${entry}" must look like <alarm name prefix>=<channel>`,
        );
      }
      return { prefix, channel };
    })
    .sort((a, b) => b.prefix.length - a.prefix.length);
}

/** Only real Slack mention syntax: <!here>, <!channel>, <!subteam^ID>, <@USERID>. */
function parseMention(env: Env): string | undefined {
  const value = optionalString(env, 'SLACK_MENTION_ON_ALARM');
  if (value === undefined) return undefined;
  if (!/^<(!here|!channel|!subteam\^[A-Z0-9]+|@[UW][A-Z0-9]+)>$/.test(value)) {
    throw new ConfigError(
      'SLACK_MENTION_ON_ALARM',
      `must be <!here>, <!channel>, <!subteam^ID> or <@USERID>, got "${value}"`,
    );
  }
  return value;
}

function parseToken(env: Env): SecretRef | undefined {
  const secret = optionalString(env, 'SLACK_TOKEN_SECRET');
  const parameter = optionalString(env, 'SLACK_TOKEN_PARAMETER');
  if (secret !== undefined && parameter !== undefined) {
    throw new ConfigError(
      'SLACK_TOKEN_SECRET',
      'set either SLACK_TOKEN_SECRET or SLACK_TOKEN_PARAMETER, not both',
    );
  }
  if (secret !== undefined) return { store: 'secretsmanager', id: secret };
  if (parameter !== undefined) return { store: 'ssm', id: parameter };
  return undefined;
}

/** The Web API client appends method names ("chat.postMessage") straight to the base URL. */
function withTrailingSlash(url: string | undefined): string | undefined {
  return url === undefined || url.endsWith('/') ? url : `${url}/`;
}

/**
 * Characters of log lines one ALARM may carry: what is left of the block text Slack takes
 * (libs/notifier/slack/finish.ts, 12,000) once header, title, fields and reason have theirs.
 */
export const LOG_TEXT_BUDGET = 8000;

/** LOG_LINES_MAX lines of LOG_LINE_MAX_CHARS (and a time each) must fit in the message. */
function checkLogBudget(lines: number, chars: number): void {
  const needed = lines * (chars + 10);
  if (needed > LOG_TEXT_BUDGET)
    throw new ConfigError(
      'LOG_LINES_MAX',
      `${lines} lines of LOG_LINE_MAX_CHARS=${chars} need ${needed} characters; a message has room for ${LOG_TEXT_BUDGET} (lower either)`,
    );
}

/** Read once per container (module scope of the handler); a bad value fails the cold start. */
export function loadNotifierConfig(env: Env = process.env): NotifierConfig {
  const token = parseToken(env);
  const maxLogLines = intVar(env, 'LOG_LINES_MAX', 10, { min: 0, max: 40 });
  const maxLineChars = intVar(env, 'LOG_LINE_MAX_CHARS', 500, { min: 80, max: 2900 });
  checkLogBudget(maxLogLines, maxLineChars);
  const channel = optionalString(env, 'SLACK_CHANNEL');
  if (token !== undefined && channel === undefined) {
    throw new ConfigError('SLACK_CHANNEL', 'is required when a Slack token is configured');
  }
  return {
    stage: stringVar(env, 'STAGE', 'local'),
    timeZone: timeZoneVar(env, 'NOTIFIER_TIME_ZONE', 'UTC'),
    token,
    channel: channel ?? '#alarms',
    routes: parseRoutes(env),
    mention: parseMention(env),
    postInsufficientData: boolVar(env, 'POST_INSUFFICIENT_DATA', false),
    maxLogLines,
    maxLineChars,
    threadLookbackHours: intVar(env, 'THREAD_LOOKBACK_HOURS', 24, { min: 1, max: 168 }),
    historyPagesMax: intVar(env, 'HISTORY_PAGES_MAX', 5, { min: 1, max: 50 }),
    slackApiUrl: withTrailingSlash(urlVar(env, 'SLACK_API_URL')?.toString()),
    ledgerTable: optionalString(env, 'ALARM_LEDGER_TABLE'),
    stormThreshold: intVar(env, 'ALARM_STORM_THRESHOLD', 10, { min: 0, max: 1000 }),
    masks: loadNotifierMasks(env),
    accountRoles: optionalMap(parseAccountRoles(env)),
  };
}

const optionalMap = <K, V>(map: Map<K, V>) => (map.size > 0 ? map : undefined);

/** The channel for an alarm: the longest matching name prefix, else the stage's channel. */
export function channelFor(
  config: Pick<NotifierConfig, 'routes' | 'channel'>,
  alarmName: string | undefined,
): string {
  const route =
    alarmName === undefined ? undefined : config.routes.find((r) => alarmName.startsWith(r.prefix));
  return route?.channel ?? config.channel;
}
