/**
 * Exporter catch-up, on the CloudWatch Logs model (test/export/model): 50 log groups with
 * 30 days of backlog, one export slot per account, each export taking a random 5-60 minutes.
 * For several schedule rates and maximum windows it prints the scheduled runs until every
 * group has caught up (its latest window reached now - lag), beside the lower bound for that
 * schedule: 1 + sum(ceil(duration / rate)) over the tasks, i.e. every run that finds the slot
 * free starts the next task. Deterministic (seeded), so the numbers are comparable run to run.
 */
import { DAY_MS, floorTo, HOUR_MS, MINUTE_MS } from '../libs/exporter/time';
import type { PruneMode } from '../libs/exporter/config';
import { fiveToSixtyMinutes, Simulation } from '../test/export/model/simulation';
import { Workload } from '../test/export/model/workload';

const GROUPS = 50;
const BACKLOG_DAYS = 30;
const LAG_MS = 24 * HOUR_MS;
const START = Date.UTC(2026, 0, 1);
/** Give up after this much simulated time: by then the schedule is hopeless ("months"). */
const GIVE_UP_MS = 90 * DAY_MS;

interface Result {
  runs: number;
  bound: number;
  tasks: number;
  minTasks: number;
  wastedRuns: number;
  days: number;
  gaveUp: boolean;
}

/** A group has caught up once a window of it was cut short by now - lag rather than by the max. */
function caughtUp(window: { to: number }, requestedAt: number): boolean {
  return window.to + 1 === floorTo(requestedAt - LAG_MS, HOUR_MS);
}

/** 50 groups with a 30-day backlog, one export slot, exports of 5-60 minutes. */
function backlogSimulation(seed: number, maxWindowHours: number, pruneMode: PruneMode = 'none'): Simulation {
  return new Simulation({
    seed,
    groups: GROUPS,
    pruneMode,
    start: START,
    // origin = creation - 14 days, so groups created 16 days ago have 30 days to export.
    groupCreatedAt: -(BACKLOG_DAYS - 14) * DAY_MS,
    exportDurationMs: fiveToSixtyMinutes,
    pageSize: 50,
    quietLogs: true,
    env: { EXPORT_MAX_WINDOW_HOURS: String(maxWindowHours) },
  });
}

async function simulate(rateMs: number, maxWindowHours: number): Promise<Result> {
  const sim = backlogSimulation(2026, maxWindowHours);
  const done = new Set<string>();
  let runs = 0;
  let wastedRuns = 0;
  while (done.size < GROUPS && sim.now - START < GIVE_UP_MS) {
    runs++;
    const summary = (await sim.run())!;
    if (summary.outcome !== 'started' && summary.outcome !== 'export-running') wastedRuns++;
    for (const window of summary.windowsExported) {
      const task = sim.model.tasks[Number(window.taskId) - 1]!; // the model numbers tasks 1, 2, ...
      if (caughtUp(window, task.createdAt)) done.add(window.logGroupName);
    }
    if (done.size < GROUPS) sim.advance(rateMs);
  }
  // Tasks that finished by the last run; the one the last run started is not part of catching up.
  const durations = sim.model.tasks.filter((t) => t.doneAt <= sim.now).map((t) => t.doneAt - t.createdAt);
  const bound = 1 + durations.reduce((sum, d) => sum + Math.ceil(d / rateMs), 0);
  return {
    runs,
    bound,
    tasks: durations.length,
    minTasks: GROUPS * Math.ceil((BACKLOG_DAYS * DAY_MS) / (maxWindowHours * HOUR_MS)),
    wastedRuns,
    days: ((runs - 1) * rateMs) / DAY_MS,
    gaveUp: done.size < GROUPS,
  };
}

