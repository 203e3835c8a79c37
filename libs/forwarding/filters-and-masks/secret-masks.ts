import { compileRe2 } from './patterns';
import { v8Regex } from './v8-regex';
import { fixed, wordBefore } from './match-context';
import type { Replacer } from './replace';
import {
  isNotSecretKey,
  isSecretKey,
  isWeakSecretKey,
  looksRandom,
  SECRET_KEY_WORDS,
  WEAK_KEY_WORDS,
} from './secret-keys';
import {
  mayHoldAt,
  mayHoldLegacyVaultToken,
  mayHoldPrivateKey,
  mayHoldSessionToken,
  mayHoldVendorToken,
  mayNameSecret,
  mayNameWeakSecret,
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
// Authorization schemes (RFC 9110 and vendors'): `Authorization: SSWS <token>` masks the token.
const AUTH_SCHEMES =
  'Bearer|Basic|Token|Digest|ApiKey|Api-Key|SSWS|Splunk|GenieKey|Key|OAuth|Negotiate|NTLM|HMAC|Hawk|AWS4-HMAC-SHA256';

const KEYED_VALUE = String.raw`(?i)([A-Za-z0-9_.-]*?(?:${SECRET_KEY_WORDS}))((?:\\?["'])?[ \t]*(?:=>|:|=|：|＝)[ \t]*)(?:"((?:[^"\\\n]|\\[^\n])*)"|\\"((?:[^"\\]|\\\\)*)\\"|'([^'\n]*)'|((?:${AUTH_SCHEMES})[ \t]+)?([^\s"'&;,<>(){}\[\]\\]+))`;

const LETTERS_ONLY = /^[A-Za-z]+$/;
const AUTH_SCHEME = new RegExp(`^(?:${AUTH_SCHEMES})$`, 'i');
// A value that is code, not a secret: `secret = client.get_secret_value(...)`, `key = os.environ[...]`.
const IDENTIFIER_PATH = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;

/**
 * The replacement of a bare (unquoted) value after a secret's name, or undefined when the value
 * is not a secret: a placeholder, prose (`Invalid session: user not found`), an auth scheme the
 * bearer mask has handled, a call or subscript expression.
 */
function maskedBare(
  head: string,
  separator: string,
  bare: string,
  scheme: string,
  after: number,
): string | undefined {
  if (!/[\p{L}\p{N}]/u.test(bare) || NOT_A_VALUE.has(bare.toLowerCase())) return undefined;
  // `Authorization: Bearer [MASKED]`: the bearer mask has taken the token already.
  if (scheme === '' && AUTH_SCHEME.test(bare)) return undefined;
  // Prose (`Invalid session: user not found`, `パスワード: 変更されました`): a word is no secret.
  if (scheme === '' && !separator.includes('=') && isProseWord(bare)) return undefined;
  if ((after === 40 /* ( */ || after === 91) /* [ */ && IDENTIFIER_PATH.test(bare)) return undefined;
  return `${head}${scheme}[MASKED]`;
}

/** A lower-case word, or letters of a script without case (Japanese, Korean, Chinese): prose. */
const isProseWord = (value: string) =>
  (LETTERS_ONLY.test(value) && value === value.toLowerCase()) || /^[^\p{ASCII}\p{Lu}\p{Ll}]+$/u.test(value);

/** The key names a secret: in the vocabulary (not `bypass` for `pass`), and not `nextToken`. */
const namesSecret = (key: string) => isSecretKey(key) && !isNotSecretKey(key);

const keyedValue: Replacer = (match, text) => {
  if (wordBefore(text, match.start)) return undefined;
  const key = match.group(1)!;
  if (!namesSecret(key)) return undefined;
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
  // `pass=12 fail=0` (a test summary): a count after the short name is not a password.
  if (/^pass$/i.test(key) && /^[0-9]+$/.test(bare)) return undefined;
  return maskedBare(head, separator, bare, match.group(6) ?? '', text.charCodeAt(match.end));
};

/**
 * `key: value` and `key:value` with the value unquoted (YAML, Go's `%+v`, prose logs): the value
 * runs to the next white space, so one holding `&`, `=` or `(` is masked whole
 * (`passwd: c=c4rhK-x&JJ*F)+4`). Trailing punctuation (`,;)}]`) stays: it closes what holds the
 * pair (`{User:x Password:y}`). Groups: 1 key, 2 separator, 3 an auth scheme, 4 value.
 */
const COLON_VALUE = String.raw`(?i)([A-Za-z0-9_.-]*?(?:${SECRET_KEY_WORDS}))([ \t]*[:：＝][ \t]*)((?:${AUTH_SCHEMES})[ \t]+)?([^\s"'\\<>\[][^\s"'\\<>]*)`;

const colonValue: Replacer = (match, text) => {
  if (wordBefore(text, match.start)) return undefined;
  const key = match.group(1)!;
  if (!namesSecret(key)) return undefined;
  const separator = match.group(2)!;
  if (separator === ':' && text.charCodeAt(match.start - 1) === 58) return undefined;
  const value = match.group(4)!;
  const trail = /[,;)}\]]*$/.exec(value)![0];
  const bare = value.slice(0, value.length - trail.length);
  if (bare === '') return undefined;
  const scheme = match.group(3) ?? '';
  const masked = maskedBare(
    key + separator,
    separator,
    bare,
    scheme,
    text.charCodeAt(match.end - trail.length),
  );
  return masked === undefined ? undefined : masked + trail;
};

