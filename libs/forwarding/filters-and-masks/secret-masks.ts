import { compileRe2 } from './patterns';
import { v8Regex } from './v8-regex';
import { fixed, wordBefore } from './match-context';
import type { Replacer } from './replace';
import { isNotSecretKey, SECRET_KEY_WORDS } from './secret-keys';
import {
  mayHoldAt,
  mayHoldPrivateKey,
  mayHoldSessionToken,
  mayHoldVendorToken,
  mayNameSecret,
  secretWord,
} from './builtin-scans';
import type { BuiltinPattern } from './match-context';

/**
 * The built-ins for credentials as they leak into logs: keys, headers, URLs, vendors' tokens.
 * Each one is RE2 (linear time) behind a cheap literal prefilter, like the others.
 */

// PEM private keys (PKCS#1/#8, EC, OpenSSH, encrypted, PGP's `PRIVATE KEY BLOCK`), multi-line
// or one line with `\n` escapes (a service-account JSON key). Up to the END line; a key cut
// short (a truncated event) is masked up to the end of its JSON string or of the text.
const PEM_BEGIN = '-----BEGIN[A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----';
const PEM_END = '-----END[A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----';

/** Words that follow a secret's key in prose or placeholders, not a secret: left as they are. */
const NOT_A_VALUE = new Set([
  'null',
  'none',
  'nil',
  'undefined',
  'true',
  'false',
  'expired',
  'invalid',
  'missing',
  'required',
  'empty',
  'redacted',
  'hidden',
  'masked',
]);

/**
 * `key=value`, `key: value`, `"key": "value"`, `\"key\":\"value\"` (JSON in a string),
 * `'key': 'value'`, Ruby's `:key => "value"`, query strings and forms (`&token=...`): the value
 * after a secret's name is masked, quotes and key kept. Groups: 1 key, 2 separator, 3 "value",
 * 4 \"value\", 5 'value', 6 an auth scheme (`Bearer `), 7 a bare value.
 */
const KEYED_VALUE = String.raw`(?i)([A-Za-z0-9_.-]*?(?:${SECRET_KEY_WORDS}))((?:\\?["'])?[ \t]*(?:=>|:|=)[ \t]*)(?:"((?:[^"\\\n]|\\[^\n])*)"|\\"((?:[^"\\]|\\\\)*)\\"|'([^'\n]*)'|((?:Bearer|Basic|Token|Digest)[ \t]+)?([^\s"'&;,<>(){}\[\]\\]+))`;

const LETTERS_ONLY = /^[A-Za-z]+$/;
const AUTH_SCHEME = /^(?:bearer|basic|token|digest)$/i;

const keyedValue: Replacer = (match, text) => {
  if (wordBefore(text, match.start)) return undefined;
  const key = match.group(1)!;
  if (isNotSecretKey(key)) return undefined;
  const separator = match.group(2)!;
  // A segment of an ARN or URN (`...:secret:prod/db`): a name, not a secret.
  if (separator === ':' && text.charCodeAt(match.start - 1) === 58) return undefined;
  const head = key + separator;
  const quoted = match.group(3) ?? match.group(4) ?? match.group(5);
  if (quoted !== null) {
    if (quoted === '' || NOT_A_VALUE.has(quoted.toLowerCase())) return undefined;
    if (match.group(3) !== null) return `${head}"[MASKED]"`;
    if (match.group(4) !== null) return `${head}\\"[MASKED]\\"`;
    return `${head}'[MASKED]'`;
  }
  const bare = match.group(7)!;
  const scheme = match.group(6) ?? '';
  if (!/[A-Za-z0-9]/.test(bare) || NOT_A_VALUE.has(bare.toLowerCase())) return undefined;
  // `Authorization: Bearer [MASKED]`: the bearer mask has taken the token already.
  if (scheme === '' && AUTH_SCHEME.test(bare)) return undefined;
  // Prose (`Invalid session: user not found`): a lower-case word after `key: ` is no secret.
  if (scheme === '' && !separator.includes('=') && LETTERS_ONLY.test(bare) && bare === bare.toLowerCase())
    return undefined;
  return `${head}${scheme}[MASKED]`;
};

/** `Basic <base64 of user:password>`: masked only when it decodes to `something:something`. */
const basicAuth: Replacer = (match, text) => {
  if (wordBefore(text, match.start)) return undefined;
  const decoded = Buffer.from(match.group(3)!, 'base64').toString('latin1');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || !/^[\x20-\x7e]+$/.test(decoded)) return undefined;
  return `${match.group(1)}${match.group(2)}[MASKED]`;
};

