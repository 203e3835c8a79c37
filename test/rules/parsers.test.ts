import { ACCESS_LINE, API_REQUEST_LINE, API_RESPONSE_LINE } from '../support/kinesis';
import { applyRules, doc, routed, rules } from './helpers';

const one = (rule: Record<string, unknown>) =>
  rules([{ name: 'r', match: { fields: [{ field: 'kind', equals: 'x' }] }, ...rule }]);
const parse = (rule: Record<string, unknown>, message: string, extra: Record<string, unknown> = {}) =>
  routed(applyRules(one(rule), doc({ kind: 'x', message, ...extra })))._source;

describe('built-in regex parsers on real-format lines', () => {
  it('apache_combined: the Apache documentation example', () => {
    const source = parse({ parse: { type: 'regex', pattern: 'apache_combined' } }, ACCESS_LINE);
    expect(source).toMatchObject({
      host: '127.0.0.1',
      user: 'frank',
      time: '10/Oct/2000:13:55:36 -0700',
      method: 'GET',
      path: '/apache_pb.gif',
      code: 200,
      size: 2326,
      referer: 'http://www.example.com/start.html',
      agent: 'Mozilla/4.08 [en] (Win98; I ;Nav)',
      '@timestamp': '2000-10-10T20:55:36.000Z',
    });
    expect(source.tags).toBeUndefined();
  });

  it('nginx_combined and the Fluent Bit accesslog parser name the client remote', () => {
    for (const pattern of ['nginx_combined', 'accesslog']) {
      const source = parse({ parse: { type: 'regex', pattern } }, ACCESS_LINE);
      expect(source).toMatchObject({ remote: '127.0.0.1', host: '-', user: 'frank', code: 200, size: 2326 });
    }
  });

  it('apache_combined accepts the common log format (no referer/agent) and a 304 with size "-"', () => {
    const source = parse(
      { parse: { type: 'regex', pattern: 'apache_combined' } },
      '192.168.0.7 - - [21/Nov/2026:09:01:02 +0900] "GET /index.html HTTP/1.1" 304 -',
    );
    expect(source).toMatchObject({
      host: '192.168.0.7',
      code: 304,
      '@timestamp': '2026-11-21T00:01:02.000Z',
    });
    // "-" is "no body", not a bad value: the field is left out and the line is not tagged.
    expect(source.size).toBeUndefined();
    expect(source.tags).toBeUndefined();
  });

  it('api_request and api_response: web API log formats with their GMT+0900 time', () => {
    const request = parse({ parse: { type: 'regex', pattern: 'api_request' } }, API_REQUEST_LINE);
    expect(request).toMatchObject({
      method: 'GET',
      path: '/api/v1/x',
      logdata: '{"a":1}',
      '@timestamp': '2020-10-19T18:56:08.000Z',
    });
    const response = parse(
      {
        parse: [
          { type: 'regex', pattern: 'api_response' },
          { type: 'json', field: 'logdata' },
        ],
      },
      API_RESPONSE_LINE,
    );
    expect(response).toMatchObject({ code: 200, result: 'SUCCESS', path: '/api/v1/x', a: 1 });
  });

  it('a custom regex with named groups, merged under a target', () => {
    const source = parse(
      {
        parse: { type: 'regex', pattern: '^(?<verb>[A-Z]+) (?<ms>\\d+)ms$', target: 'http' },
        types: { 'http.ms': 'integer' },
      },
      'POST 35ms',
    );
    expect(source.http).toEqual({ verb: 'POST', ms: 35 });
  });
});

describe('json and lambda parsers', () => {
  it('json merges the object at the root; keys the forwarder owns go under json', () => {
    const source = parse(
      { parse: { type: 'json' } },
      '{"level":"warn","user":"u1","aws":"x","@timestamp":"y"}',
    );
    expect(source).toMatchObject({ level: 'warn', user: 'u1', json: { aws: 'x', '@timestamp': 'y' } });
    expect(source.aws).toEqual({});
  });

  it('lambda reads the runtime line format', () => {
    const source = parse(
      { parse: { type: 'lambda' } },
      '2024-11-20T17:12:23.612Z\t830e95c2-4983-4e72-99f1-1aa410a0ffb0\tERROR\tboom',
    );
    expect(source.log).toEqual({ level: 'error' });
    expect(source.aws.lambda).toEqual({ request_id: '830e95c2-4983-4e72-99f1-1aa410a0ffb0' });
  });
});

