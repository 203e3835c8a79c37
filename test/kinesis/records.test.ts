import { deflateSync, gzipSync } from 'node:zlib';
import { decodeRecordData, splitLines } from '../../libs/forwarding/decoding/kinesis-records';
import { logsData } from '../support/subscription';

const b64 = (data: Buffer | string) => Buffer.from(data).toString('base64');
/** About `bytes` bytes of Fluent Bit JSON lines. */
const fluentLines = (bytes: number) => '{"log":"a log line of some length"}\n'.repeat(Math.ceil(bytes / 36));
const lines = (data: Buffer | string) => {
  const decoded = decodeRecordData(b64(data));
  if (!decoded.ok || decoded.payload.kind !== 'lines')
    throw new Error(`not lines: ${JSON.stringify(decoded)}`);
  return [...decoded.payload.lines];
};

describe('decodeRecordData', () => {
  it('a CloudWatch Logs subscription payload (gzip, as CloudWatch writes to a stream)', () => {
    const decoded = decodeRecordData(b64(gzipSync(JSON.stringify(logsData([{ message: 'a' }])))));
    expect(decoded).toMatchObject({
      ok: true,
      payload: { kind: 'subscription', data: { logGroup: '/aws/lambda/orders' } },
    });
  });

  it('a zlib-framed subscription payload of an account-level policy, with its policyLevel', () => {
    const data = logsData([{ message: 'a' }], { policyLevel: 'ACCOUNT_LEVEL_POLICY' });
    expect(decodeRecordData(b64(deflateSync(JSON.stringify(data))))).toEqual({
      ok: true,
      payload: { kind: 'subscription', data },
    });
  });

  it('Fluent Bit JSON lines (append_newline), plain, gzip and zlib compressed', () => {
    const text = '{"log":"a"}\n{"log":"b"}\n';
    for (const data of [text, gzipSync(text), deflateSync(text)]) {
      expect(lines(data)).toEqual([
        { index: 0, fields: { log: 'a' } },
        { index: 1, fields: { log: 'b' } },
      ]);
    }
  });

  it('text lines (Fluent Bit log_key), CRLF and blank lines; a text line starting "x^" is not zlib', () => {
    expect(lines('first\r\n\n  \nsecond')).toEqual([
      { index: 0, text: 'first' },
      { index: 1, text: 'second' },
    ]);
    expect(lines('x^ marks the spot')).toEqual([{ index: 0, text: 'x^ marks the spot' }]);
  });

  it('keeps a broken JSON line with its failure, and reads one pretty-printed object as one line', () => {
    const [good, bad] = lines('{"a":1}\n{"a":');
    expect(good).toEqual({ index: 0, fields: { a: 1 } });
    expect(bad).toMatchObject({ index: 1, text: '{"a":', failure: expect.stringMatching(/^json: /) });
    expect(lines('{\n  "a": 1,\n  "b": [2]\n}\n')).toEqual([{ index: 0, fields: { a: 1, b: [2] } }]);
    expect(lines('{"a":1}\n[1,2]')).toEqual([
      { index: 0, fields: { a: 1 } },
      { index: 1, text: '[1,2]' },
    ]);
  });

  it.each([
    ['invalid base64', 'not base64!', /^data is not valid base64/],
    ['a stray character in base64', 'eyJh!jEi', /^data is not valid base64/],
    ['truncated gzip', b64(gzipSync('{"log":"x"}\n').subarray(0, 15)), /^gzip data is corrupt or truncated/],
    ['binary data', b64(Buffer.from([0xff, 0xfe, 0x00, 0x80])), /^data is neither gzip, zlib nor UTF-8 text/],
    ['KPL aggregation', b64(Buffer.from([0xf3, 0x89, 0x9a, 0xc2, 1, 2])), /^KPL-aggregated record/],
    [
      'a subscription payload of the wrong shape',
      b64(gzipSync('{"messageType":"DATA_MESSAGE","owner":"1"}')),
      /^subscription payload: shape/,
    ],
  ])('poison: %s', (_, data, reason) => {
    expect(decodeRecordData(data)).toEqual({ ok: false, reason: expect.stringMatching(reason) });
  });

  it('a record inflating past 16 MiB (gzip or zlib) is poison with a reason naming the limit, never text', () => {
    const text = fluentLines(17 * 1024 * 1024);
    for (const [name, data] of [
      ['gzip', gzipSync(text)],
      ['zlib', deflateSync(text)],
    ] as const) {
      expect(decodeRecordData(b64(data))).toEqual({
        ok: false,
        reason: `${name} data of ${data.length} bytes inflates past the limit of 16777216 bytes (16 MiB) per payload`,
      });
    }
    expect(lines(gzipSync(fluentLines(15 * 1024 * 1024))).length).toBeGreaterThan(1000);
  });

  it('splitLines of nothing is nothing', () => {
    expect(splitLines('')).toEqual([]);
    expect(splitLines('\n\n')).toEqual([]);
  });
});
