import { buildDocument } from '../../libs/forwarding/documents/build';
import { copyToRoot, OWNED_FIELDS, PIPELINE_FIELDS } from '../../libs/forwarding/documents/fields';
import { IndexNamer } from '../../libs/forwarding/documents/index-name';
import { recordLineDocument } from '../../libs/forwarding/documents/lines';
import type { DocumentSource } from '../../libs/forwarding/documents/types';

const options = { indexNamer: new IndexNamer('cwl'), region: 'ap-northeast-2', jsonAtRoot: true };
const fields = { service: 'orders', tags: 'prod', _id: 'mine', log: { file: 'app.log' }, aws: 'x' };
const context = { owner: '123456789012', logGroup: '/aws/lambda/orders', logStream: 's' };

describe('the pipeline’s root fields, one table for every copy to the root', () => {
  it('JSON_FIELDS_AT_ROOT: a JSON message’s own keys reach the root, never over a pipeline or metadata field', () => {
    const doc = buildDocument(context, { id: '1', timestamp: 0, message: JSON.stringify(fields) }, options);
    expect(doc._source.service).toBe('orders');
    for (const key of ['tags', '_id']) expect(doc._source[key]).toBeUndefined();
    expect(doc._source.aws).toMatchObject({ cloudwatch: { log_group: '/aws/lambda/orders' } });
    expect(doc._source.json).toEqual(fields);
  });

  it('a Kinesis record’s JSON line: the same keys protected, kept under json', () => {
    const doc = recordLineDocument(
      { index: 0, fields: { ...fields, message: 'hello' } },
      { sequenceNumber: '1', partitionKey: 'p', arrivalMs: 0 },
      options,
    );
    expect(doc._source.service).toBe('orders');
    expect(doc._source.tags).toBeUndefined();
    expect(doc._source.json).toMatchObject({ tags: 'prod', _id: 'mine', log: { file: 'app.log' }, aws: 'x' });
  });

  it('a rule’s parser may refine message and log, never the fields only the pipeline writes', () => {
    const source = {
      '@timestamp': 't',
      message: 'raw',
      aws: {},
      cloud: { provider: 'aws' },
    } as DocumentSource;
    copyToRoot(
      source,
      { message: 'parsed', log: { level: 'info' }, tags: 'x', _index: 'y' },
      {
        protect: OWNED_FIELDS,
        protectedKeys: 'json',
        overwrite: true,
      },
    );
    expect(source).toMatchObject({
      message: 'parsed',
      log: { level: 'info' },
      json: { tags: 'x', _index: 'y' },
    });
    expect(source.tags).toBeUndefined();
    expect([...OWNED_FIELDS].every((key) => PIPELINE_FIELDS.has(key))).toBe(true);
  });
});
