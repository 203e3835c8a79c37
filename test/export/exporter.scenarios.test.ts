import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../libs/exporter/time';
import type { LogsApi } from '../../libs/exporter/types';
import { assertArchiveReadsOnce, assertCheckpointsAndWindows, assertNothingLost } from './model/checks';
import { groupName, Simulation } from './model/simulation';

const tenMinutes = () => 10 * MINUTE_MS;

function sim(overrides: Partial<ConstructorParameters<typeof Simulation>[0]> = {}): Simulation {
  return new Simulation({
    seed: 7,
    groups: 2,
    pruneMode: 'none',
    exportDurationMs: tenMinutes,
    ...overrides,
  });
}

describe('one run at a time', () => {
  it('starts one task for the group furthest behind, then waits for it without sleeping', async () => {
    const s = sim();
    const first = await s.run();
    expect(first?.outcome).toBe('started');
    expect(first?.started?.logGroupName).toBe(groupName(0));
    const task = s.model.tasks[0]!;
    expect(task.destinationPrefix).toBe('cloudwatch-exports/app/service-00/dt=2025-12-18');
    expect(task.to - task.from + 1).toBe(DAY_MS);

    expect((await s.run())?.outcome).toBe('export-running'); // same instant: still PENDING
    s.advance(HOUR_MS);
    const third = await s.run();
    expect(third?.windowsExported).toEqual([
      { logGroupName: groupName(0), from: task.from, to: task.to, taskId: task.taskId },
    ]);
    expect(third?.started?.logGroupName).toBe(groupName(1));
    expect(s.checkpoints().get(groupName(0))?.checkpoint).toBe(task.to + 1);
    assertCheckpointsAndWindows(s);
  });

  it('ends the run when a task that is not ours holds the slot', async () => {
    const s = sim();
    s.model.startForeignTask(HOUR_MS);
    const summary = await s.run();
    expect(summary?.outcome).toBe('slot-held-by-other-task');
    expect(summary?.activeTask?.ours).toBe(false);
    expect(s.model.tasks).toHaveLength(1);
  });

  it('retries a FAILED window from the same checkpoint and reports repeated failure', async () => {
    const s = sim({ groups: 1, taskFailureRate: 1 });
    await s.run();
    s.advance(HOUR_MS);
    const second = await s.run();
    s.advance(HOUR_MS);
    const third = await s.run();
    expect(second?.failures[0]).toMatchObject({ status: 'FAILED', consecutive: 1 });
    expect(third?.failures[0]).toMatchObject({ status: 'FAILED', consecutive: 2 });
    const [a, b, c] = s.model.tasks;
    expect(b!.from).toBe(a!.from);
    expect(c!.from).toBe(a!.from);
    expect(
      s.logLines.some((line) => line.includes('"level":"warn"') && line.includes('"repeated_failures":1')),
    ).toBe(true);
    // The third attempt (already created) fails too; after that the group backs off an hour.
    s.model.taskFailureRate = 0;
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) {
      s.advance(HOUR_MS);
      outcomes.push((await s.run())!.outcome);
    }
    expect(outcomes).toEqual(['idle', 'started', 'started', 'started']);
    expect(s.checkpoints().get(groupName(0))!.checkpoint).toBe(a!.to + 1 + DAY_MS);
  });

  it('names the bucket policy the logs service needs, and carries on once it is fixed', async () => {
    const s = sim();
    s.model.bucketPolicyOk = false;
    const summary = await s.run();
    expect(summary?.outcome).toBe('bucket-policy');
    expect(summary?.fatal?.name).toBe('BucketPolicyError');
    expect(summary?.fatal?.message).toMatch(/logs\.us-east-1\.amazonaws\.com s3:GetBucketAcl/);
    expect(summary?.fatal?.message).toMatch(/aws:SourceAccount=123456789012/);
    s.model.bucketPolicyOk = true;
    expect((await s.run())?.outcome).toBe('started');
  });

  it('gives the slot back cleanly when CreateExportTask is throttled or loses a race', async () => {
    const s = sim();
    s.model.throttleNext = 1;
    expect((await s.run())?.outcome).toBe('throttled');
    expect(s.checkpoints().get(groupName(0))?.pending).toBeUndefined();
    const racing: LogsApi = Object.create(s.model);
    racing.createExportTask = async (input) => {
      s.model.startForeignTask(HOUR_MS); // someone else got there between our listing and our create
      return s.model.createExportTask(input);
    };
    const s2 = sim();
    const summary = await (async () => {
      const { runExporter } = await import('../../libs/exporter/run');
      return runExporter(s2.config, {
        logs: { ...bind(s2.model), createExportTask: racing.createExportTask },
        objects: s2.s3,
        clock: () => s2.now,
        log: new (await import('../../libs/runtime/logger')).Logger({}, 'error', { write: () => 0 }),
        emitMetric: () => undefined,
      });
    })();
    expect(summary.outcome).toBe('slot-taken');
  });
});