describe('bad lines are kept, tagged _parse_failure, never dropped', () => {
  const access = { parse: { type: 'regex', pattern: 'apache_combined' } };

  it.each([
    ['unparsable line', 'this is not an access log', 'regex: message does not match the pattern'],
    ['wrong type', ACCESS_LINE.replace('2326', '23x6'), 'types: size "23x6" is not an integer'],
    [
      'bad time',
      ACCESS_LINE.replace('10/Oct/2000', '10/Foo/2000'),
      'time: time does not match %d/%b/%Y:%H:%M:%S %z',
    ],
  ])('%s', (_, line, reason) => {
    const outcome = applyRules(one(access), doc({ kind: 'x', message: line }));
    const source = routed(outcome)._source;
    expect(outcome).toMatchObject({ kind: 'routed', failed: true });
    expect(source.message).toBe(line);
    expect(source.tags).toEqual(['_parse_failure']);
    expect(source.parse_errors).toEqual([reason]);
  });

  it('a value that fails conversion leaves the typed field, so the index mapping never sees it', () => {
    const source = parse(access, ACCESS_LINE.replace('2326', 'lots'));
    expect(source.size).toBeUndefined();
    expect(source.code).toBe(200);
  });

  it('json that does not parse, and a field that is not a string', () => {
    expect(parse({ parse: { type: 'json' } }, '{"cut": ').parse_errors).toEqual([
      'json: message is not a JSON object',
    ]);
    expect(parse({ parse: { type: 'json', field: 'n' } }, '', { n: 5 }).parse_errors).toEqual([
      'json: field n is not a string',
    ]);
  });

  it('the time the wrong type: a number where a date string was expected', () => {
    const source = parse({ time: { field: 't', format: '%Y-%m-%d' } }, '', { t: 20240101 });
    expect(source.tags).toEqual(['_parse_failure']);
    expect(source['@timestamp']).toBe('2024-11-20T17:12:23.505Z');
  });

  it('a parse step whose field is absent is skipped: Fluent Bit parsed the line already', () => {
    const fields = {
      kind: 'x',
      remote: '10.0.0.1',
      time: '20/Oct/2020:03:56:08 +0900',
      code: '201',
      size: '-',
    };
    const source = routed(
      applyRules(one({ parse: { type: 'regex', pattern: 'accesslog', field: 'log' } }), doc(fields)),
    )._source;
    expect(source).toMatchObject({ code: 201, '@timestamp': '2020-10-19T18:56:08.000Z' });
    expect(source.tags).toBeUndefined();
  });
});

describe('time formats and type conversion', () => {
  it.each([
    ['iso8601', '2024-05-01T10:00:00+09:00', '2024-05-01T01:00:00.000Z'],
    ['iso8601', '2024-05-01 10:00:00', '2024-05-01T10:00:00.000Z'],
    ['epoch', '1700000000.5', '2023-11-14T22:13:20.500Z'],
    ['epoch_ms', 1700000000123, '2023-11-14T22:13:20.123Z'],
    ['%Y-%m-%dT%H:%M:%S.%L%z', '2024-05-01T10:00:00.25-0130', '2024-05-01T11:30:00.250Z'],
    ['%d/%b/%Y %T', '01/May/2024 23:59:59', '2024-05-01T23:59:59.000Z'],
  ])('%s reads %s', (format, value, iso) => {
    expect(parse({ time: { field: 't', format, keep: false } }, '', { t: value })).toMatchObject({
      '@timestamp': iso,
    });
    expect(parse({ time: { field: 't', format, keep: false } }, '', { t: value }).t).toBeUndefined();
  });

  it('converts integer, float, boolean, string and json', () => {
    const source = parse(
      { types: { i: 'integer', f: 'float', b: 'boolean', s: 'string', j: 'json', o: 'string' } },
      '',
      { i: '-42', f: '1.5e3', b: 'no', s: 7, j: '[1,2]', o: { a: 1 } },
    );
    expect(source).toMatchObject({ i: -42, f: 1500, b: false, s: '7', j: [1, 2], o: '{"a":1}' });
    expect(source.tags).toBeUndefined();
  });
});
