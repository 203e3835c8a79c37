import fc from 'fast-check';
import { createTransport, loadDestinationConfig } from '../../libs/forwarding/destinations';
import { noAuth } from '../../libs/forwarding/destinations/auth';
import { HttpClient } from '../../libs/forwarding/destinations/http';
import { encodedItem } from '../../libs/forwarding/destinations/types';
import { requestUrl } from '../../libs/forwarding/destinations/url';
import type { LogDocument } from '../../libs/forwarding/documents';
import { ApiClient } from '../../tools/search/cluster';
import { BulkServer } from '../support/bulk-server';

/**
 * Every request we build goes to the configured host: `//` (or `\\`) in the configured URL's
 * path or in a request path is a path, never another host (`new URL('//host-b/_bulk', base)`
 * would go to host-b).
 */
describe('requestUrl', () => {
  it('keeps the base host whatever the paths hold (hostile paths, property)', () => {
    const piece = fc.constantFrom(
      '/',
      '//',
      '\\',
      '..',
      '.',
      '?',
      '#',
      '@',
      ':',
      '%2f',
      'host-b',
      '_bulk',
      'é',
      ' ',
    );
    const path = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(
        fc.constantFrom('http://host-a', 'https://host-a:9243', 'http://127.0.0.1:9200'),
        path,
        path,
        (origin, basePath, requestPath) => {
          const base = new URL(`${origin}/${basePath}`);
          const url = requestUrl(base, requestPath);
          expect([url.protocol, url.host, url.username, url.password]).toEqual([
            base.protocol,
            base.host,
            '',
            '',
          ]);
          expect(url.pathname).not.toMatch(/\/\//);
          // What http.request will parse from it names the same host.
          expect(new URL(url.href).host).toBe(base.host);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['http://host-a//host-b/', '_bulk', 'http://host-a/host-b/_bulk'],
    ['https://search.example.com//', '_bulk', 'https://search.example.com/_bulk'],
    ['https://search.example.com', '/_bulk', 'https://search.example.com/_bulk'],
    ['https://proxy.example/es/', '/_bulk', 'https://proxy.example/es/_bulk'],
    [
      'https://kibana.example/s/space',
      '/api/saved_objects/_import',
      'https://kibana.example/s/space/api/saved_objects/_import',
    ],
    ['http://logstash:8080/', '', 'http://logstash:8080/'],
    ['http://host-a/', '//host-b/x', 'http://host-a/host-b/x'],
    ['http://host-a/', '\\\\host-b\\x', 'http://host-a/host-b/x'],
    ['http://host-a/?q=1#frag', '_bulk', 'http://host-a/_bulk'],
  ])('%s + %s = %s', (base, path, expected) => {
    expect(requestUrl(new URL(base), path).href).toBe(expected);
  });
});

describe('every request we build reaches the configured host (loopback)', () => {
  let configured: BulkServer;
  let other: BulkServer;
  beforeAll(async () => {
    configured = await new BulkServer().start();
    other = await new BulkServer().start();
  });
  afterAll(async () => {
    await configured.stop();
    await other.stop();
  });
  afterEach(() => expect(other.requestsReceived).toBe(0));

  const hostileBases = () => {
    const a = configured.url; // http://127.0.0.1:<port>
    const b = other.url.replace('http://', '');
    return [`${a}//${b}/`, `${a}//`, `${a}/\\${b}/`, `${a}//${b}//`];
  };
  const doc: LogDocument = {
    _id: 'id-1',
    _index: 'cwl-2026.12.06',
    _source: { '@timestamp': '2026-12-06T00:00:00.000Z', message: 'm', aws: {}, cloud: { provider: 'aws' } },
  };

  it.each(['elasticsearch', 'logstash'])('%s transport (forwarder, splitter, replay)', async (kind) => {
    for (const base of hostileBases()) {
      const before = configured.requests.length;
      const transport = createTransport(
        loadDestinationConfig({ DESTINATION_URL: base, DESTINATION_KIND: kind, DESTINATION_GZIP: 'false' }),
      );
      const body = transport.encode(doc);
      expect(
        await transport.send([encodedItem(undefined, doc._id, body, Buffer.byteLength(body))], 5000),
      ).toEqual([{ kind: expect.stringMatching(/delivered|duplicate/) }]);
      const request = configured.requests[before]!;
      expect(request.path).not.toMatch(/\/\//);
      if (kind === 'elasticsearch') expect(request.path).toMatch(/\/_bulk$/);
    }
  });

  it('search setup and dashboards (ApiClient), hostile base and request paths', async () => {
    const http = new HttpClient(1);
    try {
      for (const base of hostileBases()) {
        const client = new ApiClient(new URL(base), http, noAuth, 5000);
        for (const path of ['/_index_template/logpipe', `//${other.url.replace('http://', '')}/x?y=1`]) {
          const before = configured.requests.length;
          expect((await client.send({ method: 'GET', path })).status).toBe(200);
          expect(configured.requests[before]!.path).not.toMatch(/\/\//);
        }
      }
    } finally {
      http.close();
    }
  });
});
