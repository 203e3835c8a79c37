/**
 * The names of fields that hold secrets, in any case and separator style: `password`,
 * `db_password`, `DB-PASSWORD`, `dbPassword`, `X-Api-Key`, `aws_secret_access_key`. A name is
 * compared in its normal form (lower case, letters and digits only) by its ending, so a secret's
 * name (`secret_arn`, `SecretId`, `passwordPolicy`) or a count (`prompt_tokens`) is not a secret.
 */
const SECRET_ENDINGS = [
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'secret',
  'secrets',
  'secretkey',
  'secretaccesskey',
  'token',
  'apikey',
  'apikeys',
  'appkey',
  'applicationkey',
  'accesskey',
  'privatekey',
  'authorization',
  'cookie',
  'cookies',
  'session',
  'sessionid',
  'sessionkey',
  'credential',
  'credentials',
  'signature',
  'connectionstring',
];

/** Exactly these names, too short to trust as an ending (`bypass`, `oauth`). */
const SECRET_NAMES = new Set(['pass', 'auth', 'dbpass', 'cvv', 'cvc']);

/** Names that end like a secret's but hold none: pagination and idempotency tokens. */
const NOT_SECRET = new Set([
  'nexttoken',
  'pagetoken',
  'nextpagetoken',
  'paginationtoken',
  'continuationtoken',
  'starttoken',
  'clienttoken',
  'idempotencytoken',
  'cancellationtoken',
]);

const normal = (key: string) => key.toLowerCase().replace(/[^a-z0-9]/g, '');

/** True when a field of this name holds a secret (its whole value is masked). */
export function isSecretKey(key: string): boolean {
  if (key.length > 64) return false;
  const name = normal(key);
  if (SECRET_NAMES.has(name)) return true;
  if (NOT_SECRET.has(name)) return false;
  for (const ending of SECRET_ENDINGS) if (name.endsWith(ending)) return true;
  return false;
}

/**
 * The same vocabulary as RE2 text for `key=value` forms: separators between words are any of
 * `_ - .` or none, in any case (`(?i)`). A key written this way must end the name: the separator
 * follows it.
 */
export const SECRET_KEY_WORDS = [
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'secrets?',
  'secret[ _.-]?(?:access[ _.-]?)?key',
  'token',
  'api[ _.-]?keys?',
  'app(?:lication)?[ _.-]?key',
  'access[ _.-]?key',
  'private[ _.-]?key',
  'authorization',
  'cookies?',
  'session(?:[ _.-]?(?:id|key))?',
  'credentials?',
  'signature',
  'connection[ _.-]?string',
].join('|');

/**
 * A cheap test that text may hold a secret's name followed by a separator (`password=`,
 * `"apiKey": `, `\\"token\\":`, `:password =>`): the prefilter of the keyed-value mask. Linear:
 * literal alternatives, then bounded optional characters. Unicode case folding (`u`), as RE2's
 * `(?i)` reads the pattern: `ſ` is an `s`, the Kelvin sign a `k`.
 */
export const MAY_NAME_SECRET = new RegExp(`(?:${SECRET_KEY_WORDS})(?:\\\\?["'])?[ \\t]*(?:=>|:|=)`, 'iu');

/**
 * A cheap test that a JSON text may have a field named like a secret: a key that ends with a
 * word of the vocabulary (`..._password":`, `\\"apiKey\\":` in a nested string), or is one of
 * the short names. A JSON message without one needs no masking by key.
 */
export const MAY_HAVE_SECRET_FIELD = new RegExp(
  `(?:(?:${SECRET_KEY_WORDS})|"(?:pass|auth|db[ _.-]?pass|cvv|cvc))\\\\?"\\s*:`,
  'i',
);

/** True for a name the key vocabulary knows but whose value is not a secret (`nextToken=`). */
export const isNotSecretKey = (key: string) => NOT_SECRET.has(normal(key));
