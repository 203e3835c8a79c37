import fc from 'fast-check';
import { compileMessageRules } from '../../libs/forwarding/filters-and-masks/screen';
import { screenOf } from '../support/masking';
import { isSecretKey } from '../../libs/forwarding/filters-and-masks/secret-keys';
import { Problems } from '../../libs/forwarding/rules/problems';

const all = screenOf(['*']);
const masked = (text: string) => all.maskMessage(text);

describe('JSON messages are masked on their tree, each value with its key in view', () => {
  it.each([
    ['{"password": "hunter2", "user": "bob"}', '{"password":"[MASKED]","user":"bob"}'],
    // Leading white space and a BOM: still JSON, masked as JSON.
    ['  {"Password": 123456, "x": 1}', '  {"Password":"[MASKED]","x":1}'],
    ['\uFEFF{"db": {"DB-PASSWORD": "s3cr3t!"}}', '\uFEFF{"db":{"DB-PASSWORD":"[MASKED]"}}'],
    // A whole object under a secret's name.
    ['{"credentials": {"user": "a", "pw": "b"}, "n": 1}', '{"credentials":"[MASKED]","n":1}'],
    // JSON in a JSON string: masked the same way, written back as a string.
    [
      '{"body":"{\\"password\\":\\"abc123xyz\\",\\"ok\\":1}"}',
      '{"body":"{\\"password\\":\\"[MASKED]\\",\\"ok\\":1}"}',
    ],
    // `\u` escapes (Python's json.dumps) in keys and values: the key and its value seen together.
    [
      '{"aws_secret_access_\\u006bey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "name": "\\u00e9"}',
      '{"aws_secret_access_key":"[MASKED]","name":"é"}',
    ],
    // PHP's escaped slashes.
    [
      '{"url":"https:\\/\\/admin:SuperSecret99@db.example.com\\/x"}',
      '{"url":"https://admin:[MASKED]@db.example.com/x"}',
    ],
    // Card numbers written as JSON numbers.
    ['{"card": 4111111111111111, "n": 42}', '{"card":"[CARD]","n":42}'],
    ['[{"token": "abcDEF123456"}]', '[{"token":"[MASKED]"}]'],
  ])('%s', (text, want) => {
    expect(masked(text)).toBe(want);
    expect(() => JSON.parse(masked(text).replace(/^\uFEFF/, ''))).not.toThrow();
  });

  it('masks the JSON of a Lambda console line and keeps its prefix', () => {
    const line = '2024-01-01T00:00:00.000Z\tabc-123\tINFO\t{"token":"abcDEF123456","msg":"hi"}';
    expect(masked(line)).toBe('2024-01-01T00:00:00.000Z\tabc-123\tINFO\t{"token":"[MASKED]","msg":"hi"}');
  });

  it('leaves ordinary fields whose names only look like secrets', () => {
    const line =
      '{"nextToken":"abc123","prompt_tokens":50,"secretId":"prod/db","SecretArn":"arn:aws:secretsmanager:us-east-1:123456789012:secret:x","passwordPolicy":"strict","token":null,"session":false}';
    expect(masked(line)).toBe(line);
  });

  it('reads secret names in any case and separator style', () => {
    for (const key of [
      'password',
      'DB_PASSWORD',
      'dbPassword',
      'x-api-key',
      'X-Api-Key',
      'apiKey',
      'client_secret',
      'AccessToken',
      'aws.secret.access.key',
      'HTTP_AUTHORIZATION',
      'Set-Cookie',
      'sessionId',
      'private_key',
    ])
      expect([key, isSecretKey(key)]).toEqual([key, true]);
    for (const key of [
      'secretId',
      'secret_arn',
      'passwordPolicy',
      'prompt_tokens',
      'tokenCount',
      'nextToken',
      'ClientToken',
      'keyId',
      'user',
    ])
      expect([key, isSecretKey(key)]).toEqual([key, false]);
  });

  it('replaces key-named values only with secret-fields on; the text masks still run on strings', () => {
    const pii = screenOf(['pii']);
    expect(pii.maskMessage('{"password":"hunter2","to":"a@b.io"}')).toBe(
      '{"password":"hunter2","to":"[EMAIL]"}',
    );
  });
});

