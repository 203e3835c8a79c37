import { createPipeline } from '../../libs/forwarding/pipeline/pipeline';
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { createKinesisSource, forwardKinesis } from '../../libs/forwarding/sources/kinesis';
import { BulkServer } from '../support/bulk-server';
import { fluentBitLine, kinesisEvent, sequenceNumber, documentId } from '../support/kinesis';
import { quiet } from '../support/logging';
import { testInvocation } from '../support/lambda';

const context = testInvocation({ remainingMs: 60000, awsRequestId: 'prop' });

/** A record: poison, or some lines of which some are refused by the destination for good (429 forever). */
const recordArb = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ poison: true as const, lines: [] as boolean[] }) },
  {
    weight: 5,
    arbitrary: fc.record({
      poison: fc.constant(false as const),
      lines: fc.array(fc.boolean(), { maxLength: 4 }),
    }),
  },
);

describe('batch item failures are exactly the records with a document not delivered', () => {
  it('holds for any mix of poison records and stuck documents, any batch size', async () => {
    const server = await new BulkServer({
      itemFault: (item) => ((item.source as { stuck?: boolean }).stuck ? 429 : undefined),
    }).start();
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(recordArb, { minLength: 1, maxLength: 12 }),
          fc.integer({ min: 1, max: 5 }),
          async (records, batchDocs) => {
            server.documents.clear();
            const kinesis = createKinesisSource(
              createPipeline({
                DESTINATION_URL: server.url,
                DESTINATION_GZIP: 'false',
                RETRY_BASE_DELAY_MS: '1',
                RETRY_MAX_DELAY_MS: '1',
                RETRY_MAX_ATTEMPTS: '2',
                BATCH_MAX_DOCS: String(batchDocs),
              }),
            );
            const event = kinesisEvent(
              records.map((record) =>
                record.poison
                  ? gzipSync('x').subarray(0, 5)
                  : record.lines.map((stuck, i) => fluentBitLine({ log: `line ${i}`, stuck })).join(''),
              ),
            );
            const response = await forwardKinesis(kinesis, event, context, quiet);
            const expected = records.flatMap((record, n) =>
              record.poison || record.lines.some(Boolean) ? [sequenceNumber(n)] : [],
            );
            expect(response.batchItemFailures.map((item) => item.itemIdentifier)).toEqual(expected);
            // Every line that was not stuck is indexed, whatever happened to its neighbours.
            const delivered = records.flatMap((record, n) =>
              record.lines.flatMap((stuck, i) => (stuck ? [] : [documentId(n, i)])),
            );
            expect([...server.documents.keys()].sort()).toEqual(delivered.sort());
          },
        ),
        { numRuns: 40 },
      );
    } finally {
      await server.stop();
    }
  });
});
