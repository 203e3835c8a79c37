/**
 * The names of fields that hold secrets, in any case and separator style: `password`,
 * `db_password`, `DB-PASSWORD`, `dbPassword`, `X-Api-Key`, `aws_secret_access_key`. A name is
 * compared in its normal form (lower case, letters and digits of any script only) by its ending,
 * so a secret's name (`secret_arn`, `SecretId`, `passwordPolicy`) or a count (`prompt_tokens`) is
 * not a secret.
 */
const SECRET_ENDINGS = [
  'password',
  'passwordconfirmation',
  'passwordconfirm',
  'passwordhash',
  'passworddigest',
  'passcode',
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
  // Keys that encrypt or sign, and the vendors' names for an API key.
  'encryptionkey',
  'authkey',
  'secretkeybase', // Rails
  'signingkey',
  'masterkey',
  'hmackey',
  'accountkey', // Azure storage connection strings
  'sharedaccesskey', // Azure Service Bus / Event Hubs
  'sharedaccesssignature',
  'subscriptionkey', // Azure API Management: Ocp-Apim-Subscription-Key
  ...otherLanguageNames(),
];

/**
 * The common words for password, passphrase, secret, token and private key in other languages
 * (Japanese, Korean, Chinese, European languages, Russian, Turkish, Arabic, Hebrew...), as they
 * appear as keys in logs (`パスワード: ...`, `{"비밀번호": "..."}`), in their normal form.
 */
function otherLanguageNames(): string[] {
  return [
    // Japanese
    'パスワード',
    '暗証番号',
    '秘密鍵',
    '暗号鍵',
    'トークン',
    'シークレット',
    'アクセスキー',
    'パスフレーズ',
    // Korean
    '암호',
    '비밀번호',
    '패스워드',
    '토큰',
    '비밀키',
    '암호키',
    '인증키',
    // Chinese (simplified and traditional)
    '密码',
    '密碼',
    '口令',
    '令牌',
    '密钥',
    '密鑰',
    '私钥',
    '私鑰',
    // European languages, Russian, Turkish, Arabic, Hebrew, Vietnamese, Indonesian
    'contraseña',
    'contrasena',
    'senha',
    'motdepasse',
    'passwort',
    'kennwort',
    'wachtwoord',
    'lösenord',
    'losenord',
    'passord',
    'adgangskode',
    'salasana',
    'hasło',
    'haslo',
    'heslo',
    'jelszó',
    'parola',
    'şifre',
    'sifre',
    'пароль',
    'токен',
    'كلمةالمرور',
    'كلمةالسر',
    'סיסמה',
    'mậtkhẩu',
    'katasandi',
  ];
}

/** The names above that text writes as several words (`mot de passe`, `كلمة المرور`). */
const SPACED_FORMS: Record<string, string> = {
  motdepasse: 'mot[ _.-]?de[ _.-]?passe',
  كلمةالمرور: 'كلمة[ _]?المرور',
  كلمةالسر: 'كلمة[ _]?السر',
  mậtkhẩu: 'mật[ _]?khẩu',
  katasandi: 'kata[ _]?sandi',
};

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

const normal = (key: string) => key.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

/**
 * Names that hold a secret only when the value looks like one: `key`, `code` (an OAuth
 * authorization code), `sig` (a shared access signature), `キー`, `키`. Their value is masked when
 * it is one random-looking run (`?code=gNxl%2BwJze29...`, `"key": "e6065739ac80..."`), and left
 * when it reads as a name (`key: node-cache-Linux-x64-npm-<hash>`, `"code": "NoSuchKey"`).
 */
const WEAK_SECRET_NAMES = new Set(['key', 'code', 'sig', 'auth', 'キー', '키', '鍵', 'clave', 'ключ']);
/** A pattern of a word in either case, without a case-insensitive flag (`[Kk][Ee][Yy]`). */
const eitherCase = (word: string) =>
  [...word]
    .map((c) => (c.toLowerCase() === c.toUpperCase() ? c : `[${c.toLowerCase()}${c.toUpperCase()}]`))
    .join('');
/** The weak names as a pattern that needs no `i` flag (V8 and RE2 read it alike). */
export const WEAK_KEY_WORDS = [...WEAK_SECRET_NAMES].map(eitherCase).join('|');

