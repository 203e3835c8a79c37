import { AppError } from '../../runtime/errors';
import { parseSecretJson } from '../../runtime/secrets';

export class SlackTokenError extends AppError {}

/**
 * The stored secret is either the bot token itself or JSON holding it (`{"token": "xoxb-…"}`,
 * the shape the Secrets Manager console makes for key/value secrets). The value is never logged.
 */
export function slackTokenFrom(secret: string): string {
  const value = secret.trim();
  if (!value.startsWith('{')) {
    if (value === '') throw new SlackTokenError('the Slack token secret is empty');
    return value;
  }
  let json: Record<string, unknown>;
  try {
    json = parseSecretJson(value) as Record<string, unknown>;
  } catch (error) {
    // The message holds the fault's position only, never the secret's text.
    throw new SlackTokenError(`the Slack token secret looks like JSON but is ${(error as Error).message}`);
  }
  for (const key of ['token', 'slackToken', 'SLACK_TOKEN', 'botToken', 'bot_token']) {
    const token = json[key];
    if (typeof token === 'string' && token.trim() !== '') return token.trim();
  }
  throw new SlackTokenError('the Slack token secret JSON has no "token" key');
}

/** Codes after which the cached token is dropped, so a rotated secret is read again. */
export const TOKEN_REJECTED_CODES = new Set([
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'account_inactive',
]);
