import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { EncodedDocument, ItemOutcome, Transport } from '../../libs/forwarding/destinations';
import { StdoutTransport } from '../../libs/forwarding/destinations/stdout';
import { createPipeline } from '../../libs/forwarding/pipeline/pipeline';
import { createKinesisSource, forwardKinesis } from '../../libs/forwarding/sources/kinesis';
import { forwardSubscription } from '../../libs/forwarding/sources/subscription';
import { kinesisEvent } from '../support/kinesis';
import { logsData, subscriptionEvent } from '../support/subscription';
import { quiet } from '../support/logging';
import { testInvocation } from '../support/lambda';

const context = testInvocation({ remainingMs: 60000, awsRequestId: 'req-1' });

/** A real stdout transport into memory that records, per batch, whether its items hold their documents. */
function recordingTransport(): { transport: Transport; keptDocuments: boolean[] } {
  const inner = new StdoutTransport(new Writable({ write: (_chunk, _enc, done) => done() }));
  const keptDocuments: boolean[] = [];
  return {
    keptDocuments,
    transport: {
      kind: inner.kind,
      encode: (doc) => inner.encode(doc),
      decode: (text) => inner.decode(text),
      send(batch: readonly EncodedDocument[]): Promise<ItemOutcome[]> {
        for (const item of batch) keptDocuments.push(item.doc !== undefined);
        return inner.send(batch);
      },
    },
  };
}

describe('pipeline: outcome tracking is the Kinesis source’s option only', () => {
  it('a subscription batch keeps only encoded bytes; a Kinesis batch keeps documents until their outcome', async () => {
    const { transport, keptDocuments } = recordingTransport();
    const pipeline = createPipeline({}, { transport });
    const kinesis = createKinesisSource(pipeline);
    const data = logsData([{ message: 'one' }, { message: 'two' }]);

    await forwardSubscription(pipeline, subscriptionEvent(data), context, quiet);
    expect(keptDocuments).toEqual([false, false]);

    keptDocuments.length = 0;
    const response = await forwardKinesis(
      kinesis,
      kinesisEvent([gzipSync(JSON.stringify(data))]),
      context,
      quiet,
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(keptDocuments).toEqual([true, true]);

    // The subscription path after a Kinesis batch of the same container still keeps nothing.
    keptDocuments.length = 0;
    await forwardSubscription(pipeline, subscriptionEvent(data), context, quiet);
    expect(keptDocuments).toEqual([false, false]);
  });
});
