import { applyMask, compileMask, type CompiledMask } from '../../libs/forwarding/filters-and-masks/masks';
import { screenOf } from '../support/masking';
import { isSecretField, isSecretKey, looksRandom } from '../../libs/forwarding/filters-and-masks/secret-keys';
import { Problems } from '../../libs/forwarding/rules/problems';

/**
 * The classes a blind corpus (test/fixtures/masking-blind/) found unmasked, each as a class:
 * other members of it than the corpus's, in plain, JSON, JSON-in-JSON and Fluent Bit record
 * form, and the near misses each must leave as they are. Tokens are built from repeated parts
 * (no real credential is written here).
 */
function only(builtin: string): CompiledMask {
  const problems = new Problems('test');
  const compiled = compileMask({ name: 'm', logGroups: ['*'], builtins: [builtin] }, problems);
  expect(problems.list).toEqual([]);
  return compiled!;
}

const all = screenOf(['*']);
const masked = (text: string) => all.maskMessage(text);
/** A Fluent Bit record on Kinesis, masked on its tree as the forwarder does. */
const record = (fields: Record<string, unknown>) =>
  all.maskValue(fields, new Set()) as Record<string, unknown>;

/** True when no run of 8 characters of `secret` (the whole of it if shorter) is left in `text`. */
function hidden(secret: string, text: string): boolean {
  const width = Math.min(8, secret.length);
  for (let i = 0; i + width <= secret.length; i++)
    if (text.includes(secret.slice(i, i + width))) return false;
  return true;
}

/** The forms a value reaches the masks in: plain text, a JSON field, JSON in a JSON string. */
function expectHiddenEverywhere(secret: string, plain: (value: string) => string): void {
  const line = plain(secret);
  expect([line, hidden(secret, masked(line))]).toEqual([line, true]);
  const json = JSON.stringify({ level: 'info', msg: line });
  expect([json, hidden(secret, masked(json))]).toEqual([json, true]);
  const nested = JSON.stringify({ msg: 'webhook received', body: JSON.stringify({ msg: line }) });
  const out = masked(nested);
  expect([nested, hidden(secret, out)]).toEqual([nested, true]);
  expect(() => JSON.parse(JSON.parse(out).body)).not.toThrow();
}

const repeat = (part: string, length: number) =>
  part.repeat(Math.ceil(length / part.length)).slice(0, length);

