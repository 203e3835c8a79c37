import fc from 'fast-check';
import { PRUNE_MODES, prunesStreams, setsRetention } from '../../libs/exporter/config';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../libs/exporter/time';
import { assertArchiveReadsOnce, assertCheckpointsAndWindows, assertNothingLost } from './model/checks';
import { Simulation } from './model/simulation';
import { Workload } from './model/workload';

const LAG_MS = 24 * HOUR_MS;

/**
 * Weeks of hourly runs over several log groups with random ingestion (10% of events up to 14
 * days late),
 * failed and cancelled exports, throttling, foreign tasks, a broken bucket policy for a while,
 * overlapping runs and crashes between any two outside calls. After each simulation:
 * nothing deleted was left unexported, checkpoints only moved forward, windows tile the time
 * line, the archive read without follow-up duplicates holds each event once, and once the
 * faults stop every group catches up.
 */
describe('exporter under weeks of faulty hourly runs', () => {
  it('never loses an event and keeps windows contiguous', async () => {
    let deletedChecked = 0;
    let expiredChecked = 0;
    let followUpRuns = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seed: fc.integer(),
          groups: fc.integer({ min: 2, max: 5 }),
          days: fc.integer({ min: 7, max: 14 }),
          pruneMode: fc.constantFrom(...PRUNE_MODES),
          maxWindowHours: fc.constantFrom('12', '24', '72'),
          crashRate: fc.double({ min: 0, max: 0.3, noNaN: true }),
          failureRate: fc.double({ min: 0, max: 0.2, noNaN: true }),
          faultRate: fc.double({ min: 0, max: 0.1, noNaN: true }),
        }),
        async (p) => {
          const sim = new Simulation({
            seed: p.seed,
            groups: p.groups,
            pruneMode: p.pruneMode,
            env: { EXPORT_MAX_WINDOW_HOURS: p.maxWindowHours, EXPORT_RETENTION_DAYS: '3' },
            exportDurationMs: (random) => Math.round((5 + random() * 85) * MINUTE_MS),
            taskFailureRate: p.failureRate,
            quietLogs: true,
          });
          // Late events up to the 14 days CloudWatch accepts, in every mode: follow-up exports
          // must have them before retention or stream pruning removes them.
          const maxLatenessMs = 14 * DAY_MS;
          // Retention stays >= 30 days while windows may still receive events (docs/exporter.md):
          // the retention modes run long enough for it to expire the earliest (late) events.
          const days = setsRetention(p.pruneMode) ? p.days + 10 : p.days;
          const workload = new Workload(sim.model, sim.random, { maxLatenessMs, lateShare: 0.1 });
          const r = sim.random;
          for (let hour = 0; hour < days * 24; hour++) {
            sim.advance(HOUR_MS);
            workload.hour(sim.now);
            if (r() < p.faultRate) sim.model.throttleNext = 1;
            if (r() < p.faultRate / 4) sim.model.bucketPolicyOk = !sim.model.bucketPolicyOk;
            if (r() < p.faultRate) sim.model.startForeignTask(Math.round(r() * HOUR_MS));
            if (r() < p.faultRate) {
              const ours = sim.model.tasks.find(
                (t) => t.status === 'RUNNING' && t.destination !== 'other-bucket',
              );
              if (ours) sim.model.cancel(ours.taskId);
            }
            if (r() < p.faultRate) {
              await Promise.all([sim.run(), sim.run()]); // overlapping invocations
            } else if (r() < p.crashRate) {
              await sim.run({ atCall: 1 + Math.floor(r() * 40), afterEffect: r() < 0.5 });
            } else {
              await sim.run();
            }
          }
          // Faults stop: every group must catch up to within a day of the lag, and soon.
          sim.model.bucketPolicyOk = true;
          sim.model.taskFailureRate = 0;
          const caughtUp = () =>
            [...sim.checkpoints().values()].every((s) => sim.now - s.checkpoint <= LAG_MS + DAY_MS);
          // Follow-ups share the one slot: catching up takes longer with late data everywhere.
          for (let hour = 0; hour < 60 * 24 && !caughtUp(); hour++) {
            sim.advance(HOUR_MS);
            workload.hour(sim.now);
            await sim.run();
          }
          deletedChecked += assertNothingLost(sim);
          const windows = assertCheckpointsAndWindows(sim);
          expect(windows.size).toBe(p.groups);
          if (!caughtUp()) {
            const lags = [...sim.checkpoints().values()].map((s) => [
              s.logGroupName,
              (sim.now - s.checkpoint) / HOUR_MS,
              s.failures,
              s.pending,
            ]);
            throw new Error(
              `not caught up: ${JSON.stringify(lags)} ${JSON.stringify(sim.summaries.slice(-3).map((x) => [x.outcome, x.activeTask]))}`,
            );
          }
          if (prunesStreams(p.pruneMode) && p.crashRate < 0.2) {
            expect(sim.model.deleted.some((d) => d.how === 'stream-deleted')).toBe(true);
          }
          if (p.pruneMode === 'retention')
            expiredChecked += sim.model.deleted.filter((d) => d.how === 'retention').length;
          if (sim.model.tasks.some((t) => t.logStreamNamePrefix !== undefined)) followUpRuns++;
          assertArchiveReadsOnce(sim);
        },
      ),
      { numRuns: 30 },
    );
    expect(deletedChecked).toBeGreaterThan(0);
    // The property is not vacuous: retention did expire events, and follow-ups did run.
    expect(expiredChecked).toBeGreaterThan(0);
    expect(followUpRuns).toBeGreaterThan(0);
  });
});