function bind(model: LogsApi): LogsApi {
  return {
    describeLogGroups: (i) => model.describeLogGroups(i),
    describeExportTasks: (i) => model.describeExportTasks(i),
    createExportTask: (i) => model.createExportTask(i),
    describeLogStreams: (i) => model.describeLogStreams(i),
    deleteLogStream: (i) => model.deleteLogStream(i),
    putRetentionPolicy: (i) => model.putRetentionPolicy(i),
  };
}

describe('interrupted and overlapping runs', () => {
  it('finds a task created just before the Lambda timed out and advances exactly once', async () => {
    const s = sim({ groups: 1 });
    // Calls: DescribeLogGroups, GetObject, PutObject(create), 3x DescribeExportTasks, PutObject(intent), CreateExportTask.
    expect(await s.run({ atCall: 8, afterEffect: true })).toBeUndefined();
    expect(s.model.tasks).toHaveLength(1);
    expect(s.checkpoints().get(groupName(0))?.pending?.taskId).toBeUndefined();
    expect((await s.run())?.outcome).toBe('export-running');
    s.advance(HOUR_MS);
    const summary = await s.run();
    expect(summary?.windowsExported).toHaveLength(1);
    expect(s.model.tasks).toHaveLength(2); // the next window, not a duplicate of the first
    assertCheckpointsAndWindows(s);
  });

  it('lets only one of two simultaneous runs start a task', async () => {
    const s = sim({ groups: 3 });
    const [a, b] = await Promise.all([s.run(), s.run()]);
    expect([a?.outcome, b?.outcome].filter((o) => o === 'started')).toHaveLength(1);
    expect(s.model.tasks).toHaveLength(1);
    expect(s.checkpoints().size).toBe(3);
  });

  it('survives a log group deleted while its export runs, and starts over when it is recreated', async () => {
    const s = sim();
    await s.run();
    s.model.deleteLogGroup(groupName(0));
    s.advance(HOUR_MS);
    const summary = await s.run();
    expect(summary?.errors).toEqual([]);
    expect(summary?.groups).toBe(1);
    s.model.createLogGroup(groupName(0));
    s.advance(HOUR_MS);
    await s.run();
    const state = s.checkpoints().get(groupName(0))!;
    expect(state.groupCreationTime).toBe(s.now - HOUR_MS);
    expect(state.checkpoint).toBe(state.origin);
  });
});

