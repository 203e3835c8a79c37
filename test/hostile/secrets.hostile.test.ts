import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { createPipeline } from '../../libs/forwarding/pipeline/pipeline';
import { forwardSubscription } from '../../libs/forwarding/sources/subscription';
import { slackTokenFrom } from '../../libs/notifier/slack/token';
import { logsData, subscriptionEvent } from '../support/subscription';
import { malformedSecrets } from './generators';
import { recordingLogger } from './support';
import { testInvocation } from '../support/lambda';

/**
 * No error or log line built from a secret or a URL carries its text: for every credential
 * source (Secrets Manager, SSM, through the real SDK clients with their transport mocked), every
 * auth kind (basic, apikey, sigv4) and every way a secret can be malformed.
 */
const MARKER = 'Sup3rS3cretMarker';
const context = testInvocation({ remainingMs: 60000, awsRequestId: 'secrets' });
const event = () => subscriptionEvent(logsData([{ message: 'one line' }]));

/** Everything an operator could ever see of an outcome: logs, metrics, the error in full. */
function everythingSaid(logs: string, metrics: string[], error: unknown): string {
  return [
    logs,
    ...metrics,
    inspect(error, { depth: 10 }),
    error instanceof Error ? String(error.stack) : '',
  ].join('\n');
}

/** A server that answers 401 with the request's headers in the body, as a careless proxy might. */
async function echoingServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'unauthorized', headers: req.headers }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

const secretsManager = mockClient(SecretsManagerClient);
const ssm = mockClient(SSMClient);
afterAll(() => {
  secretsManager.restore();
  ssm.restore();
});

function storeSecret(store: 'secretsmanager' | 'ssm', value: string) {
  secretsManager.reset();
  ssm.reset();
  if (store === 'secretsmanager') secretsManager.on(GetSecretValueCommand).resolves({ SecretString: value });
  else
    ssm
      .on(GetParameterCommand)
      .resolves({ Parameter: { Name: '/es/creds', Type: 'SecureString', Value: value } });
}

const cases = (['secretsmanager', 'ssm'] as const).flatMap((store) =>
  (['basic', 'apikey'] as const).flatMap((auth) =>
    malformedSecrets(MARKER).map((secret) => [store, auth, secret.name, secret.value] as const),
  ),
);

describe('malformed secrets', () => {
  let server: Awaited<ReturnType<typeof echoingServer>>;
  beforeAll(async () => (server = await echoingServer()));
  afterAll(() => server.stop());

  it.each(cases)('%s, %s auth, %s: the secret text appears nowhere', async (store, auth, _name, value) => {
    storeSecret(store, value);
    const metrics: string[] = [];
    const forwarder = createPipeline(
      {
        DESTINATION_URL: server.url,
        DESTINATION_AUTH: auth,
        DESTINATION_CREDENTIALS: `${store}:${store === 'ssm' ? '/es/creds' : 'es/creds'}`,
        AWS_REGION: 'ap-northeast-2',
        RETRY_MAX_ATTEMPTS: '1',
      },
      { metrics: { write: (line: string) => metrics.push(line) } },
    );
    const logs = recordingLogger();
    const error = await forwardSubscription(forwarder, event(), context, logs.log).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error); // refused (401) or malformed: the invocation fails
    const said = everythingSaid(logs.text(), metrics, error);
    expect(said).toContain(`${store}:`); // the reference is named
    expect(said).not.toContain(MARKER);
  });
});

describe('credentials echoed back by the destination', () => {
  let server: Awaited<ReturnType<typeof echoingServer>>;
  beforeAll(async () => (server = await echoingServer()));
  afterAll(() => server.stop());

  it.each([
    ['basic', 'secretsmanager', JSON.stringify({ username: 'elastic', password: MARKER })],
    ['basic', 'ssm', JSON.stringify({ username: MARKER, password: `${MARKER}-too` })],
    ['apikey', 'secretsmanager', `${MARKER}==`],
    ['apikey', 'ssm', JSON.stringify({ apiKey: MARKER })],
  ] as const)('%s auth from %s: the answer is quoted without them', async (auth, store, value) => {
    storeSecret(store, value);
    const forwarder = createPipeline({
      DESTINATION_URL: server.url,
      DESTINATION_AUTH: auth,
      DESTINATION_CREDENTIALS: `${store}:${store === 'ssm' ? '/es/creds' : 'es/creds'}`,
      RETRY_MAX_ATTEMPTS: '1',
    });
    const logs = recordingLogger();
    const error = await forwardSubscription(forwarder, event(), context, logs.log).catch((e: unknown) => e);
    const said = everythingSaid(logs.text(), [], error);
    expect(said).toContain('answered 401'); // the answer is still reported
    expect(said).toContain('[redacted]');
    expect(said).not.toContain(MARKER);
    expect(said).not.toContain(Buffer.from(`elastic:${MARKER}`).toString('base64'));
  });

  it('sigv4: the session token and signature are cut from the quoted answer; the secret key never leaves', async () => {
    const forwarder = createPipeline(
      {
        DESTINATION_URL: server.url,
        DESTINATION_AUTH: 'sigv4',
        DESTINATION_REGION: 'ap-northeast-2',
        RETRY_MAX_ATTEMPTS: '1',
      },
      {
        credentials: {
          accessKeyId: 'AKIDEXAMPLE',
          secretAccessKey: MARKER,
          sessionToken: `${MARKER}-session`,
        },
      },
    );
    const logs = recordingLogger();
    const error = await forwardSubscription(forwarder, event(), context, logs.log).catch((e: unknown) => e);
    const said = everythingSaid(logs.text(), [], error);
    expect(said).toContain('answered 401');
    expect(said).not.toContain(MARKER);
    expect(said).not.toMatch(/Signature=[0-9a-f]{64}/);
  });
});

describe('URLs with credentials', () => {
  it.each([
    ['malformed, with user:password@', `https://elastic:${MARKER}@search example.com`],
    ['no scheme, so "elastic:" looks like one', `elastic:${MARKER}@search.example.com`],
    ['well formed, with user:password@', `https://elastic:${MARKER}@search.example.com`],
    ['a port that is not a number', `https://elastic:${MARKER}@search.example.com:x/`],
  ])('%s: the ConfigError names the variable, never the value', (_name, url) => {
    let error: unknown;
    try {
      createPipeline({ DESTINATION_URL: url });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ name: 'ConfigError', variable: 'DESTINATION_URL' });
    expect(everythingSaid('', [], error)).not.toContain(MARKER);
  });
});

describe('the Slack token secret', () => {
  it.each(malformedSecrets(MARKER).filter((secret) => secret.value.startsWith('{')))(
    '$name: the error quotes none of it',
    ({ value }) => {
      let error: unknown;
      try {
        slackTokenFrom(value);
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ name: 'SlackTokenError' });
      expect(everythingSaid('', [], error)).not.toContain(MARKER);
    },
  );
});
