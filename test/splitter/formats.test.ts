import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { documentsFromLogsData } from '../../libs/forwarding/documents/build';
import { SplitFaultError } from '../../libs/splitter/errors';
import { lineId } from '../../libs/forwarding/documents/lines';
import {
  chunked,
  concatenated,
  control,
  ids,
  messages,
  multiMember,
  newlineDelimited,
  options,
  record,
  split,
  splitAt,
} from './support';

const korean = '결제 요청 처리 완료: 주문번호 12345, 사용자 "김민수" }{ 끝';
const records = [
  record(0, ['START RequestId: 1 Version: $LATEST\n', 'message with }{ inside\n', `${korean}\n`]),
  control,
  record(3, [
    '{"level":"error","msg":"json }{ message","nested":{"a":"\\"}{\\""}}',
    'multi\nline\nmessage with "quotes" and \\ backslash',
  ]),
  record(5, ['2024-11-20T17:12:23.505Z\tabc\tINFO\tconsole line'], { logGroup: '/ecs-task' }),
];
// What the forwarder makes of the same records: the splitter must produce exactly these.
const expected = records.flatMap((r) => [...documentsFromLogsData(r, options, () => undefined)]);

describe('splitStream formats', () => {
  it.each([
    ['multi-member gzip (Firehose default)', multiMember(records)],
    ['gzip of multi-member gzip (Firehose GZIP on top)', gzipSync(multiMember(records))],
    ['gzip of concatenated JSON', gzipSync(concatenated(records))],
    ['plain concatenated JSON (decompressed records)', concatenated(records)],
    ['plain newline-delimited JSON', newlineDelimited(records)],
    ['gzip of newline-delimited JSON', gzipSync(newlineDelimited(records))],
  ])('%s: the forwarder’s documents, control messages skipped', async (_name, body) => {
    const out = await split(body);
    expect(out.error).toBeUndefined();
    expect(out.docs).toEqual(expected);
    expect(out.stats).toMatchObject({ format: 'records', records: 4, control_messages: 1, documents: 6 });
  });

  it('counts gzip layers', async () => {
    expect((await split(concatenated(records))).stats?.gzip_layers).toBe(0);
    expect((await split(multiMember(records))).stats?.gzip_layers).toBe(1);
    expect((await split(gzipSync(multiMember(records)))).stats?.gzip_layers).toBe(2);
  });

  it('gives the same documents when a small object is cut at every byte position', async () => {
    const small = [record(0, ['a }{ b', korean]), record(2, ['{"x":"}{"}'])];
    const want = small.flatMap((r) => [...documentsFromLogsData(r, options, () => undefined)]);
    for (const body of [concatenated(small), multiMember(small)]) {
      for (let cut = 0; cut <= body.length; cut++) {
        const out = await split(splitAt(body, cut));
        expect(out.error).toBeUndefined();
        expect(out.docs).toEqual(want);
      }
    }
  });

  it('works with tiny chunks of varying sizes', async () => {
    const out = await split(chunked(gzipSync(multiMember(records)), [1, 2, 3, 5, 8, 13]));
    expect(out.docs).toEqual(expected);
  });

  it('dead-letters a malformed event and keeps the others', async () => {
    const bad = record(0, ['ok', 'also ok']);
    (bad.logEvents[0] as { timestamp: unknown }).timestamp = 'yesterday';
    const out = await split(multiMember([bad]));
    expect(messages(out.docs)).toEqual(['also ok']);
    expect(out.rejected).toHaveLength(1);
    expect(out.rejected[0]!.reason).toMatch(/timestamp/);
  });

  it('skips an object holding only a control message, and an empty one', async () => {
    const out = await split(multiMember([control]));
    expect(out.docs).toEqual([]);
    expect(out.stats).toMatchObject({ records: 1, control_messages: 1 });
    const empty = await split(Buffer.alloc(0));
    expect(empty.stats).toMatchObject({ format: 'empty', documents: 0 });
  });
});

describe('extracted messages (raw lines)', () => {
  const lines = [
    '{"level":"info","msg":"json line }{"}',
    '2024-11-20T17:12:23.505Z\t830e95c2\tERROR\tboom',
    korean,
    'plain text',
  ];
  const body = Buffer.from(lines.join('\n') + '\r\n\n');

  it.each([
    ['plain', body],
    ['gzip', gzipSync(body)],
    ['double gzip', gzipSync(gzipSync(body))],
  ])('%s: one document per line, deterministic ids from the line offset', async (_name, bytes) => {
    const out = await split(bytes);
    expect(out.error).toBeUndefined();
    expect(out.stats).toMatchObject({ format: 'lines', lines: 4, documents: 4 });
    expect(messages(out.docs)).toEqual(lines);
    let offset = 0;
    const offsets = lines.map((line) => {
      const at = offset;
      offset += Buffer.byteLength(line) + 1;
      return at;
    });
    expect(ids(out.docs)).toEqual(offsets.map((at) => lineId('s3://raw/key', at)));
    expect(out.docs[0]!._source.json).toEqual({ level: 'info', msg: 'json line }{' });
    expect(out.docs[0]!._source.log).toEqual({ level: 'info' });
    // The time comes from the line when it starts with one, else from when the object was written.
    expect(out.docs[1]!._source['@timestamp']).toBe('2024-11-20T17:12:23.505Z');
    expect(out.docs[1]!._source.log).toEqual({ level: 'error' });
    expect(out.docs[2]!._source['@timestamp']).toBe('2024-11-20T17:00:00.000Z');
    expect(out.docs[2]!._source.aws).toEqual({ s3: { bucket: 'raw', key: 'key', offset: offsets[2] } });
  });

  it('gives the same lines when cut at every byte position', async () => {
    const want = await split(body);
    for (let cut = 0; cut <= body.length; cut++) {
      const out = await split(splitAt(body, cut));
      expect(out.docs).toEqual(want.docs);
    }
  });

  it('treats a first line that is JSON but not a record as extracted messages', async () => {
    const out = await split(Buffer.from('{"a":1}\n{"b":2}\nnot json\n'));
    expect(out.stats?.format).toBe('lines');
    expect(messages(out.docs)).toEqual(['{"a":1}', '{"b":2}', 'not json']);
  });

  it('treats a first line starting with { that is not JSON as a line', async () => {
    const out = await split(Buffer.from('{oops} not json\nnext'));
    expect(messages(out.docs)).toEqual(['{oops} not json', 'next']);
  });
});