describe('pruning and dry run', () => {
  it('deletes old finished streams only after their windows are exported, and never loses events', async () => {
    const s = sim({ groups: 1, pruneMode: 'streams', env: { EXPORT_MAX_WINDOW_HOURS: '168' } });
    for (let day = 0; day < 20; day++) {
      s.model.putLogEvents(groupName(0), `day-${day}`, [{ id: `e-${day}`, timestamp: s.now - 1 }]);
      for (let hour = 0; hour < 24; hour++) {
        s.advance(HOUR_MS);
        await s.run();
      }
    }
    const deleted = s.model.deleted.filter((d) => d.how === 'stream-deleted');
    expect(deleted.length).toBeGreaterThan(10);
    expect(assertNothingLost(s)).toBe(deleted.length);
    expect(s.model.groups.get(groupName(0))!.streams.has('day-19')).toBe(true);
  });

  it('keeps a stream that received an event after its window was exported until a follow-up has it', async () => {
    const s = sim({ groups: 1, pruneMode: 'streams' });
    const lastHourOf2025 = s.now - 1;
    s.model.putLogEvents(groupName(0), 'app-1', [{ id: 'early', timestamp: lastHourOf2025 }]);
    let keptUntilSettled = false;
    for (let hour = 0; hour < 24 * 20; hour++) {
      // 30 h late: the window of 2025-12-31 was requested about 6 h before.
      if (hour === 30)
        s.model.putLogEvents(groupName(0), 'app-1', [{ id: 'late', timestamp: lastHourOf2025 - 1 }]);
      s.advance(HOUR_MS);
      await s.run();
      // That window settles 14.5 days after its end: the stream stays at least till then.
      if (hour === 24 * 14) keptUntilSettled = s.model.groups.get(groupName(0))!.streams.has('app-1');
    }
    expect(keptUntilSettled).toBe(true);
    const followUps = s.model.tasks.filter((t) => t.logStreamNamePrefix !== undefined);
    expect(followUps).toHaveLength(1);
    expect(followUps[0]).toMatchObject({ logStreamNamePrefix: 'app-1', status: 'COMPLETED' });
    expect(s.model.groups.get(groupName(0))!.streams.has('app-1')).toBe(false);
    expect(assertNothingLost(s)).toBe(2);
  });

  it('exports late streams by prefix, which may match more streams: duplicates the reader can skip', async () => {
    const s = sim({ groups: 1, pruneMode: 'none' });
    const lastHourOf2025 = s.now - 1;
    for (const stream of ['app-1', 'app-12', 'web-1']) {
      s.model.putLogEvents(groupName(0), stream, [{ id: `${stream}-on-time`, timestamp: lastHourOf2025 }]);
    }
    for (let hour = 0; hour < 24 * 17; hour++) {
      if (hour === 30)
        s.model.putLogEvents(groupName(0), 'app-1', [{ id: 'late', timestamp: lastHourOf2025 - 1 }]);
      s.advance(HOUR_MS);
      const summary = await s.run();
      if (summary?.followUpsQueued.length) {
        expect(summary.followUpsQueued).toEqual([
          expect.objectContaining({ logStreamNamePrefix: 'app-1', lateStreams: 1 }),
        ]);
      }
    }
    const [followUp, ...more] = s.model.tasks.filter((t) => t.logStreamNamePrefix !== undefined);
    expect(more).toEqual([]);
    // Same prefix as the window, its own task directory; 'app-12' matched too, 'web-1' not.
    const window = s.model.tasks.find((t) => t.from === followUp!.from && t !== followUp)!;
    expect(followUp!.destinationPrefix).toBe(window.destinationPrefix);
    expect(followUp!.snapshot.map((e) => e.event.id).sort()).toEqual([
      'app-1-on-time',
      'app-12-on-time',
      'late',
    ]);
    expect(assertArchiveReadsOnce(s).duplicateLines).toBe(2);
    const state = s.checkpoints().get(groupName(0))!;
    expect(state.followUps).toEqual([]);
    // Its windows settled (and, hourly windows being many, already trimmed from the history).
    expect(state.windows.filter((w) => w.from <= followUp!.to && !w.settled)).toEqual([]);
    expect(state.windows.filter((w) => !w.settled).length).toBeGreaterThan(0);
  });

  it('in dry-run mode writes nothing and reports what it would do', async () => {
    const s = sim({ pruneMode: 'both', env: { EXPORT_DRY_RUN: 'true' } });
    const summary = await s.run();
    expect(summary?.outcome).toBe('dry-run');
    expect(summary?.wouldStart?.logGroupName).toBe(groupName(0));
    expect(summary?.retentionChanges.length).toBe(2);
    expect(s.model.tasks).toHaveLength(0);
    expect(s.s3.objects.size).toBe(0);
    expect([...s.model.groups.values()].every((g) => g.retentionInDays === undefined)).toBe(true);
  });

  it('sets a valid retention that outlasts the backlog', async () => {
    const s = sim({ groups: 1, pruneMode: 'retention', env: { EXPORT_RETENTION_DAYS: '7' } });
    await s.run();
    // Fresh group: 14 days may predate creation, all unexported, so 7 days is not enough yet.
    expect(s.model.groups.get(groupName(0))!.retentionInDays).toBe(30);
  });
});

describe('reporting', () => {
  it('logs one summary line and EMF metrics with the checkpoint lag of every group', async () => {
    const s = sim();
    await s.run();
    const lines = s.logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.filter((l) => l.msg === 'export run')).toHaveLength(1);
    const emf = lines.filter((l) => l._aws !== undefined);
    expect(emf[0]).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'logpipe', Dimensions: [['Service', 'Function']] }] },
      Service: 'logpipe',
      WindowsExported: 0,
      MaxCheckpointLagSeconds: 14 * 86400,
    });
    expect(emf.slice(1).map((l) => l.LogGroup)).toEqual([groupName(0), groupName(1)]);
  });

  it('does nothing, quickly and clearly, when no log group is configured', async () => {
    const s = sim({ env: { EXPORT_LOG_GROUP_PREFIXES: '' } });
    const calls = s.model.calls;
    expect((await s.run())?.outcome).toBe('nothing-configured');
    expect(s.model.calls).toBe(calls);
  });
});

describe('throttled discovery', () => {
  it('ends the run with a report instead of failing the invocation', async () => {
    const s = sim();
    s.model.describeLogGroups = async () => {
      const error = new Error('Rate exceeded');
      error.name = 'ThrottlingException';
      throw error;
    };
    const summary = await s.run();
    expect(summary?.outcome).toBe('throttled');
    expect(s.model.tasks).toHaveLength(0);
  });
});