describe('key names in other languages', () => {
  it.each([
    ['パスワード: ', 'Kx7-rT2q-Wm9z'],
    ['暗証番号=', '48213977'],
    ['秘密鍵: ', 'Zq81-aPw0-LmN3x'],
    ['トークン：', 'tK2mQ8vR4xW7'],
    ['암호: ', 'fI!9Mph(yDUk=F=++2B5'],
    ['비밀번호: ', 'CopperQuartz1993'],
    ['토큰=', 'rT5-uI8o-pQ2w'],
    ['密码: ', 'Hunter2-Xy9z'],
    ['contraseña: ', 'Pa55-wOrd-Xy'],
    ['Passwort=', 'Geheim-4711-x'],
    ['mot de passe: ', 'Secr3t-Fr-99'],
    ['senha: ', 'S3nha-Forte-1'],
    ['пароль: ', 'Parol-2024-Zz'],
  ])('%s masks the value after it, in text and JSON', (key, secret) => {
    expectHiddenEverywhere(secret, (value) => `03:14:56 ${key}${value}`);
  });

  it('as JSON keys and Fluent Bit fields, in any script, with a prefix', () => {
    for (const key of [
      'パスワード',
      '暗証番号',
      '秘密鍵',
      'トークン',
      '암호',
      '비밀번호',
      '토큰',
      '密码',
      'db_パスワード',
      'Contraseña',
    ])
      expect([key, isSecretKey(key)]).toEqual([key, true]);
    expect(masked('{"ctx":{"암호":"river4912*Tango"}}')).toBe('{"ctx":{"암호":"[MASKED]"}}');
    expect(record({ log: 'x', 비밀번호: 'CopperQuartz1993' })).toEqual({ log: 'x', 비밀번호: '[MASKED]' });
  });

  it('leaves prose after the word, and words that only contain one', () => {
    for (const line of [
      'パスワード: 変更されました',
      '비밀번호: 변경되었습니다',
      'パスワードを変更しました',
      '{"msg":"암호화 완료"}',
    ])
      expect(masked(line)).toBe(line);
    for (const key of ['パスワードポリシー', '암호화', 'keyboard'])
      expect([key, isSecretKey(key)]).toEqual([key, false]);
  });

  it('`키` / `キー` / `key` as a key: masked when the value is one random-looking run', () => {
    const token = 'e6065739ac8072bc93f97bad22513d4ff7185bd9';
    expect(masked(`키: ${token}`)).toBe('키: [MASKED]');
    expect(masked(`{"ctx":{"key":"${token}"}}`)).toBe('{"ctx":{"key":"[MASKED]"}}');
    expect(record({ log: 'x', キー: token })).toEqual({ log: 'x', キー: '[MASKED]' });
    // A name, a path or a cache key with words in it is not a secret.
    for (const line of [
      'key: node-cache-Linux-x64-npm-790198095ccea486c2bc1f4499ebae2fe8d1caa0',
      '{"key":"orders/2026/11/28/part-0001.json.gz"}',
      '{"code":"NoSuchKey","key":"a"}',
      'Key={"id": 1}',
      'monkey=abcdefgh12345678abcdefgh',
    ])
      expect(masked(line)).toBe(line);
    expect(isSecretField('key', 'short1')).toBe(false);
    expect(looksRandom('ZncgEuIyEecIrZ6WXrw2EMPA0X7zMJiyx')).toBe(true);
    expect(looksRandom('release-2026-11-28-build-1234')).toBe(false);
  });
});

describe('vendor tokens', () => {
  const vendor = only('vendor-tokens');
  it.each([
    ['Mailgun', `key-${repeat('7358c58d0', 32)}`],
    ['Docker Hub PAT', `dckr_pat_${repeat('GypA5aNEEm_', 27)}`],
    ['Docker Hub org token', `dckr_oat_${repeat('Zt7Kq-', 32)}`],
    ['age identity', `AGE-SECRET-KEY-1${repeat('QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L', 58)}`],
    ['Azure AD client secret', `APg6Q~${repeat('767tdvceLF3~sjFXr1H6', 34)}`],
    ['Discord webhook', `discord.com/api/webhooks/917392521694150267/${repeat('BWHvD2qqQk-_', 68)}`],
    ['Terraform Cloud', `qYhV3jrDunfsTC.atlasv1.${repeat('M2jZUVf0OWF2', 67)}`],
    ['GitLab runner registration', `GR1348941${repeat('wz8T_sBjzT-', 20)}`],
    ['Telegram bot', `6080816900:AA${repeat('sN_7Gzn3Az-', 33)}`],
    ['Vault service token', `hvs.${repeat('G3cBIh3QDaL5G6', 24)}`],
    ['Vault long service token', `hvs.CAESI${repeat('Jx2_rT0pQ-', 90)}`],
    ['Vault batch token', `hvb.${repeat('AAAAAQ-x9', 40)}`],
    ['Bitbucket app password', `ATBB${repeat('k9Tz2Lq', 32)}`],
    ['Cloudflare origin CA key', `v1.0-${repeat('a1b2c3', 24)}-${repeat('0f9e8d', 146)}`],
    ['Mapbox secret token', `sk.eyJ1Ijoib3JkZXJzIiwiYSI6ImNr${repeat('x', 4)}.${repeat('Q2w3E4r5', 22)}`],
    ['PlanetScale', `pscale_tkn_${repeat('Ab3_dE6.', 43)}`],
    ['Pulumi', `pul-${repeat('0a1b2c3d4e', 40)}`],
    ['Sentry org token', `sntrys_${repeat('eyJpYXQiOjE3', 60)}`],
    ['Square access token', `EAAA${repeat('l9Xp-Qz_', 60)}`],
    ['Supabase access token', `sbp_${repeat('0123456789abcdef', 40)}`],
    ['Supabase secret key', `sb_secret_${repeat('N7Vw_x2', 31)}`],
    ['Doppler SCIM token', `dp.scim.${repeat('aB3dE6', 44)}`],
  ])('%s', (_vendor, token) => {
    expect(applyMask(vendor, `client initialised with ${token} ok`)).toBe(
      'client initialised with [MASKED] ok',
    );
    expectHiddenEverywhere(token, (value) => `config loaded: {"integrations":{"notify":"${value}"}}`);
    expect(hidden(token, JSON.stringify(record({ log: 'x', config: token })))).toBe(true);
  });

  it.each([
    ['a key- word', 'monkey-7358c58d078e0c9a8731c1ce82ae991d and key-12345'],
    ['a Q~ without the shape', 'range Q~5 and abcQ~short'],
    ['a time and a colon', 'at 20261128:AAbc done'],
    ['a product name', 'hvs.read and pul-request and sk.eyJ'],
    ['a 13-digit number before :AA', '1234567890123:AA' + repeat('x', 33)],
  ])('leaves %s', (_what, line) => {
    expect(applyMask(vendor, line)).toBe(line);
  });
});