// Vendors' documented token formats: a fixed prefix, then the token's alphabet. Minimum
// lengths are below the documented ones, so a token is masked whole even if a format grows.
export const VENDOR_TOKENS = [
  'gh[pousr]_[A-Za-z0-9]{30,}', // GitHub: personal, OAuth, user-to-server, server-to-server, refresh
  'github_pat_[A-Za-z0-9_]{30,}', // GitHub fine-grained personal access token
  'gl(?:pat|dt|rt|ptt|ft|soat|cbt|imt|oas)-[A-Za-z0-9_-]{20,}', // GitLab
  'xox[abposre]-[A-Za-z0-9-]{10,}', // Slack bot, user, app-level, config, refresh tokens
  'xapp-[0-9]-[A-Za-z0-9-]{10,}', // Slack app-level
  'hooks\\.slack\\.com/(?:services|workflows|triggers)/[A-Za-z0-9/_-]{20,}', // Slack webhook URLs
  '(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}', // Stripe secret and restricted keys
  'whsec_[A-Za-z0-9]{24,}', // Stripe webhook signing secret
  'AIza[0-9A-Za-z_-]{35,}', // Google API key
  'GOCSPX-[A-Za-z0-9_-]{24,}', // Google OAuth client secret
  'ya29\\.[A-Za-z0-9_-]{20,}', // Google OAuth access token
  'npm_[A-Za-z0-9]{36,}', // npm
  'pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{20,}', // PyPI API token (a macaroon for pypi.org)
  'SG\\.[A-Za-z0-9_-]{16,}\\.[A-Za-z0-9_-]{30,}', // SendGrid
  'SK[0-9a-fA-F]{32}', // Twilio API key SID
  'sk-(?:proj-|svcacct-|admin-|ant-(?:api|admin)[0-9]{2}-)?[A-Za-z0-9_-]{20,}', // OpenAI, Anthropic
  'HRKU-[A-Za-z0-9_-]{20,}', // Heroku
  'shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}', // Shopify
  'hf_[A-Za-z0-9]{30,}', // Hugging Face
  'do[opr]_v1_[a-f0-9]{64}', // DigitalOcean
  'dapi[a-f0-9]{32}', // Databricks
  'NRAK-[A-Z0-9]{27}', // New Relic user key
  'glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}', // Grafana service account
  'PMAK-[a-f0-9]{24}-[a-f0-9]{34}', // Postman
  'sq0(?:atp|csp)-[A-Za-z0-9_-]{22,}', // Square
  'ATATT3[A-Za-z0-9_=-]{20,}', // Atlassian API token
  'lin_api_[A-Za-z0-9]{40}', // Linear
  'dp\\.(?:pt|st|sa|ct)\\.[A-Za-z0-9]{40,}', // Doppler
];
export const SECRET_BUILTINS: Record<string, () => BuiltinPattern[]> = {
  'private-key': () => [
    {
      regex: compileRe2(`${PEM_BEGIN}(?:[^"]*?${PEM_END}|[^"]*)`),
      replace: () => '[PRIVATE_KEY]',
      prefilter: mayHoldPrivateKey,
    },
  ],
  'aws-session-token': () => [
    // STS session tokens start with a fixed header (base64 of a versioned binary record).
    {
      regex: compileRe2('(?:IQoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz)[A-Za-z0-9/+=]{16,}'),
      replace: fixed('[AWS_SESSION_TOKEN]'),
      prefilter: mayHoldSessionToken,
    },
  ],
  'vendor-tokens': () => [
    {
      // On V8 (v8-regex.ts): a literal prefix, then one class repeated; one path per start.
      regex: v8Regex(`(?:${VENDOR_TOKENS.join('|')})`),
      replace: fixed('[MASKED]'),
      prefilter: mayHoldVendorToken,
    },
  ],
  'url-userinfo': () => [
    // `scheme://user:password@host` for any scheme (`postgresql+psycopg2`, `amqp`, `redis`)
    // and any host (a name, an address, `localhost`); `\/` as PHP escapes it. The user is kept.
    {
      regex: compileRe2(String.raw`([A-Za-z][A-Za-z0-9+.-]*:(?:\\?/){2}[^\s:/@"'<>\\]*:)([^\s@/"'<>\\]+)@`),
      replace: (match) => `${match.group(1)}[MASKED]@`,
      prefilter: (text) => mayHoldAt(text) && /:\\?\//.test(text),
    },
  ],
  'basic-auth': () => [
    {
      regex: compileRe2('(?i)(basic)([ \\t]+)([A-Za-z0-9+/]{6,}={0,2})'),
      replace: basicAuth,
      prefilter: secretWord(/basic/iu),
    },
  ],
  cookie: () => [
    // A whole `Cookie:` / `Set-Cookie:` header value: every cookie in it may be a session.
    {
      regex: compileRe2(String.raw`(?i)((?:set-)?cookie)([ \t]*:[ \t]*)([^\r\n"\\]+)`),
      replace: (match, text) =>
        wordBefore(text, match.start) && !/^set-/i.test(match.group(1)!)
          ? undefined
          : `${match.group(1)}${match.group(2)}[MASKED]`,
      prefilter: secretWord(/cookie/iu),
    },
  ],
  'secret-fields': () => [{ regex: compileRe2(KEYED_VALUE), replace: keyedValue, prefilter: mayNameSecret }],
};
