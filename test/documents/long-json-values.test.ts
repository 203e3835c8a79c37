import { buildDocument, IndexNamer } from '../../libs/forwarding/documents';
import { capLongStrings, JSON_STRING_MAX_CHARS } from '../../libs/forwarding/documents/json-message';
import { serializeDocument } from '../../libs/forwarding/documents/serialize';

const options = { indexNamer: new IndexNamer('cwl'), region: 'ap-northeast-2', jsonAtRoot: false };
const context = { owner: '123456789012', logGroup: '/ecs/orders', logStream: 's' };
const build = (message: string) => buildDocument(context, { id: '1', timestamp: 0, message }, options);

describe('JSON strings longer than an index term may be (OpenSearch flat_object refuses the document)', () => {
  it('cuts them under json, says so, and keeps the whole line in message', () => {
    const payload = 'x'.repeat(40_000);
    const message = JSON.stringify({ level: 'error', payload, nested: { deep: [payload, 'short'] } });
    const doc = build(message);
    expect(doc._source.message).toBe(message);
    const json = doc._source.json as { payload: string; nested: { deep: string[] } };
    const cut = `${'x'.repeat(JSON_STRING_MAX_CHARS)}…[cut: 40000 chars, the whole line is in message]`;
    expect(json.payload).toBe(cut);
    expect(json.nested.deep).toEqual([cut, 'short']);
    expect(doc._source.log).toEqual({ level: 'error' });
    // Every string of the document's json is within Lucene's 32,766-byte term limit, path included.
    const text = serializeDocument(doc);
    for (const value of Object.values(json).flat()) {
      if (typeof value === 'string') expect(Buffer.byteLength(value)).toBeLessThan(32_766 - 1000);
    }
    // The document carries the line once whole (message), not twice.
    expect(text.length).toBeLessThan(message.length + 3 * JSON_STRING_MAX_CHARS);
  });

  it('three-byte characters stay under the term limit, and a surrogate pair is never cut in half', () => {
    const korean = build(JSON.stringify({ msg: '가'.repeat(20_000) }));
    expect(Buffer.byteLength((korean._source.json as { msg: string }).msg)).toBeLessThan(25_000);
    const emoji = { text: `${'y'.repeat(JSON_STRING_MAX_CHARS - 1)}😀${'z'.repeat(10)}` };
    capLongStrings(emoji);
    expect(emoji.text.startsWith(`${'y'.repeat(JSON_STRING_MAX_CHARS - 1)}…`)).toBe(true);
    expect(emoji.text).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it('lines up to the cap are untouched (and not walked): the common case costs one length check', () => {
    const message = JSON.stringify({ payload: 'x'.repeat(JSON_STRING_MAX_CHARS - 20) });
    expect((build(message)._source.json as { payload: string }).payload).toHaveLength(
      JSON_STRING_MAX_CHARS - 20,
    );
    const exact = { payload: 'x'.repeat(JSON_STRING_MAX_CHARS) };
    capLongStrings(exact);
    expect(exact.payload).toHaveLength(JSON_STRING_MAX_CHARS);
  });
});