describe('query strings and forms', () => {
  it.each([
    [
      'sig',
      (v: string) => `GET /blob?sv=2022-11-02&se=2026-12-01&sp=r&sig=${v} 200`,
      'v5fq28iRr4K5Vy1oaKYr%2BJMqC7sPpwaOk%3D',
    ],
    [
      'code',
      (v: string) => `GET /callback?code=${v}&state=xyz HTTP/1.1`,
      'gNxl%2BwJze29WDDP%2B8sa6TM0B%2FNegiMOT',
    ],
    ['key', (v: string) => `GET /callback?key=${v} 200 69.079 ms`, 'cQ%2B%2FshWccC4jfzTHIPQk0Esgbdhl02Qc'],
    [
      'X-Amz-Signature',
      (v: string) => `GET /o?X-Amz-Credential=AK%2F20261128&X-Amz-Signature=${v}`,
      'a3f1c9e07b'.repeat(6) + 'abcd',
    ],
    [
      'password_confirmation',
      (v: string) => `username=postgres&password_confirmation=${v}`,
      'yXx26S%40qGOJRL',
    ],
  ])('%s', (_name, line, secret) => {
    expectHiddenEverywhere(secret, line);
  });

  it('X-Amz-Security-Token URL-encoded: %2B, %2F and %3D do not end it', () => {
    const token = `IQoJb3JpZ2luX2VjE${repeat('Abc%2BdEf%2Fg1', 300)}%3D`;
    expectHiddenEverywhere(
      token,
      (v) => `"POST /export?X-Amz-Security-Token=${v}&X-Amz-Date=20261128T030321Z HTTP/2.0" 302`,
    );
  });

  it('JSON fields of those names, in records too', () => {
    expect(masked('{"ctx":{"code":"87838f6225bfd348b95d03f7de808ae7fe60d001"}}')).toBe(
      '{"ctx":{"code":"[MASKED]"}}',
    );
    expect(record({ log: 'x', sig: '0a25792ff967d7decd1dff77955f634d66b99505' })).toEqual({
      log: 'x',
      sig: '[MASKED]',
    });
    expect(record({ log: 'x', password_confirmation: 'duKHql%407W9Mub' })).toEqual({
      log: 'x',
      password_confirmation: '[MASKED]',
    });
  });

  it('leaves codes, short values and names', () => {
    for (const line of [
      'exit code=1 after 3 retries',
      'GET /search?q=shoes&code=SUMMER24 200',
      '{"code":"ERR_INVALID_ARG_TYPE","status":400}',
      'encode=utf-8&design=2',
      'status code: 404',
      'password_changed_at=2026-11-28T03:00:00Z token_type=bearer max_tokens=4096',
    ])
      expect(masked(line)).toBe(line);
  });
});