/**
 * A value that is one random-looking run: 16 or more characters of a token's alphabet (URL
 * escapes included), a digit and a letter, and no segment between `- _ . /` that is a word of
 * three or more letters (`node-cache-Linux-x64-npm-...`, `orders/2026/11/28/a.json`).
 */
export function looksRandom(value: string): boolean {
  return (
    /^[A-Za-z0-9%+/=_~.-]{16,}$/.test(value) &&
    /[0-9]/.test(value) &&
    /[A-Za-z]/.test(value) &&
    !/(?:^|[-_./])[A-Za-z]{3,}(?=[-_./]|$)/.test(value)
  );
}

/** True for a weak name (see WEAK_SECRET_NAMES): its value is masked when it looks random. */
export const isWeakSecretKey = (key: string) => WEAK_SECRET_NAMES.has(normal(key));

/** True when this field's value is to be masked whole: a secret's name, or a weak one and a random value. */
export function isSecretField(key: string, value: unknown): boolean {
  if (isSecretKey(key)) return true;
  return typeof value === 'string' && isWeakSecretKey(key) && looksRandom(value);
}

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
const SECRET_KEY_WORD_LIST = [
  'password(?:[ _.-]?(?:confirmation|confirm|hash|digest))?',
  'passcode',
  'pass',
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
  '(?:encryption|signing|master|hmac|auth|account|subscription|shared[ _.-]?access)[ _.-]?key',
  'secret[ _.-]?key[ _.-]?base',
  'shared[ _.-]?access[ _.-]?signature',
  ...otherLanguageNames().map((name) => SPACED_FORMS[name] ?? name),
];
export const SECRET_KEY_WORDS = SECRET_KEY_WORD_LIST.join('|');
/**
 * The words written in ASCII only: the others hold a letter no ASCII letter folds to, so they
 * never match a text of ASCII characters (builtin-scans.ts tests those with this shorter list).
 */
export const ASCII_SECRET_KEY_WORDS = SECRET_KEY_WORD_LIST.filter((word) => !/[^\p{ASCII}]/u.test(word)).join(
  '|',
);

/**
 * A cheap test that text may hold a secret's name followed by a separator (`password=`,
 * `"apiKey": `, `\\"token\\":`, `:password =>`, `<password>`, `パスワード：`), a command-line
 * flag naming one (`--client_secret X`), or an attribute (`key="DbPassword" value=`): the
 * prefilter of the keyed-value masks. Linear: literal alternatives, then bounded optional
 * characters.
 */
export const MAY_NAME_STRONG_SECRET = new RegExp(
  `(?:${SECRET_KEY_WORDS})(?:(?:\\\\*["'])?[ \\t]*(?:=>|:|=|>|：|＝)|\\\\*["'][ \\t]+value=)|--[A-Za-z0-9_.-]*?(?:${SECRET_KEY_WORDS})[ \\t]`,
  // Unicode case folding (`u`), as RE2's `(?i)` reads the pattern: `ſ` is an `s`, the Kelvin
  // sign a `k`.
  'iu',
);

/**
 * The same for the weak names (`?code=`, `"key": `), the word standing alone: not after a word
 * character (`errorCode":`), unless that is the letter of an escape (`\\nkey: ...`).
 */
export const MAY_NAME_WEAK_SECRET = new RegExp(
  `(?<!(?:^|[^\\\\])[A-Za-z0-9_])(?:${WEAK_KEY_WORDS})(?:\\\\*["'])?[ \\t]*[:=：＝]`,
);

/**
 * A cheap test that a JSON text may have a field named like a secret: a key that ends with a
 * word of the vocabulary (`..._password":`, `\\"apiKey\\":` in a nested string, more backslashes
 * deeper down), or is one of the short names. A JSON message without one needs no masking by key.
 */
export const MAY_HAVE_SECRET_FIELD = new RegExp(
  `(?:(?:${SECRET_KEY_WORDS})|"(?:pass|auth|db[ _.-]?pass|cvv|cvc))\\\\*"\\s*:`,
  'i',
);

/** True for a name the key vocabulary knows but whose value is not a secret (`nextToken=`). */
export const isNotSecretKey = (key: string) => NOT_SECRET.has(normal(key));
