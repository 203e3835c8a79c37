import { createPipeline } from '../../libs/forwarding/pipeline/pipeline';
import type { KinesisStreamEvent } from 'aws-lambda';
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { createKinesisSource, forwardKinesis } from '../../libs/forwarding/sources/kinesis';
import { fluentBitLine, kinesisEvent, kinesisRecord, sequenceNumber } from '../support/kinesis';
import { eventId, logsData } from '../support/subscription';
import { deepObject, mixedPayload, type PlannedEvent } from './generators';
import { freshPrefix, recordingLogger, s3DeadLetters, usePeers } from './support';
import { testInvocation } from '../support/lambda';

const context = testInvocation({ remainingMs: 60000, awsRequestId: 'hostile-kinesis' });
const peers = usePeers();
const s3 = peers.s3;
let seed = 2000000000;

function kinesis(prefix: string) {
  const letters = s3DeadLetters(s3, prefix);
  const forwarder = createKinesisSource(
    createPipeline(
      {
        DESTINATION_URL: peers.server.url,
        BATCH_MAX_DOCS: '4',
        RULES_FILE: 'test/fixtures/rules/fluent-bit-logtypes.json',
      },
      { deadLetters: letters.sink },
    ),
  );
  return { forwarder, letters };
}

/** Each payload a CloudWatch Logs subscription record, as CloudWatch Logs writes to a stream. */
function subscriptionRecords(payloads: PlannedEvent[][]) {
  const ids: string[][] = [];
  const event: KinesisStreamEvent = {
    Records: payloads.map((planned, n) => {
      seed++;
      ids.push(planned.map((_, i) => eventId(i, seed)));
      const data = logsData(planned.map((p, i) => ({ ...p.event, id: ids[n]![i] }) as never));
      return kinesisRecord(gzipSync(JSON.stringify(data)), n);
    }),
  };
  return { ids, event };
}

describe('Kinesis batches mixing good and poison events', () => {
  it('index every good event once, dead-letter every poison event, and report no record as failed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mixedPayload, { minLength: 1, maxLength: 3 }), async (payloads) => {
        const { forwarder, letters } = kinesis(freshPrefix('kinesis-property'));
        const { ids, event } = subscriptionRecords(payloads);
        const logs = recordingLogger();
        const response = await forwardKinesis(forwarder, event, context, logs.log);
        // Poison events are dead-lettered (retrying cannot help): their records are settled.
        expect(response.batchItemFailures).toEqual([]);
        const dead = await letters.entries();
        const planned = payloads.flat();
        const poison = planned.filter((p) => p.kind === 'poison').length;
        expect(dead).toHaveLength(poison);
        payloads.forEach((list, n) =>
          list.forEach((p, i) => {
            const id = ids[n]![i]!;
            if (p.kind === 'good') expect(peers.server.creations.get(id)).toBe(1);
            else {
              expect(peers.server.documents.has(id)).toBe(false);
              const letter = dead.find(
                (d) => (d.event as { log_event: { id: string } }).log_event.id === id,
              )!;
              expect(letter.reason).toMatch(p.reason!);
              expect(letter.event).toMatchObject({ kinesis_sequence_number: sequenceNumber(n) });
            }
          }),
        );
        expect(logs.lines.find((l) => l.msg === 'kinesis batch forwarded')).toMatchObject({
          rejected: poison,
          delivered: planned.length - poison,
        });
      }),
      { numRuns: 15 },
    );
  });
});

describe('hostile Fluent Bit lines', () => {
  it('dead-letters a line whose own time is past year 9999 and indexes the lines around it', async () => {
    const { forwarder, letters } = kinesis(freshPrefix('kinesis-time'));
    const record = [
      fluentBitLine({ log: 'before' }),
      fluentBitLine({ '@timestamp': '9999-12-31T23:00:00-14:00', log: 'in year 10000 once in UTC' }),
      fluentBitLine({ log: 'after' }),
    ].join('');
    const event = kinesisEvent([record]);
    const response = await forwardKinesis(forwarder, event, context, recordingLogger().log);
    expect(response.batchItemFailures).toEqual([]);
    const [letter] = await letters.entries();
    expect(letter!.reason).toMatch(/^document: TimeRangeError: time \d+ is outside years 0000-9999/);
    expect(letter!.event).toMatchObject({ line: 1, text: { log: 'in year 10000 once in UTC' } });
  });

  it('keeps a line nested deeper than the limit as text, tagged, and never copies _id or _index to the root', async () => {
    const { forwarder } = kinesis(freshPrefix('kinesis-deep'));
    seed++;
    const record = [
      deepObject(5000) + '\n',
      fluentBitLine({ _id: 'evil', _index: 'other', log: 'x', user: 'kim' }),
    ].join('');
    const event: KinesisStreamEvent = { Records: [kinesisRecord(record, seed)] };
    const response = await forwardKinesis(forwarder, event, context, recordingLogger().log);
    expect(response.batchItemFailures).toEqual([]);
    const id = (line: number) => `shardId-000000000000-${sequenceNumber(seed)}-${line}`;
    const deep = peers.server.documents.get(id(0))!.source as { message: string; tags?: string[] };
    expect(deep.message).toBe(deepObject(5000));
    expect(deep.tags).toContain('_parse_failure');
    const meta = peers.server.documents.get(id(1))!.source;
    expect(Object.keys(meta).filter((k) => k.startsWith('_'))).toEqual([]);
    expect(meta).toMatchObject({ user: 'kim', json: { _id: 'evil', _index: 'other' } });
  });

  it('reports a record the runtime hands over without data as a failed record instead of failing the batch', async () => {
    const { forwarder } = kinesis(freshPrefix('kinesis-broken'));
    const good = kinesisRecord(fluentBitLine({ log: 'fine' }), 7);
    const broken = { ...kinesisRecord('x', 8), kinesis: undefined } as unknown as typeof good;
    const response = await forwardKinesis(
      forwarder,
      { Records: [good, broken] },
      context,
      recordingLogger().log,
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'undefined' }]);
  });
});
