import { deadlineAt } from '../../libs/runtime/deadline';
import { HOUR_MS } from '../../libs/exporter/time';
import { assertCheckpointsAndWindows, assertNothingLost } from './model/checks';
import { Simulation } from './model/simulation';
import { Workload } from './model/workload';

/**
 * The exporter's deadline (libs/runtime/handler.ts: the Lambda's end minus its 15 s reserve)
 * stops optional work, stream pruning, and never the export step or the checkpoints. Driven by
 * the simulation's clock: nothing waits.
 */
describe('the exporter at its deadline', () => {
  async function tenDays(deadlineFor: (sim: Simulation) => ReturnType<typeof deadlineAt> | undefined) {
    const sim = new Simulation({ seed: 11, groups: 2, pruneMode: 'streams', quietLogs: true });
    const workload = new Workload(sim.model, sim.random, { maxLatenessMs: HOUR_MS, lateShare: 0.01 });
    for (let hour = 0; hour < 10 * 24; hour++) {
      sim.advance(HOUR_MS);
      workload.hour(sim.now);
      await sim.run(undefined, deadlineFor(sim));
    }
    return sim;
  }
  const total = (sim: Simulation, field: 'streamsPruned') => sim.summaries.reduce((n, s) => n + s[field], 0);
  const exported = (sim: Simulation) => sim.summaries.flatMap((s) => s.windowsExported);

  it('past its deadline a run still exports and moves its checkpoints, and prunes nothing', async () => {
    const unhurried = await tenDays(() => undefined);
    const late = await tenDays((sim) => deadlineAt(sim.now, () => sim.now));
    expect(total(unhurried, 'streamsPruned')).toBeGreaterThan(20);
    expect(total(late, 'streamsPruned')).toBe(0);
    expect(exported(late)).toEqual(exported(unhurried));
    assertCheckpointsAndWindows(late);
    assertNothingLost(late);
  });

  it('with time left it prunes, and a run that met its deadline leaves the rest to the next', async () => {
    const late = await tenDays((sim) => deadlineAt(sim.now, () => sim.now));
    // The next runs have time: what was left due is pruned then.
    for (let hour = 0; hour < 3; hour++) {
      late.advance(HOUR_MS);
      await late.run(
        undefined,
        deadlineAt(late.now + 1, () => late.now),
      );
    }
    expect(total(late, 'streamsPruned')).toBeGreaterThan(20);
    assertNothingLost(late);
  });
});
