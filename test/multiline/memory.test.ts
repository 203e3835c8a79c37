import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import type { CloudWatchLogEvent } from '../../libs/forwarding/decoding/subscription';
import {
  multilineForGroup,
  ObjectJoin,
  PART_OVERHEAD_BYTES,
  StreamJoin,
} from '../../libs/forwarding/multiline';
import { rulesFileFromText } from '../../libs/forwarding/rules-file';
import { eventId, logsData } from '../support/subscription';

// The object join's bound is only as good as its estimate of what a held part costs. The full
// scale (400 streams, maxLines 10000, the split CLI's peak RSS) is `npm run bench -- multiline-memory`.

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const [rule] = rulesFileFromText(
  JSON.stringify({
    multiline: [{ name: 'traces', logGroups: ['/ecs/*'], start: '^\\d{4}-', maxLines: 10000 }],
  }),
  'memory.json',
).multiline;

/** Events as the splitter has them: parsed from JSON, one-character continuation lines. */
const parsedEvents = (stream: number, count: number, from = 0): CloudWatchLogEvent[] =>
  JSON.parse(
    JSON.stringify(
      Array.from({ length: count }, (_, i) => from + i).map((n) => ({
        id: eventId(n, 1000000000 + stream),
        timestamp: 1732122743505 + n,
        message: n === 0 ? '2024-11-20 17:12:23.512 ERROR request failed' : 'x',
      })),
    ),
  ) as CloudWatchLogEvent[];

describe('what the object join holds', () => {
  it(`costs no more than its estimate (${PART_OVERHEAD_BYTES} bytes a part besides the line) on the heap`, () => {
    const streams = 20;
    const perStream = 5000;
    const out: CloudWatchLogEvent[] = [];
    /** Builds the joins, then measures what releasing them frees. */
    const measure = (): { estimated: number; held: number } => {
      const joins = Array.from({ length: streams }, () => new StreamJoin(rule!));
      const batches = Array.from({ length: streams }, (_, stream) => parsedEvents(stream, perStream));
      joins.forEach((join, i) => join.add(batches[i]!, out));
      batches.length = 0; // the joins alone hold the events now
      const estimated = joins.reduce((sum, join) => sum + join.heldBytes, 0);
      gc();
      const withJoins = process.memoryUsage().heapUsed;
      // What the joins hold is what releasing them frees: a difference of two heaps measured
      // right after a collection, so garbage made before (module loading, jest) cannot count for
      // or against them (measured from a heap taken before the joins, it once came out negative).
      joins.length = 0;
      gc();
      return { estimated, held: withJoins - process.memoryUsage().heapUsed };
    };
    // Anything else the worker allocates between the two collections (jest's messages on a busy
    // machine) counts as held; it only ever adds, so the smallest of three runs is the closest.
    const runs = [measure(), measure(), measure()];
    const estimated = runs[0]!.estimated;
    const held = Math.min(...runs.map((run) => run.held));
    expect(out).toEqual([]);
    // Measured on Node 20: 146 bytes a part (one-character lines); the estimate must not fall short.
    expect(held).toBeLessThan(estimated);
    expect(held).toBeGreaterThan(estimated / 3); // and means something
  });

  it('keeps its estimate under maxHeldBytes, and its open groups under maxStreams, whatever comes', () => {
    const limits = { maxStreams: 50, maxHeldBytes: 256 * 1024 };
    const join = new ObjectJoin(multilineForGroup([rule!])!, limits);
    let closed = 0;
    for (let round = 0; round < 40; round++)
      for (let stream = 0; stream < 80; stream++) {
        const events = parsedEvents(stream, 25, round * 25);
        const ready = join.add(logsData(events, { logGroup: '/ecs/orders', logStream: `s${stream}` }));
        closed += ready.length;
        expect(join.holding.heldBytes).toBeLessThanOrEqual(limits.maxHeldBytes);
        expect(join.holding.openGroups).toBeLessThanOrEqual(limits.maxStreams);
      }
    expect(closed).toBeGreaterThan(0);
    expect(join.holding.seenRanges).toBe(40 * 80);
  });
});