describe('text messages: a secret after its name, in every common form', () => {
  it.each([
    [
      'GET /login?user=bob&password=hunter2&token=abcdef123 200',
      'GET /login?user=bob&password=[MASKED]&token=[MASKED] 200',
    ],
    [
      'jdbc:postgresql://db:5432/app?user=app&password=Xyz123abc',
      'jdbc:postgresql://db:5432/app?user=app&password=[MASKED]',
    ],
    [':password => "rubysecret"', ':password => "[MASKED]"'],
    ["{'api_key': 'k-123456'}", "{'api_key': '[MASKED]'}"],
    ['x-api-key: 9f8e7d6c5b4a39281706f5e4d3c2b1a0', 'x-api-key: [MASKED]'],
    ['DB_PASSWORD=changeme npm start', 'DB_PASSWORD=[MASKED] npm start'],
    ['body={\\"client_secret\\":\\"abc123\\"}', 'body={\\"client_secret\\":\\"[MASKED]\\"}'],
    ['Authorization: Basic dXNlcjpwYXNzd29yZA==', 'Authorization: Basic [MASKED]'],
    ['Authorization: Bearer abc=def=ghi123', 'Authorization: Bearer [MASKED]'],
    ['Cookie: session=abc123; theme=dark', 'Cookie: [MASKED]'],
    ['amqp://guest:guestpw@10.0.3.7:5672/', 'amqp://guest:[MASKED]@[IPV4]:5672/'],
    [
      'postgresql+psycopg2://scott:tiger@localhost/mydb',
      'postgresql+psycopg2://scott:[MASKED]@localhost/mydb',
    ],
    ['redis://:p4ss@127.0.0.1', 'redis://:[MASKED]@[IPV4]'],
    ['url https:\\/\\/u:pw123@host\\/x', 'url https://u:[MASKED]@host/x'],
  ])('%s', (text, want) => {
    expect(masked(text)).toBe(want);
  });

  it.each([
    'Bearer authentication failed',
    'Invalid session: user not found',
    'token: expired',
    'build 10.0.19041.1 ok',
    'see https://medium.com/@user and mailto',
    'basic plan selected for tenant',
    'password reset requested',
  ])('leaves %j', (text) => {
    expect(masked(text)).toBe(text);
  });
});

describe('the credentials built-ins', () => {
  it.each([
    [
      'private-key',
      '"k": "-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEA1x2\\n-----END RSA PRIVATE KEY-----\\n"',
      '"k": "[PRIVATE_KEY]\\n"',
    ],
    [
      'private-key',
      'key:\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----\nok',
      'key:\n[PRIVATE_KEY]\nok',
    ],
    [
      'aws-session-token',
      'sts IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD done',
      'sts [AWS_SESSION_TOKEN] done',
    ],
    ['vendor-tokens', 'use ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 now', 'use [MASKED] now'],
    ['vendor-tokens', 'slack xoxb-1234567890-abcdefghijklmn', 'slack [MASKED]'],
    ['vendor-tokens', 'stripe sk_live_51HabcdefghijKLMNOPQRstu', 'stripe [MASKED]'],
    ['vendor-tokens', 'google AIzaSyA1234567890abcdefghijklmnopqrstuv', 'google [MASKED]'],
    ['vendor-tokens', 'npm npm_abcdefghijklmnopqrstuvwxyz0123456789', 'npm [MASKED]'],
    [
      'vendor-tokens',
      'sg SG.abcdefghijklmnopqrstuv.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
      'sg [MASKED]',
    ],
    ['vendor-tokens', 'gitlab glpat-abcdefghij0123456789', 'gitlab [MASKED]'],
    ['vendor-tokens', 'openai sk-proj-abcdefghijklmnopqrstuvwxyz012345', 'openai [MASKED]'],
    ['basic-auth', 'Authorization: Basic dXNlcjpwYXNzd29yZA==', 'Authorization: Basic [MASKED]'],
    [
      'url-userinfo',
      'mongodb+srv://app:Pa55w0rd@cluster0.x.mongodb.net/db',
      'mongodb+srv://app:[MASKED]@cluster0.x.mongodb.net/db',
    ],
    ['cookie', 'Set-Cookie: sid=abc; Path=/; HttpOnly', 'Set-Cookie: [MASKED]'],
  ])('%s masks %j', (builtin, text, want) => {
    expect(screenOf([builtin]).maskMessage(text)).toBe(want);
  });

  it.each([
    ['vendor-tokens', 'task-abcdefghijklmnopqrstuvwxyz012345 done'],
    ['basic-auth', 'Basic abcdefgh is not base64 of user:password'],
    ['bearer', 'Bearer authentication failed'],
  ])('%s leaves %j', (builtin, text) => {
    expect(screenOf([builtin]).maskMessage(text)).toBe(text);
  });
});

