import type { PruneMode } from '../../libs/exporter/config';
import { HOUR_MS } from '../../libs/exporter/time';
import { assertArchiveReadsOnce, assertCheckpointsAndWindows, assertNothingLost } from './model/checks';
import { Simulation } from './model/simulation';
import { Workload } from './model/workload';

/**
 * Producers that deliver late (agents catching up, buffered retries, batch jobs logging with
 * the event's own time) put events into windows that were already exported. Neither retention
 * nor stream pruning may remove them before a follow-up export has them.
 */
describe('late events under pruning', () => {
  it.each<[PruneMode, 'retention' | 'stream-deleted']>([
    ['both', 'stream-deleted'],
    ['retention', 'retention'],
  ])(
    'loses nothing over 45 days with 3%% of events 1-48 h late and EXPORT_PRUNE_MODE=%s',
    async (pruneMode, removedBy) => {
      const sim = new Simulation({ seed: 18, groups: 3, pruneMode, quietLogs: true });
      const workload = new Workload(sim.model, sim.random, {
        minLatenessMs: HOUR_MS,
        maxLatenessMs: 48 * HOUR_MS,
        lateShare: 0.03,
      });
      for (let hour = 0; hour < 45 * 24; hour++) {
        sim.advance(HOUR_MS);
        workload.hour(sim.now);
        await sim.run();
      }
      expect(sim.model.deleted.filter((d) => d.how === removedBy).length).toBeGreaterThan(1000);
      expect(assertNothingLost(sim)).toBeGreaterThan(1000);
      assertCheckpointsAndWindows(sim);
      // Follow-ups re-export on-time events of late streams too; read without them, the archive
      // holds every event exactly once.
      expect(assertArchiveReadsOnce(sim).duplicateLines).toBeGreaterThan(0);
    },
  );
});