/**
 * A command-line flag naming a secret, its value after a space or `=` (`--adminPassword X`,
 * `--passphrase=X`, `--client_secret "X"`): the value runs to the next white space. Groups: 1 the
 * flag, 2 separator, 3 "value", 4 'value', 5 a bare value.
 */
const FLAG_VALUE = String.raw`(?i)(--[A-Za-z0-9_.-]*?(?:${SECRET_KEY_WORDS}))([ \t]+|=)(?:"([^"\n]*)"|'([^'\n]*)'|([^\s"'\\<>\[-][^\s"'\\]*))`;

const flagValue: Replacer = (match, text) => {
  if (wordBefore(text, match.start)) return undefined;
  const flag = match.group(1)!;
  if (!namesSecret(flag.replace(/^-+/, ''))) return undefined;
  const head = flag + match.group(2)!;
  const quoted = match.group(3) ?? match.group(4);
  if (quoted !== null) {
    if (quoted === '' || NOT_A_VALUE.has(quoted.toLowerCase())) return undefined;
    return match.group(3) !== null ? `${head}"[MASKED]"` : `${head}'[MASKED]'`;
  }
  const bare = match.group(5)!;
  // Usage text: a placeholder (`--password PASSWORD`) or a word (`--token is required`).
  if (match.group(2) !== '=' && (/^[A-Z_]+$/.test(bare) || isProseWord(bare))) return undefined;
  return maskedBare(head, '=', bare, '', -1);
};

/** An XML element named like a secret (`<db_password>...</db_password>`): its text is masked. */
const ELEMENT_VALUE = String.raw`(?i)<([A-Za-z0-9_.:-]*?(?:${SECRET_KEY_WORDS}))>([^<\n]{1,512})</`;

const elementValue: Replacer = (match) => {
  const name = match.group(1)!;
  const value = match.group(2)!;
  if (!namesSecret(name.replace(/^.*:/, '')) || value.trim() === '') return undefined;
  if (NOT_A_VALUE.has(value.trim().toLowerCase())) return undefined;
  return `<${name}>[MASKED]</`;
};

/**
 * A setting written as XML attributes (.NET `<add key="DbPassword" value="..."/>`, Spring
 * `<property name="password" value="..."/>`): the value of an element whose key or name is a
 * secret's. Groups: 1 up to the value's quote, 2 the name, 3 the value.
 */
const ATTRIBUTE_VALUE = String.raw`(?i)((?:key|name)=\\*["']([A-Za-z0-9_.:-]*?(?:${SECRET_KEY_WORDS}))\\*["'][ \t]+value=\\*["'])([^"'\\<>\n]{1,512})`;

const attributeValue: Replacer = (match) =>
  namesSecret(match.group(2)!) && !NOT_A_VALUE.has(match.group(3)!.toLowerCase())
    ? `${match.group(1)}[MASKED]`
    : undefined;

/**
 * A weak name (`key`, `code`, `sig`, `키`: secret-keys.ts) standing alone, and a random-looking
 * value: query strings (`?code=gNxl%2Bw...&`), `key: e6065739...`, `"sig":"0a25..."`. Groups:
 * 1 key, 2 separator with quotes, 3 value. Written for V8 as well as RE2: no `i` flag, one path.
 */
export const WEAK_VALUE = String.raw`(${WEAK_KEY_WORDS})((?:\\*["'])?[ \t]*[:=：＝][ \t]*(?:\\*["'])?)([A-Za-z0-9%+/=_~.-]{16,})`;