describe('password-ish shapes', () => {
  it.each([
    ['a Python dict', (v: string) => `+ echo {'user': 'app_user', 'pass': '${v}'}`, 'saffronriver2020'],
    [
      'an XML element',
      (v: string) => `+ echo <mysql_root_password>${v}</mysql_root_password>`,
      'jv(k8j6ZTZ=r8q=-gDE',
    ],
    ['an XML element with a namespace', (v: string) => `<ns1:Password>${v}</ns1:Password>`, 'Xs9-rT2q-Wm9z'],
    ['--flag value', (v: string) => `[03:00:06] starting --adminPassword ${v} --verbose`, 'A3xK-Bu7k-XUra'],
    ['--flag=value with & and )', (v: string) => `run --passphrase=${v} now`, ')1jC#V=4&$YO)'],
    ['--old_password', (v: string) => `WARNING - --old_password ${v}`, 'orchid7107%river'],
    [
      '--client_secret',
      (v: string) => `login attempt --client_secret ${v}`,
      'fiMUsJNTNxwyShXekvf2Q0f3TIKTcJXllNsOCmruAj',
    ],
    ['--sessionid', (v: string) => `request data --sessionid ${v}`, '48c94e23-3690-49b6-b764-cbbef638c752'],
    ['--ACCESS_KEY', (v: string) => `+ echo --ACCESS_KEY ${v}`, 'f4157f5a-4aff-42c9-bd5d-3a56a9e4065a'],
    [
      'aws configure set',
      (v: string) => `$ aws configure set aws_secret_access_key ${v} --profile ci`,
      'q6a2CNuO18O5ZHbFtiZvFdraE5q9MdNpI4jt0qLp',
    ],
    [
      'a Go %+v struct',
      (v: string) => `datasource configured &{User:app_user EncryptionKey:${v} Active:true}`,
      'SKL6F5NjVEHTnnpz5DI5YMqv',
    ],
    ['encryption_key', (v: string) => `+ echo encryption_key: ${v}`, 'd99147a4-3b5c-4755-8a49-e86fef35eadd'],
    ['a value holding & and =', (v: string) => `config/load.go:54 env passwd: ${v}`, 'c=c4rhK-Qw1&JJ*F)+4'],
    ['an APIM header', (v: string) => `Ocp-Apim-Subscription-Key: ${v}`, 'c718e4f51913e4a5a26cfd108b785ad5'],
    [
      'an Azure storage connection string',
      (v: string) =>
        `conn=DefaultEndpointsProtocol=https;AccountName=logs1;AccountKey=${v};EndpointSuffix=core.windows.net`,
      `uuIQyHk5G77ZNUEwbu/VY7Wy3wVXqrWAIUOmxz9FM+${'a'.repeat(40)}==`,
    ],
    [
      'a Service Bus connection string',
      (v: string) => `Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=${v}`,
      'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg+/=',
    ],
    [
      'a SAS token',
      (v: string) => `SharedAccessSignature=sv=2022-11-02&sig=${v}&se=2026-12-01`,
      'Zm9vYmFyYmF6cXV4MTIz%2BNDU2%3D',
    ],
    [
      'a Go MySQL DSN',
      (v: string) => `dsn: app_user:${v}@tcp(localhost:3306)/app?parseTime=true`,
      'Af3m8JIwvWyhz',
    ],
    [
      'a Go MySQL DSN over a socket',
      (v: string) => `open root:${v}@unix(/var/run/mysqld.sock)/db`,
      'S0ck3t-Pass-1',
    ],
  ])('%s', (_shape, line, secret) => {
    expectHiddenEverywhere(secret, line);
  });

  it('"SecretAccessKey" inside text JSON two strings down', () => {
    const secret = 'o0op8giVuiT2o5uxYWiw2taiEkVEiE6MCArbogYC';
    const inner = JSON.stringify({ AccessKeyId: 'ASIA' + 'X'.repeat(16), SecretAccessKey: secret });
    const line = JSON.stringify({ msg: 'webhook received', body: JSON.stringify({ msg: inner }) });
    const out = masked(line);
    expect(hidden(secret, out)).toBe(true);
    expect(JSON.parse(JSON.parse(JSON.parse(out).body).msg)).toHaveProperty('SecretAccessKey', '[MASKED]');
  });

  it('leaves code, placeholders and prose', () => {
    for (const line of [
      '    secret = client.get_secret_value(SecretId="prod/orders/db")',
      '    token = os.environ["API_TOKEN"]',
      '{"msg":"Traceback:\\n    secret = client.get_secret_value(SecretId=\\"prod/orders/db\\")\\n"}',
      'usage: deploy --password PASSWORD --token <token>',
      'error: --password is required',
      'tests: pass=12 fail=0',
      'bypass: enabled, compass: north',
      '<password_policy>strict</password_policy>',
      '<password></password>',
      'password: null',
    ])
      expect(masked(line)).toBe(line);
  });
});

