import type { IncomingMessage } from 'node:http';
import { sigV4Auth } from '../../libs/forwarding/destinations/auth';
import { createTransport, Delivery, loadDestinationConfig } from '../../libs/forwarding/destinations';
import { BulkServer } from '../support/bulk-server';
import { parseAuthorization, sha256Hex, signature } from '../support/sigv4';
import { quiet } from '../support/logging';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

describe('independent SigV4 implementation (checked against the AWS SigV4 test suite)', () => {
  const base = {
    method: 'GET',
    path: '/',
    query: [] as Array<[string, string]>,
    payloadHash: sha256Hex(''),
    amzDate: '20150830T123600Z',
    region: 'us-east-1',
    service: 'service',
    secretAccessKey: credentials.secretAccessKey,
  };

  it('get-vanilla', () => {
    expect(
      signature({
        ...base,
        headers: { Host: 'example.amazonaws.com', 'X-Amz-Date': base.amzDate },
        signedHeaders: ['host', 'x-amz-date'],
      }),
    ).toBe('5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
  });

  it('get-header-key-duplicate', () => {
    expect(
      signature({
        ...base,
        headers: {
          host: 'example.amazonaws.com',
          'my-header1': 'value2,value2,value1',
          'x-amz-date': base.amzDate,
        },
        signedHeaders: ['host', 'my-header1', 'x-amz-date'],
      }),
    ).toBe('c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea');
  });
});

/** Verifies a request the way the service would, with the independent implementation. */
function verifies(req: IncomingMessage, body: Buffer, service: string): boolean {
  const auth = parseAuthorization(String(req.headers.authorization ?? ''));
  if (!auth || auth.accessKeyId !== credentials.accessKeyId || auth.service !== service) return false;
  const bodyHash = sha256Hex(body);
  if (req.headers['x-amz-content-sha256'] !== bodyHash) return false;
  const url = new URL(req.url ?? '/', 'http://placeholder');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) headers[name] = String(value);
  const expected = signature({
    method: req.method ?? 'POST',
    path: url.pathname,
    query: [...url.searchParams.entries()],
    headers,
    signedHeaders: auth.signedHeaders,
    payloadHash: bodyHash,
    amzDate: String(req.headers['x-amz-date']),
    region: auth.region,
    service: auth.service,
    secretAccessKey: credentials.secretAccessKey,
  });
  return expected === auth.signature && auth.signedHeaders.includes('content-encoding');
}

describe('SigV4 signing of _bulk requests', () => {
  it.each(['es', 'aoss'] as const)(
    'a gzip _bulk request signed for %s is accepted by an independent verifier',
    async (service) => {
      const server = await new BulkServer({ authorize: (req, body) => verifies(req, body, service) }).start();
      try {
        const config = loadDestinationConfig({
          DESTINATION_URL: server.url,
          DESTINATION_AUTH: 'sigv4',
          DESTINATION_REGION: 'ap-northeast-2',
          DESTINATION_SIGV4_SERVICE: service,
        });
        const delivery = new Delivery(createTransport(config, { credentials }), {
          ...config,
          timeLeft: () => 60000,
          log: quiet,
        });
        delivery.push({
          _id: 'a',
          _index: 'cwl-2024.11.20',
          _source: { '@timestamp': 'x', message: '한국어 }{ <&>', aws: {}, cloud: { provider: 'aws' } },
        });
        const report = await delivery.close();
        expect(report.delivered).toBe(1);
        expect(server.documents.get('a')?.source.message).toBe('한국어 }{ <&>');
      } finally {
        await server.stop();
      }
    },
  );

  it('a request signed with the wrong secret is refused by the verifier (the check can fail)', async () => {
    const server = await new BulkServer({ authorize: (req, body) => verifies(req, body, 'es') }).start();
    try {
      const auth = sigV4Auth({
        region: 'ap-northeast-2',
        service: 'es',
        credentials: { ...credentials, secretAccessKey: 'wrong' },
      });
      const url = new URL(`${server.url}/_bulk`);
      const body = Buffer.from('{}\n');
      const headers = {
        'content-type': 'application/x-ndjson',
        'content-encoding': 'gzip',
        ...(await auth.authorize({
          url,
          method: 'POST',
          headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' },
          body,
        })),
      };
      const response = await fetch(url, { method: 'POST', headers, body });
      expect(response.status).toBe(403);
    } finally {
      await server.stop();
    }
  });
});