const weakValue: Replacer = (match, text) => {
  if (wordBefore(text, match.start) || !isWeakSecretKey(match.group(1)!)) return undefined;
  if (!looksRandom(match.group(3)!)) return undefined;
  return `${match.group(1)}${match.group(2)}[MASKED]`;
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
  'dp\\.(?:pt|st|sa|ct|scim|audit)\\.[A-Za-z0-9]{40,}', // Doppler
  'key-[0-9a-f]{32}', // Mailgun (legacy API key)
  'dckr_(?:pat|oat)_[A-Za-z0-9_-]{20,}', // Docker Hub personal and organization access tokens
  'AGE-SECRET-KEY-1[0-9A-Z]{50,}', // age identity (bech32)
  '[A-Za-z0-9_~.-]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}', // Azure AD (Entra ID) client secret
  'discord(?:app)?\\.com/api/webhooks/[0-9]{17,20}/[A-Za-z0-9_-]{50,}', // Discord webhook URL
  '[A-Za-z0-9]{14}\\.atlasv1\\.[A-Za-z0-9_=-]{60,}', // Terraform Cloud / Enterprise
  'GR1348941[A-Za-z0-9_-]{20,}', // GitLab runner registration token
  '[0-9]{8,10}:AA[A-Za-z0-9_-]{33}', // Telegram bot token (the secret part starts with AA)
  'hv[sbr]\\.[A-Za-z0-9_-]{24,}', // HashiCorp Vault service, batch and recovery tokens
  'ATBB[A-Za-z0-9_=.-]{28,}', // Bitbucket app password
  'ATCTT3[A-Za-z0-9_=-]{20,}', // Atlassian (Confluence/Jira) access token
  'v1\\.0-[a-f0-9]{24}-[a-f0-9]{100,}', // Cloudflare Origin CA key
  'sk\\.eyJ[A-Za-z0-9_-]{20,}\\.[A-Za-z0-9_-]{20,}', // Mapbox secret token
  'pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.-]{32,}', // PlanetScale
  'pul-[a-f0-9]{40}', // Pulumi access token
  'sntry[su]_[A-Za-z0-9+/=_]{40,}', // Sentry org and user auth tokens
  'EAAA[A-Za-z0-9_-]{60}', // Square access token
  'sb(?:p_[a-f0-9]{40}|_secret_[A-Za-z0-9_-]{20,})', // Supabase access token, secret API key
  'figd_[A-Za-z0-9_-]{30,}', // Figma
  'nf[pc]_[A-Za-z0-9]{36,}', // Netlify
  'tskey-[a-z]+-[A-Za-z0-9-]{20,}', // Tailscale
  'rubygems_[a-f0-9]{48}', // RubyGems
  'CFPAT-[A-Za-z0-9_-]{40,}', // Contentful
  'dt0c01\\.[A-Z0-9]{24}\\.[A-Z0-9]{64}', // Dynatrace
  'LTAI[A-Za-z0-9]{20}', // Alibaba Cloud access key id
  'ops_eyJ[A-Za-z0-9+/=_-]{100,}', // 1Password service account
];
const DOT = 46;

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
      // In a query string (`X-Amz-Security-Token=IQoJ...%2B...%3D`) URL-encoded: `%2B`, `%2F` and
      // `%3D` are part of it.
      regex: compileRe2('(?:IQoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz)(?:[A-Za-z0-9/+=]|%2[BbFf]|%3[Dd]){16,}'),
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
    // Vault's legacy service token (before 1.10): `s.` and 24 characters of mixed case and digits,
    // standing alone (`xs.`, `a.s.` and `requests.` are not one).
    {
      regex: compileRe2('s\\.[A-Za-z0-9]{24}'),
      replace: (match, text) =>
        /[a-z]/.test(match.group(0)!) && /[A-Z]/.test(match.group(0)!) && /[0-9]/.test(match.group(0)!)
          ? fixed('[MASKED]', [DOT])(match, text)
          : undefined,
      prefilter: mayHoldLegacyVaultToken,
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
    // Go's MySQL driver DSN: `user:password@tcp(host:3306)/db` (also `unix(...)`), no scheme.
    {
      regex: compileRe2(String.raw`([A-Za-z0-9_.-]+:)([^\s@/"'<>\\:]+)(@(?:tcp|tcp6|unix|udp)\()`),
      replace: (match, text) =>
        wordBefore(text, match.start) ? undefined : `${match.group(1)}[MASKED]${match.group(3)}`,
      prefilter: (text) => mayHoldAt(text) && /@(?:tcp|tcp6|unix|udp)\(/.test(text),
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
  // The forms that take a value further first (a flag's or a colon's value runs to white space),
  // then `key=value` and the quoted forms, then the weak names. Their prefilters are the shared
  // scans (builtin-scans.ts): the vocabulary is tested once per text for all five.
  'secret-fields': () => [
    { regex: compileRe2(FLAG_VALUE), replace: flagValue, prefilter: mayNameSecret },
    { regex: compileRe2(ELEMENT_VALUE), replace: elementValue, prefilter: mayNameSecret },
    { regex: compileRe2(ATTRIBUTE_VALUE), replace: attributeValue, prefilter: mayNameSecret },
    { regex: compileRe2(COLON_VALUE), replace: colonValue, prefilter: mayNameSecret },
    { regex: compileRe2(KEYED_VALUE), replace: keyedValue, prefilter: mayNameSecret },
    // On V8 (v8-regex.ts): literal words, then one path (a CloudTrail record's `"key":` cost 1 ms on re2js).
    { regex: v8Regex(WEAK_VALUE), replace: weakValue, prefilter: mayNameWeakSecret },
  ],
};
