import { loadExporterConfig } from '../../libs/exporter/config';
import {
  chooseFollowUp,
  commonPrefix,
  batchesToScan,
  isLateFor,
  protectedFrom,
  withFollowUpCompletion,
  withNothingLeftToSettle,
  withScanResult,
} from '../../libs/exporter/late';
import { initialState, settlesAt, withCompletion, WINDOW_HISTORY_LIMIT } from '../../libs/exporter/planning';
import { streamVerdict } from '../../libs/exporter/prune';
import { DAY_MS, HOUR_MS } from '../../libs/exporter/time';
import type { ExportedWindow, GroupState } from '../../libs/exporter/types';

const DAY0 = Date.UTC(2026, 0, 1);
const config = loadExporterConfig({ EXPORT_BUCKET: 'b', EXPORT_LOG_GROUP_NAMES: '/a' });

/** Daily windows from DAY0, each requested `lag` after its end. */
function windows(days: number, lag = DAY_MS): ExportedWindow[] {
  return Array.from({ length: days }, (_, i) => ({
    from: DAY0 + i * DAY_MS,
    to: DAY0 + (i + 1) * DAY_MS - 1,
    taskId: `t${i}`,
    requestedAt: DAY0 + (i + 1) * DAY_MS + lag,
    destinationPrefix: `p/dt=${new Date(DAY0 + i * DAY_MS).toISOString().slice(0, 10)}`,
  }));
}

function state(days: number, extra: Partial<GroupState> = {}): GroupState {
  return {
    ...initialState({ name: '/a', creationTime: DAY0 + 14 * DAY_MS }),
    origin: DAY0,
    checkpoint: DAY0 + days * DAY_MS,
    windows: windows(days),
    ...extra,
  };
}

describe('detecting late streams', () => {
  const window = windows(1)[0]!;
  const onTime = {
    name: 'a',
    firstEventTimestamp: window.from + HOUR_MS,
    lastEventTimestamp: window.to,
    lastIngestionTime: window.to,
  };

  it('flags a stream overlapping the window that ingested after request time - 12 h', () => {
    expect(isLateFor(onTime, window)).toBe(false);
    expect(isLateFor({ ...onTime, lastIngestionTime: window.requestedAt - 11 * HOUR_MS }, window)).toBe(true);
    // Not overlapping: its events cannot be in the window, however late they arrived.
    expect(
      isLateFor(
        { ...onTime, firstEventTimestamp: window.to + 1, lastIngestionTime: window.requestedAt },
        window,
      ),
    ).toBe(false);
    expect(isLateFor({ name: 'empty' }, window)).toBe(false);
  });

  it('scans batches of up to one max window once no window can join them and their last has settled', () => {
    const s = state(3);
    const [w0, w1, w2] = s.windows as [ExportedWindow, ExportedWindow, ExportedWindow];
    expect(batchesToScan(s, settlesAt(w0) - 1, DAY_MS)).toEqual([]);
    expect(batchesToScan(s, settlesAt(w0), DAY_MS)).toEqual([[w0]]);
    // Two days per batch: one follow-up may repeat both, so it waits for the second.
    expect(batchesToScan(s, settlesAt(w0), 2 * DAY_MS)).toEqual([]);
    expect(batchesToScan(s, settlesAt(w2), 2 * DAY_MS)).toEqual([[w0, w1]]);
    expect(batchesToScan(s, settlesAt(w2), 3 * DAY_MS)).toEqual([[w0, w1, w2]]);
    // The checkpoint is inside the span: a window may still join the batch.
    expect(batchesToScan(s, settlesAt(w2) + 9 * DAY_MS, 4 * DAY_MS)).toEqual([]);
  });

  it('takes the common prefix of the late streams, empty when they share nothing', () => {
    expect(commonPrefix(['2026/01/01/[$LATEST]abc', '2026/01/01/[$LATEST]abd'])).toBe(
      '2026/01/01/[$LATEST]ab',
    );
    expect(commonPrefix(['app-1'])).toBe('app-1');
    expect(commonPrefix(['a', 'b'])).toBe('');
  });
});