describe('settings and headers of the same kinds', () => {
  it.each([
    ['a .NET appSettings entry', (v: string) => `<add key="DbPassword" value="${v}"/>`, 'Xk9-pQ2r-77aa'],
    ['a Spring property', (v: string) => `<property name="password" value="${v}"/>`, 's3cr3t-Val-9'],
    [
      'Authorization: SSWS (Okta)',
      (v: string) => `Authorization: SSWS ${v}`,
      '00QCjAl4MlV-WPXM-ABCDEFGHIJKLMNOPQRSTUV',
    ],
    ['Authorization: ApiKey', (v: string) => `Authorization: ApiKey ${v}`, 'dGhpc2lzYXNlY3JldGtleTEyMzQ1'],
    [
      '?auth= (Firebase)',
      (v: string) => `GET https://app.firebaseio.com/users.json?auth=${v}`,
      'Zq8cXw2LmN4pT7yR1sV6uB3kJ9hG0fDe',
    ],
    [
      'Rails secret_key_base',
      (v: string) => `SECRET_KEY_BASE=${v}`,
      '9f8e7d6c5b4a39281706f5e4d3c2b1a0ffeedd',
    ],
    ['a fullwidth equals sign', (v: string) => `パスワード＝${v}`, 'Abc-1234-xyz'],
    ['a legacy Vault token', (v: string) => `vault login ${v}`, 's.Ab12Cd34Ef56Gh78Ij90Kl12'],
  ])('%s', (_shape, line, secret) => {
    expectHiddenEverywhere(secret, line);
  });

  it('leaves names, hints and look-alikes', () => {
    for (const line of [
      '<password_hint>ask admin</password_hint>',
      '<add key="PasswordMinLength" value="12"/>',
      'Authorization: Bearer',
      'GET https://example.com/?oauth=1234567890abcdefXYZ',
      'logs.s3.amazonaws.com/AbCdEfGhIjKlMnOpQrStUvWx',
      'requests.Session.request took 12ms',
      'use s.abcdefghijklmnopqrstuvwx here',
    ])
      expect(masked(line)).toBe(line);
  });
});

describe('a card as a JSON number inside a JSON string', () => {
  it('is masked and the inner string stays JSON', () => {
    const line = '{"msg":"webhook received","body":"{\\"ctx\\":{\\"number\\":6011111111111117,\\"n\\":42}}"}';
    const out = masked(line);
    expect(out).not.toContain('6011111111111117');
    expect(JSON.parse(JSON.parse(out).body)).toEqual({ ctx: { number: '[CARD]', n: 42 } });
  });
});
