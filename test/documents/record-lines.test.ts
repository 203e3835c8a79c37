import { IndexNamer } from '../../libs/forwarding/documents';
import { recordLineDocument } from '../../libs/forwarding/documents/lines';

const options = { indexNamer: new IndexNamer('cwl'), region: 'ap-northeast-2', jsonAtRoot: false };
const origin = {
  sequenceNumber: '4959',
  partitionKey: 'pod-1',
  shardId: 'shardId-000000000001',
  arrivalMs: 0,
};

describe('recordLineDocument', () => {
  it("keeps a record's own pipeline-named keys under json, so they cannot conflict with the mapping", () => {
    const doc = recordLineDocument(
      {
        index: 0,
        fields: { log: { file: '/var/log/app.log' }, message: 'hello', tags: 'prod', pod: 'web-1' },
      },
      origin,
      options,
    );
    expect(doc._source.message).toBe('hello');
    expect(doc._source.log).toBeUndefined();
    expect(doc._source.tags).toBeUndefined();
    expect(doc._source.json).toMatchObject({ log: { file: '/var/log/app.log' }, tags: 'prod' });
    expect(doc._source.pod).toBe('web-1');
  });

  it("uses Fluent Bit's raw line (log) as the message and keeps a separate message field", () => {
    const doc = recordLineDocument(
      { index: 2, fields: { log: 'GET / 200', message: 'other' } },
      origin,
      options,
    );
    expect(doc._source.message).toBe('GET / 200');
    expect(doc._source.json).toMatchObject({ message: 'other' });
    expect(doc._id).toBe('shardId-000000000001-4959-2');
  });
});