describe('follow-up bookkeeping', () => {
  it('settles dates without late streams and queues one follow-up per date with them', () => {
    const s = state(3);
    const next = withScanResult(s, [
      { windows: [s.windows[0]!], lateStreams: [] },
      { windows: [s.windows[1]!], lateStreams: ['app-1', 'app-12'] },
    ]);
    expect(next.windows.map((w) => w.settled)).toEqual([true, undefined, undefined]);
    expect(next.pruneDue).toBe(true);
    expect(next.followUps).toEqual([
      expect.objectContaining({
        from: s.windows[1]!.from,
        to: s.windows[1]!.to,
        destinationPrefix: s.windows[1]!.destinationPrefix,
        logStreamNamePrefix: 'app-1',
        lateStreams: 2,
      }),
    ]);
    // Queued: the date is not scanned again; retention keeps the oldest unsettled window.
    expect(batchesToScan(next, settlesAt(s.windows[2]!), DAY_MS)).toEqual([[next.windows[2]]]);
    expect(protectedFrom(next)).toBe(s.windows[1]!.from);
    expect(protectedFrom(s)).toBe(s.windows[0]!.from);
  });

  it('settles the windows of a verified follow-up and drops it from the queue', () => {
    const queued = withScanResult(state(2), [{ windows: [state(2).windows[0]!], lateStreams: ['x'] }]);
    const f = queued.followUps![0]!;
    const pending = {
      taskName: 'n',
      from: f.from,
      to: f.to,
      destinationPrefix: f.destinationPrefix,
      requestedAt: settlesAt(f),
      taskId: '9',
      followUp: true,
      logStreamNamePrefix: 'x',
    };
    const done = withFollowUpCompletion({ ...queued, pending, failures: 2 });
    expect(done.followUps).toEqual([]);
    expect(done.windows.map((w) => w.settled)).toEqual([true, undefined]);
    expect(done).toMatchObject({ failures: 0, pruneDue: true, checkpoint: queued.checkpoint });
    expect(done.pending).toBeUndefined();
    expect(() => withCompletion({ ...queued, pending }, '9')).toThrow(); // never moves the checkpoint
  });

  it('puts the oldest queued follow-up ahead, skipping groups busy or backing off', () => {
    const followUp = (from: number) => ({
      from,
      to: from + DAY_MS - 1,
      destinationPrefix: 'p',
      logStreamNamePrefix: 's',
      lateStreams: 1,
      sample: ['s'],
    });
    const a = state(20, { logGroupName: '/a', followUps: [followUp(DAY0 + 2 * DAY_MS)] });
    const b = state(20, { logGroupName: '/b', followUps: [followUp(DAY0 + DAY_MS)] });
    const backingOff = {
      ...state(20, { logGroupName: '/c', followUps: [followUp(DAY0)] }),
      failures: 3,
      lastFailure: { at: DAY0 + 20 * DAY_MS, status: 'FAILED' },
    };
    expect(chooseFollowUp([a, b, backingOff], DAY0 + 20 * DAY_MS)?.state.logGroupName).toBe('/b');
    expect(chooseFollowUp([a, backingOff], DAY0 + 21 * DAY_MS)?.state.logGroupName).toBe('/c');
    expect(chooseFollowUp([state(20)], DAY0 + 20 * DAY_MS)).toBeUndefined();
  });

  it('keeps every unsettled window in the history, however long it gets', () => {
    let s = initialState({ name: '/a', creationTime: DAY0 });
    for (let i = 0; i < WINDOW_HISTORY_LIMIT + 50; i++) {
      const from = s.checkpoint;
      // Hourly windows requested right away: none settles on export.
      s = withCompletion(
        {
          ...s,
          pending: {
            taskName: 't',
            from,
            to: from + HOUR_MS - 1,
            destinationPrefix: 'p',
            requestedAt: from + 2 * HOUR_MS,
          },
        },
        `t${i}`,
      );
    }
    expect(s.windows).toHaveLength(WINDOW_HISTORY_LIMIT + 50);
    expect(protectedFrom(s)).toBe(s.origin);
  });

  it('marks a window requested after it settles (a backlog) as settled at once', () => {
    const s = initialState({ name: '/a', creationTime: DAY0 });
    const from = s.checkpoint;
    const to = from + DAY_MS - 1;
    const early = withCompletion(
      { ...s, pending: { taskName: 't', from, to, destinationPrefix: 'p', requestedAt: to + 1 + DAY_MS } },
      'a',
    );
    const late = withCompletion(
      { ...s, pending: { taskName: 't', from, to, destinationPrefix: 'p', requestedAt: settlesAt({ to }) } },
      'b',
    );
    expect(early.windows[0]!.settled).toBeUndefined();
    expect(late.windows[0]!.settled).toBe(true);
  });
});

describe('checkpoints written before windows could settle', () => {
  it('settles windows requested after they settled, and windows CloudWatch has already expired', () => {
    const s = state(20);
    const now = DAY0 + 40 * DAY_MS;
    expect(withNothingLeftToSettle(s, now, undefined)).toBe(s);
    const byRetention = withNothingLeftToSettle(s, now, 30);
    // Days 0-9 end before now - 30 days: nothing of them is left in CloudWatch to export.
    expect(byRetention.windows.map((w) => w.settled === true)).toEqual(
      Array.from({ length: 20 }, (_, i) => i < 10),
    );
    const backlog = { ...s, windows: [{ ...s.windows[0]!, requestedAt: settlesAt(s.windows[0]!) }] };
    expect(withNothingLeftToSettle(backlog, now, undefined).windows[0]!.settled).toBe(true);
  });
});

describe('stream pruning with late events', () => {
  const s = state(10);
  const stream = {
    name: 'a',
    creationTime: DAY0 + 2 * DAY_MS,
    firstEventTimestamp: DAY0 + 2 * DAY_MS,
    lastEventTimestamp: DAY0 + 4 * DAY_MS,
    // Arrived 6 h before the window of day 3 was requested: too late for days 2 and 3.
    lastIngestionTime: DAY0 + 5 * DAY_MS - 6 * HOUR_MS,
  };

  it('checks every window the stream overlaps, not only its first one', () => {
    const firstSettled = { ...s, windows: s.windows.map((w, i) => (i === 2 ? { ...w, settled: true } : w)) };
    expect(streamVerdict(stream, firstSettled, config)).toBe('ingested-after-export');
  });

  it('lets the stream go once every window it overlaps is settled', () => {
    const settled = {
      ...s,
      windows: s.windows.map((w, i) => (i >= 2 && i <= 4 ? { ...w, settled: true } : w)),
    };
    expect(streamVerdict(stream, settled, config)).toBe('delete');
  });
});
