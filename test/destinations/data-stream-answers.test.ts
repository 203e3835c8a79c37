import { parseBulkItems } from '../../libs/forwarding/destinations/bulk-answer';

/**
 * `_bulk` answers of real data streams (captured from OpenSearch 3.8.0 and Elasticsearch 9.5.3,
 * filter_path as the transport asked then; the `_id` it keeps now added by hand): the item names
 * the backing index, not the stream, and the outcomes are counted like any index's.
 */
describe('_bulk answers from data streams', () => {
  it('201 delivered, 409 duplicate (same backing index), 400 refused with the reason', () => {
    const answer = JSON.stringify({
      errors: true,
      items: [
        { create: { _id: 'a0', _index: '.ds-logs-app-test-2026.11.29-000002', status: 201 } },
        {
          create: {
            _id: 'a1',
            _index: '.ds-logs-app-test-2026.11.29-000001',
            status: 409,
            error: {
              type: 'version_conflict_engine_exception',
              reason: '[a1]: version conflict, document already exists (current version [1])',
            },
          },
        },
        {
          create: {
            _id: 'a2',
            _index: '.ds-logs-app-test-000001',
            status: 400,
            error: { type: 'mapper_parsing_exception', reason: 'failed to parse' },
          },
        },
        {
          create: {
            _id: 'a3',
            _index: '.ds-logs-app-test-2026.11.29-000001',
            status: 400,
            error: {
              type: 'document_parsing_exception',
              reason: '[1:19] failed to parse: data stream timestamp field [@timestamp] is missing',
            },
          },
        },
        {
          index: {
            _id: 'a4',
            _index: 'logs-app-test',
            status: 400,
            error: {
              type: 'illegal_argument_exception',
              reason: 'only write ops with an op_type of create are allowed in data streams',
            },
          },
        },
      ],
    });
    expect(parseBulkItems(answer, ['a0', 'a1', 'a2', 'a3', 'a4'])).toEqual([
      { kind: 'delivered' },
      { kind: 'duplicate' },
      { kind: 'permanent', reason: '400 mapper_parsing_exception: failed to parse' },
      {
        kind: 'permanent',
        reason:
          '400 document_parsing_exception: [1:19] failed to parse: data stream timestamp field [@timestamp] is missing',
      },
      {
        kind: 'permanent',
        reason:
          '400 illegal_argument_exception: only write ops with an op_type of create are allowed in data streams',
      },
    ]);
  });
});
