import fc from 'fast-check';
import type { CloudWatchLogEvent, CloudWatchLogsData } from '../../libs/forwarding/decoding/subscription';
import {
  multilineForGroup,
  ObjectJoin,
  type JoinedEvent,
  type ObjectJoinLimits,
} from '../../libs/forwarding/multiline';
import { rulesFileFromText } from '../../libs/forwarding/rules-file';
import { eventId, logsData } from '../support/subscription';

// Firehose delivers at least once: an S3 object can hold a payload twice, in any order. The
// splitter's object join must still put every line in exactly one document.

const rulesWith = (maxLines: number) =>
  multilineForGroup(
    rulesFileFromText(
      JSON.stringify({
        multiline: [{ name: 'traces', logGroups: ['/ecs/*'], start: '^S', maxLines }],
        rules: [],
      }),
      'test',
    ).multiline,
  )!;

interface Payload {
  stream: number;
  data: CloudWatchLogsData;
}

/** A stream's events (ids ascending), cut into consecutive payloads at the given points. */
function streamPayloads(stream: number, lines: string[], cuts: number[]): Payload[] {
  const events = lines.map((message, i) => ({
    id: eventId(i, 1000000000 + stream),
    timestamp: 1732122743505 + i,
    message,
  }));
  const bounds = [...new Set([0, ...cuts.map((cut) => cut % lines.length), lines.length])].sort(
    (a, b) => a - b,
  );
  const payloads: Payload[] = [];
  for (let i = 0; i + 1 < bounds.length; i++)
    payloads.push({
      stream,
      data: logsData(events.slice(bounds[i], bounds[i + 1]), {
        logGroup: '/ecs/orders',
        logStream: `task-${stream}`,
      }),
    });
  return payloads;
}

interface Document {
  id: string;
  stream: string;
  message: string;
  partIds: string[];
}

function split(objectPayloads: readonly CloudWatchLogsData[], maxLines: number, limits = {}): Document[] {
  const join = new ObjectJoin(rulesWith(maxLines), limits);
  const ready: CloudWatchLogsData[] = [];
  for (const data of objectPayloads) ready.push(...join.add(data));
  ready.push(...join.flush());
  return ready.flatMap((data) =>
    data.logEvents.map((event) => ({
      id: event.id,
      stream: data.logStream,
      message: event.message,
      partIds: ((event as JoinedEvent).parts ?? [event]).map((part: CloudWatchLogEvent) => part.id),
    })),
  );
}

const line = fc.oneof(
  fc.constantFrom('S start', 'S other', '\tat frame', 'Caused by: x', ''),
  fc.string({ maxLength: 3 }).map((text) => `c${text}`),
);
/** A stream's payloads; sometimes also cut a second way (a sender that batches a retry anew). */
const stream = (index: number) =>
  fc
    .tuple(
      fc.array(line, { minLength: 1, maxLength: 30 }),
      fc.array(fc.nat(), { maxLength: 6 }),
      fc.option(fc.array(fc.nat(), { maxLength: 6 }), { freq: 4 }),
    )
    .map(([lines, cuts, recut]) => [
      ...streamPayloads(index, lines, cuts),
      ...(recut === null ? [] : streamPayloads(index, lines, recut)),
    ]);

/** Objects: 1-3 streams' payloads, each payload once or more, in any order. */
const objects = fc
  .integer({ min: 1, max: 3 })
  .chain((streams) => fc.tuple(...Array.from({ length: streams }, (_, i) => stream(i))))
  .map((perStream) => perStream.flat())
  .chain((payloads) =>
    fc.record({
      payloads: fc.constant(payloads),
      copies: fc.array(fc.integer({ min: 1, max: 3 }), {
        minLength: payloads.length,
        maxLength: payloads.length,
      }),
      order: fc.array(fc.nat(), { minLength: 64, maxLength: 64 }),
      maxLines: fc.constantFrom(2, 3, 500),
    }),
  );