export async function run(): Promise<void> {
  console.log(
    `${GROUPS} log groups, ${BACKLOG_DAYS} days of backlog, one export slot, exports take 5-60 min (random, seeded)`,
  );
  console.log(
    'rate      max window  runs   lower bound  tasks (min at start)  runs without a start  catch-up',
  );
  const rates: Array<[string, number]> = [
    ['1 hour', HOUR_MS],
    ['15 min', 15 * MINUTE_MS],
    ['10 min', 10 * MINUTE_MS],
    ['5 min', 5 * MINUTE_MS],
  ];
  const plans: Array<[number, Array<[string, number]>]> = [
    // One day per task cannot keep up with 50 groups writing a day each per day: shown once.
    [24, [rates[0]!, rates[2]!]],
    [168, rates],
    [60 * 24, rates],
  ];
  for (const [maxWindowHours, planRates] of plans) {
    for (const [label, rateMs] of planRates) {
      const r = await simulate(rateMs, maxWindowHours);
      console.log(
        [
          label.padEnd(9),
          `${maxWindowHours} h`.padEnd(11),
          String(r.runs).padStart(5),
          (r.gaveUp ? '-' : String(r.bound)).padStart(12),
          `${r.tasks} (${r.minTasks})`.padStart(21),
          String(r.wastedRuns).padStart(21),
          (r.gaveUp ? `not after ${GIVE_UP_MS / DAY_MS} days` : `${r.days.toFixed(1)} days`).padStart(10),
        ].join(' '),
      );
    }
  }
  console.log(
    'lower bound = 1 + sum(ceil(task duration / rate)): every run that finds the slot free starts a task',
  );
  const steady = await steadyStateLag(10 * MINUTE_MS, 168);
  console.log(
    `after catching up (rate 10 min, max window 168 h), a week of steady state: max checkpoint lag ` +
      `${steady.toFixed(1)} h (lag ${LAG_MS / HOUR_MS} h + time between two exports of a group)`,
  );
  const late = await steadyStateWithLateData(10 * MINUTE_MS, 168);
  console.log(
    `with producers writing (3% of events 1-48 h late, mode both), days 10-35: max checkpoint lag ` +
      `${late.maxLagHours.toFixed(1)} h; last week ${late.tasksPerDay.toFixed(1)} tasks/day of which ` +
      `${late.followUpsPerDay.toFixed(1)} follow-ups; retention ${late.retentionDays.join('-')} days`,
  );
}

/**
 * Catch up, then run with producers writing (3% of events 1-48 h late) until windows settle and
 * follow-ups run: what follow-ups cost the one slot, and the retention the exporter then holds.
 */
async function steadyStateWithLateData(rateMs: number, maxWindowHours: number) {
  const sim = backlogSimulation(7, maxWindowHours, 'both');
  const workload = new Workload(sim.model, sim.random, {
    minLatenessMs: HOUR_MS,
    maxLatenessMs: 48 * HOUR_MS,
    lateShare: 0.03,
  });
  const caughtUpBy = START + 10 * DAY_MS;
  const end = caughtUpBy + 25 * DAY_MS;
  let maxLag = 0;
  let lastHour = floorTo(sim.now, HOUR_MS);
  while (sim.now < end) {
    const summary = (await sim.run())!;
    if (sim.now >= caughtUpBy) maxLag = Math.max(maxLag, ...Object.values(summary.lagMsByGroup));
    sim.advance(rateMs);
    for (; lastHour + HOUR_MS <= sim.now; lastHour += HOUR_MS) workload.hour(lastHour + HOUR_MS);
  }
  const recent = sim.model.tasks.filter((t) => t.createdAt >= end - 7 * DAY_MS);
  const followUps = recent.filter((t) => t.logStreamNamePrefix !== undefined);
  const retention = [...sim.model.groups.values()].map((g) => g.retentionInDays ?? 0);
  return {
    maxLagHours: maxLag / HOUR_MS,
    tasksPerDay: recent.length / 7,
    followUpsPerDay: followUps.length / 7,
    retentionDays: [Math.min(...retention), Math.max(...retention)],
  };
}

/** Catch up, then run a week more and report the largest checkpoint lag: what the alarm must allow. */
async function steadyStateLag(rateMs: number, maxWindowHours: number): Promise<number> {
  const sim = backlogSimulation(7, maxWindowHours);
  const caughtUpBy = START + 10 * DAY_MS;
  let maxLag = 0;
  while (sim.now < caughtUpBy + 7 * DAY_MS) {
    const summary = (await sim.run())!;
    if (sim.now >= caughtUpBy) maxLag = Math.max(maxLag, ...Object.values(summary.lagMsByGroup));
    sim.advance(rateMs);
  }
  return maxLag / HOUR_MS;
}
