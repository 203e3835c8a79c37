import { ConfigError } from './errors';

/**
 * Small, strict readers for environment variables. Every reader names the variable in its
 * error, says what was wrong and what is accepted. Configuration is parsed once when a
 * function starts, so a bad value fails the cold start instead of the hundredth event.
 */
export type Env = Record<string, string | undefined>;

function raw(env: Env, name: string): string | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

export function optionalString(env: Env, name: string): string | undefined {
  return raw(env, name);
}

export function stringVar(env: Env, name: string, fallback: string): string {
  return raw(env, name) ?? fallback;
}

export function intVar(
  env: Env,
  name: string,
  fallback: number,
  bounds: { min?: number; max?: number } = {},
): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value)) throw new ConfigError(name, `must be an integer, got "${value}"`);
  const parsed = Number(value);
  if (bounds.min !== undefined && parsed < bounds.min)
    throw new ConfigError(name, `must be >= ${bounds.min}, got ${parsed}`);
  if (bounds.max !== undefined && parsed > bounds.max)
    throw new ConfigError(name, `must be <= ${bounds.max}, got ${parsed}`);
  return parsed;
}

export function boolVar(env: Env, name: string, fallback: boolean): boolean {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const lower = value.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(lower)) return true;
  if (['false', '0', 'no', 'off'].includes(lower)) return false;
  throw new ConfigError(name, `must be true or false, got "${value}"`);
}

export function enumVar<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${value}"`);
}

export function urlVar(env: Env, name: string): URL | undefined {
  const value = raw(env, name);
  if (value === undefined) return undefined;
  // Neither the value nor URL's TypeError (whose `input` is the value) goes into the error: a
  // malformed URL may still hold a user:password.
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, `must be an absolute http(s) URL (${value.length} characters, not shown)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    // Not quoted: in "elastic:pass@host" the "scheme" is the user name.
    throw new ConfigError(name, 'must use http or https (scheme not shown)');
  }
  if (url.username || url.password) {
    // Credentials in a URL end up in logs and consoles; they belong in Secrets Manager or SSM.
    throw new ConfigError(name, 'must not contain credentials; use DESTINATION_CREDENTIALS');
  }
  return url;
}

/** An IANA time zone such as Asia/Seoul; validated against the runtime's time zone data. */
export function timeZoneVar(env: Env, name: string, fallback: string): string {
  const value = raw(env, name) ?? fallback;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
  } catch (cause) {
    throw new ConfigError(name, `is not a known IANA time zone: "${value}" (e.g. UTC, Asia/Seoul)`, {
      cause,
    });
  }
  return value;
}

/** A list separated by commas; empty entries are dropped. */
export function listVar(env: Env, name: string): string[] {
  const value = raw(env, name);
  if (value === undefined) return [];
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
