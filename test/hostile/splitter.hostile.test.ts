import fc from 'fast-check';
import v8 from 'node:v8';
import vm from 'node:vm';
import { gzipSync } from 'node:zlib';
import { loadDocumentStep } from '../../libs/forwarding/pipeline/document-step';
import { createPipeline } from '../../libs/forwarding/pipeline/pipeline';
import { SplitFaultError } from '../../libs/splitter/errors';
import { splitStream } from '../../libs/splitter/split-stream';
import { eventId, logsData } from '../support/subscription';
import { multiMember, record, split } from '../splitter/support';
import { deepObject, flood, mixedPayload, type PlannedEvent } from './generators';
import { freshPrefix, recordingLogger, s3DeadLetters, usePeers } from './support';
import { testInvocation } from '../support/lambda';

const context = testInvocation({ remainingMs: 60000 });
const peers = usePeers();
const s3 = peers.s3;
let seed = 3000000000;
const MiB = 1024 * 1024;

async function* once(bytes: Buffer): AsyncGenerator<Buffer> {
  yield bytes;
}

describe('Firehose objects mixing good and poison events', () => {
  it('index every good event once and dead-letter every poison event with its reason, to the end of the object', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mixedPayload, { minLength: 1, maxLength: 3 }), async (payloads) => {
        const letters = s3DeadLetters(s3, freshPrefix('splitter-property'));
        const forwarder = createPipeline(
          { DESTINATION_URL: peers.server.url, BATCH_MAX_DOCS: '4' },
          { deadLetters: letters.sink },
        );
        const ids: string[][] = [];
        const records = payloads.map((planned: PlannedEvent[]) => {
          seed++;
          const list = planned.map((_, i) => eventId(i, seed));
          ids.push(list);
          return logsData(planned.map((p, i) => ({ ...p.event, id: list[i] }) as never));
        });
        const delivery = forwarder.openDelivery(context.deadline, recordingLogger().log);
        const stats = await splitStream(once(multiMember(records)), {
          source: { uri: 's3://raw/key', bucket: 'raw', key: 'key', writtenAt: new Date() },
          documents: forwarder.documents,
          maxRecordBytes: 16 * MiB,
          sink: delivery,
        });
        const report = await delivery.close();
        const planned = payloads.flat();
        const poison = planned.filter((p) => p.kind === 'poison').length;
        expect(stats).toMatchObject({ records: payloads.length, documents: planned.length - poison });
        expect(report).toMatchObject({
          delivered: planned.length - poison,
          rejected: poison,
          dead_lettered: poison,
        });
        const dead = await letters.entries();
        payloads.forEach((list, n) =>
          list.forEach((p, i) => {
            const id = ids[n]![i]!;
            if (p.kind === 'good') expect(peers.server.creations.get(id)).toBe(1);
            else expect(dead.find((d) => (d.event as { id: string }).id === id)!.reason).toMatch(p.reason!);
          }),
        );
      }),
      { numRuns: 15 },
    );
  });
});

describe('hostile lines and layers', () => {
  it('a deep JSON line is indexed as text; a line in year 10000 of the index time zone is dead-lettered with its offset', async () => {
    const documents = loadDocumentStep({ INDEX_TIMEZONE: 'Asia/Seoul' });
    const lines = ['first', deepObject(5000), '9999-12-31T20:00:00Z\tnew year in Seoul', 'last'].join('\n');
    const out = await split(Buffer.from(lines + '\n'), { documents });
    expect(out.error).toBeUndefined();
    expect(out.docs.map((d) => d._source.message)).toEqual(['first', deepObject(5000), 'last']);
    expect(out.docs[1]!._source.json).toBeUndefined();
    expect(out.rejected).toHaveLength(1);
    expect(out.rejected[0]!.reason).toMatch(
      /TimeRangeError: time \d+ is outside years 0000-9999 in Asia\/Seoul/,
    );
    expect(out.rejected[0]!.event).toMatchObject({ offset: lines.indexOf('9999') });
  });

  it('rejects gzip inside the third layer clearly instead of indexing binary', async () => {
    const text = Buffer.from(JSON.stringify(record(0, ['a'])));
    const layers = (n: number) => Array.from({ length: n }).reduce<Buffer>((b) => gzipSync(b), text);
    const three = await split(layers(3));
    expect(three.error).toBeUndefined();
    expect(three.docs).toHaveLength(1);
    const four = await split(layers(4));
    expect(four.docs).toEqual([]);
    expect(four.error).toBeInstanceOf(SplitFaultError);
    expect((four.error as Error).message).toContain('more than 3 gzip layers');
  });
});

describe('whitespace floods', () => {
  // The heap's external memory after a full collection: what the splitter still holds.
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const held = () => {
    gc();
    return process.memoryUsage().arrayBuffers;
  };

  it.each([
    ['newlines', '\n'],
    ['spaces and newlines', ' \n'],
  ])('%s before the first record are never held', async (_name, byte) => {
    const before = held();
    let peak = 0;
    const body = flood(byte, 48 * MiB, Buffer.from(JSON.stringify(record(0, ['after the flood']))), (n) => {
      if (n % 64 === 0) peak = Math.max(peak, held() - before);
    });
    const out = await split(body);
    expect(out.error).toBeUndefined();
    expect(out.docs.map((d) => d._source.message)).toEqual(['after the flood']);
    expect(peak).toBeLessThan(8 * MiB); // held, the flood would be 48 MiB
  });

  it('spaces longer than SPLIT_MAX_RECORD_BYTES before a record are skipped, before a line they are a too-long line', async () => {
    const recordAfter = await split(flood(' ', 3 * MiB, Buffer.from(JSON.stringify(record(0, ['r'])))));
    expect(recordAfter.error).toBeUndefined();
    expect(recordAfter.docs).toHaveLength(1);
    const lineAfter = await split(flood(' ', 3 * MiB, Buffer.from('a plain line\n')));
    expect(lineAfter.error).toBeInstanceOf(SplitFaultError);
    expect((lineAfter.error as SplitFaultError).problem).toBe(`line longer than the maximum of ${MiB} bytes`);
    expect((lineAfter.error as SplitFaultError).offset).toBe(0);
    // Newlines reset the line: blank lines are no events, the line after them is one.
    const blankThenLine = await split(flood(' \n', 3 * MiB, Buffer.from('a plain line\n')));
    expect(blankThenLine.error).toBeUndefined();
    expect(
      blankThenLine.docs.map((d) => [
        d._source.message,
        (d._source.aws as { s3: { offset: number } }).s3.offset,
      ]),
    ).toEqual([['a plain line', 3 * MiB]]);
  });
});