describe('faults', () => {
  const good = [record(0, ['one', 'two']), record(2, ['three'])];

  function expectFault(error: unknown, pattern: RegExp, offset?: number): SplitFaultError {
    expect(error).toBeInstanceOf(SplitFaultError);
    const fault = error as SplitFaultError;
    expect(fault.bucket).toBe('raw');
    expect(fault.key).toBe('key');
    expect(fault.message).toMatch(/^s3:\/\/raw\/key: /);
    expect(fault.message).toMatch(pattern);
    if (offset !== undefined) expect(fault.offset).toBe(offset);
    return fault;
  }

  it('garbage between records: the records before it are delivered, the offset is exact', async () => {
    const before = concatenated(good);
    const out = await split(
      gzipSync(Buffer.concat([before, Buffer.from('garbage'), concatenated([record(9, ['x'])])])),
    );
    expect(messages(out.docs)).toEqual(['one', 'two', 'three']);
    expectFault(out.error, /unexpected "g" \(0x67\) between records/, before.length);
  });

  it('truncated JSON at the end', async () => {
    const body = concatenated(good);
    const out = await split(body.subarray(0, body.length - 5));
    expect(messages(out.docs)).toEqual(['one', 'two']);
    expectFault(out.error, /truncated record/, concatenated([good[0]]).length);
  });

  it('a record that is not valid JSON inside is dead-lettered with its offset; the records after it go on', async () => {
    const broken = '{"messageType": nope}';
    const out = await split(
      Buffer.concat([concatenated([good[0]]), Buffer.from(broken), concatenated([good[1]])]),
    );
    expect(out.error).toBeUndefined();
    expect(messages(out.docs)).toEqual(['one', 'two', 'three']);
    const at = concatenated([good[0]]).length;
    expect(out.rejected).toEqual([
      {
        reason: `record of ${broken.length} bytes is not valid JSON at byte ${at}`,
        event: { uri: 's3://raw/key', offset: at, record: broken },
      },
    ]);
    expect(out.stats).toMatchObject({ records: 2, invalid_records: 1 });
  });

  it('a record larger than the maximum', async () => {
    const big = record(5, ['x'.repeat(5000)]);
    const out = await split(multiMember([good[0], big, good[1]]), { maxRecordBytes: 4096 });
    expect(messages(out.docs)).toEqual(['one', 'two']);
    expectFault(out.error, /record larger than the maximum of 4096 bytes/, concatenated([good[0]]).length);
  });

  it('a corrupt gzip member: the members decompressed before it are delivered', async () => {
    // zlib drops the output of the call that fails, so the records before the fault must span
    // more than one zlib call (64 KiB of output) for some of them to be delivered; the rest
    // come with the retry (same ids) or stay in the on-failure queue with the offset.
    const noisy = Array.from({ length: 20 }, (_, r) =>
      record(
        r * 10,
        Array.from({ length: 10 }, (_, i) => randomBytes(600).toString('hex') + ` #${r * 10 + i}`),
      ),
    );
    const broken = gzipSync(JSON.stringify(good[1]));
    broken[broken.length - 6]! ^= 0xff; // breaks the CRC
    const out = await split(Buffer.concat([multiMember(noisy), broken]));
    const want = noisy.flatMap((r) => r.logEvents.map((e) => e.message));
    expect(out.docs.length).toBeGreaterThan(100);
    expect(messages(out.docs)).toEqual(want.slice(0, out.docs.length));
    const fault = expectFault(out.error, /gzip layer 1 is corrupt or truncated \(incorrect data check\)/);
    expect(fault.objectOffset).toBeGreaterThan(0);
  });

  it('a truncated gzip stream: the members before it are delivered', async () => {
    const whole = multiMember(good);
    const firstMember = multiMember([good[0]]).length;
    const out = await split(whole.subarray(0, firstMember + 20));
    expect(messages(out.docs)).toEqual(['one', 'two']);
    expectFault(out.error, /gzip layer 1 is corrupt or truncated \(unexpected end of file\)/);
  });

  it('a JSON object that is not a subscription message is dead-lettered; the records after it go on', async () => {
    const out = await split(concatenated([good[0], { hello: 'world' }, good[1]]));
    expect(out.error).toBeUndefined();
    expect(messages(out.docs)).toEqual(['one', 'two', 'three']);
    expect(out.rejected).toHaveLength(1);
    expect(out.rejected[0]!.reason).toMatch(
      /^record is not a CloudWatch Logs message: shape: unknown messageType/,
    );
    expect(out.rejected[0]!.event).toMatchObject({ record: { hello: 'world' } });
  });

  it('a broken first record is a fault, not a line', async () => {
    const out = await split(Buffer.from('{"messageType":"DATA_MESSAGE","owner":'));
    expect(out.docs).toEqual([]);
    expectFault(out.error, /truncated record/, 0);
  });

  it('stops between chunks when told to (time running out)', async () => {
    let calls = 0;
    const out = await split(chunked(concatenated(good), [10]), { shouldStop: () => ++calls > 3 });
    expectFault(out.error, /running out of time/);
  });
});