/** The payloads with their copies, shuffled by `order` (Fisher-Yates with the drawn numbers). */
function shuffled(payloads: Payload[], copies: number[], order: number[]): Payload[] {
  const all = payloads.flatMap((payload, i) => Array.from({ length: copies[i]! }, () => payload));
  for (let i = all.length - 1; i > 0; i--) {
    const j = order[i % order.length]! % (i + 1);
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all;
}

const sorted = (documents: Document[]) =>
  [...documents].sort((a, b) => `${a.stream} ${a.id}`.localeCompare(`${b.stream} ${b.id}`));

function expectEveryLineOnce(documents: Document[], payloads: Payload[]): void {
  const expected = [
    ...new Set(
      payloads.flatMap((payload) =>
        payload.data.logEvents.map((event) => `${payload.data.logStream} ${event.id}`),
      ),
    ),
  ];
  const got = documents.flatMap((doc) => doc.partIds.map((id) => `${doc.stream} ${id}`));
  expect(got.sort()).toEqual(expected.sort());
  // One id names one document; a document's lines are in the stream's order.
  expect(new Set(documents.map((doc) => `${doc.stream} ${doc.id}`)).size).toBe(documents.length);
  for (const doc of documents) {
    expect(doc.partIds[0]).toBe(doc.id);
    expect([...doc.partIds].sort()).toEqual(doc.partIds);
  }
}

describe('an object that repeats payloads (Firehose delivers at least once)', () => {
  it('puts every line in exactly one document, whatever repeats in whatever order', () => {
    fc.assert(
      fc.property(objects, ({ payloads, copies, order, maxLines }) => {
        const object = shuffled(payloads, copies, order).map((payload) => payload.data);
        expectEveryLineOnce(split(object, maxLines), payloads);
      }),
      { numRuns: 400 },
    );
  });

  it('still does when the bounds close streams early', () => {
    const limits = fc.record<ObjectJoinLimits>({
      maxStreams: fc.integer({ min: 1, max: 3 }),
      maxHeldBytes: fc.integer({ min: 0, max: 2000 }),
      maxSeenRanges: fc.constant(65536),
    });
    fc.assert(
      fc.property(objects, limits, ({ payloads, copies, order, maxLines }, bounds) => {
        const object = shuffled(payloads, copies, order).map((payload) => payload.data);
        expectEveryLineOnce(split(object, maxLines, bounds), payloads);
      }),
      { numRuns: 300 },
    );
  });

  it('gives the documents of the object without repeats when each repeat comes after its first delivery', () => {
    fc.assert(
      fc.property(objects, fc.array(fc.nat(), { maxLength: 20 }), ({ payloads, maxLines }, picks) => {
        // The payloads in their order, with repeats of earlier payloads inserted anywhere after them.
        const object = payloads.map((payload) => payload.data);
        for (const pick of picks) {
          const at = 1 + (pick % object.length);
          object.splice(at, 0, object[pick % at]!);
        }
        const once = split(
          payloads.map((payload) => payload.data),
          maxLines,
        );
        // The same documents; when each is pushed may differ (a repeat closes nothing early or late).
        expect(sorted(split(object, maxLines))).toEqual(sorted(once));
      }),
      { numRuns: 300 },
    );
  });
});

describe("the issue's objects", () => {
  // One stream: P1 holds a trace's head, P2 its continuation lines, P3 what follows.
  const [p1, p2, p3] = streamPayloads(
    0,
    ['S 1', 'S head', '\tat a', '\tat b', '\tat c', 'Caused by: d', '\tat e', 'S next', 'S last'],
    [2, 5],
  ).map((payload) => payload.data);
  const whole = split([p1!, p2!, p3!], 500);

  it('is one trace without repeats', () => {
    expect(whole.map((doc) => doc.message)).toEqual([
      'S 1',
      'S head\n\tat a\n\tat b\n\tat c\nCaused by: d\n\tat e',
      'S next',
      'S last',
    ]);
  });

  it.each([
    ['P1, P2, P1, P3', [p1, p2, p1, p3]],
    ['P1, P2, P2, P3', [p1, p2, p2, p3]],
    ['P1, P1, P2, P3', [p1, p1, p2, p3]],
    ['P1, P2, P3, P1', [p1, p2, p3, p1]],
    ['P1, P2, P3, P2, P3', [p1, p2, p3, p2, p3]],
  ])('%s gives the same documents', (_, object) => {
    expect(split(object as CloudWatchLogsData[], 500)).toEqual(whole);
  });

  it.each([
    ['P2, P1, P3', [p2, p1, p3]],
    ['P1, P3, P2', [p1, p3, p2]],
    ['P3, P2, P1, P2', [p3, p2, p1, p2]],
  ])('%s (a payload arriving late) loses and doubles no line', (_, object) => {
    const documents = split(object as CloudWatchLogsData[], 500);
    expect(documents.flatMap((doc) => doc.message.split('\n')).sort()).toEqual(
      whole.flatMap((doc) => doc.message.split('\n')).sort(),
    );
  });

  it('past maxSeenRanges, a repeat of a forgotten payload is read again: lines doubled, none lost', () => {
    const documents = split([p1!, p2!, p3!, p1!], 500, { maxSeenRanges: 1 });
    const lines = documents.flatMap((doc) => doc.message.split('\n'));
    for (const expected of whole.flatMap((doc) => doc.message.split('\n'))) expect(lines).toContain(expected);
  });
});