describe('a masked JSON record keeps every number it did not mask as written', () => {
  it.each([
    [
      '{"password":"hunter2","big":9007199254740993,"neg":-0,"huge":1e400,"dec":1.10,"e":1E+2}',
      '{"password":"[MASKED]","big":9007199254740993,"neg":-0,"huge":1e400,"dec":1.10,"e":1E+2}',
    ],
    [
      '{"token": "abcDEF123456", "ids": [9007199254740993, -0, 1.10, {"n": 1e400}]}',
      '{"token":"[MASKED]","ids":[9007199254740993,-0,1.10,{"n":1e400}]}',
    ],
    // JSON in a string: its numbers too.
    [
      '{"body":"{\\"password\\":\\"abc123xyz\\",\\"id\\":9007199254740993,\\"r\\":1.10}"}',
      '{"body":"{\\"password\\":\\"[MASKED]\\",\\"id\\":9007199254740993,\\"r\\":1.10}"}',
    ],
    // A text that writes the placeholders' first marker (\u0000) as an escape: another is used.
    [
      '{"password":"x1","s":"\\u0000","n":9007199254740993}',
      '{"password":"[MASKED]","s":"\\u0000","n":9007199254740993}',
    ],
    // A card past 2^53 written as a number is masked; the number beside it is kept.
    ['{"card": 4111111111111111, "n": 9007199254740993}', '{"card":"[CARD]","n":9007199254740993}'],
  ])('%s', (text, want) => {
    expect(masked(text)).toBe(want);
  });

  it('on random records: only the secret changes, every number is kept as written', () => {
    const number = fc.constantFrom(
      '9007199254740993',
      '-9007199254740993',
      '-0',
      '0.0',
      '1e400',
      '-1e400',
      '1.10',
      '1E+2',
      '2e-5',
      '-1.5e-10',
      '12345678901234567890123',
      '123456789012',
    );
    const value: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        number,
        fc.constantFrom('"x"', 'true', 'null', '"a b"'),
        fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
        fc
          .uniqueArray(fc.tuple(fc.constantFrom('a', 'b', 'n', 'id'), tie('value')), {
            maxLength: 4,
            selector: ([key]) => key,
          })
          .map((entries) => `{${entries.map(([k, v]) => `"${k}":${v}`).join(',')}}`),
      ),
    })).value;
    fc.assert(
      fc.property(value, (inner) => {
        const text = `{"password":"hunter2","v":${inner}}`;
        expect(masked(text)).toBe(`{"password":"[MASKED]","v":${inner}}`);
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses a custom replacement with a control character (it could forge a kept number)', () => {
    const problems = new Problems('test');
    compileMessageRules(
      {
        masks: [
          { name: 'm', logGroups: ['*'], custom: [{ name: 'c', pattern: 'x', replacement: '\u0000' }] },
        ],
      },
      problems,
      new Set(),
    );
    expect(problems.list.join('\n')).toContain('must not contain control characters');
  });
});
