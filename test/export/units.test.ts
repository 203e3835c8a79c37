import { CheckpointStore } from '../../libs/exporter/checkpoint-store';
import { loadExporterConfig } from '../../libs/exporter/config';
import { isExcluded } from '../../libs/exporter/discovery';
import { CheckpointConflictError, CheckpointCorruptError } from '../../libs/exporter/errors';
import {
  chooseNext,
  initialState,
  nextWindow,
  windowContaining,
  withCompletion,
} from '../../libs/exporter/planning';
import { streamVerdict } from '../../libs/exporter/prune';
import { retentionChange } from '../../libs/exporter/retention';
import { ALLOWED_RETENTION_DAYS, DAY_MS, HOUR_MS } from '../../libs/exporter/time';
import type { GroupState } from '../../libs/exporter/types';
import { ObjectStoreModel } from './model/object-store-model';

const NOW = Date.UTC(2026, 5, 1, 12, 30);
const config = loadExporterConfig({ EXPORT_BUCKET: 'b', EXPORT_LOG_GROUP_NAMES: '/a' });

function state(checkpoint: number, extra: Partial<GroupState> = {}): GroupState {
  return { ...initialState({ name: '/a', creationTime: NOW - 60 * DAY_MS }), checkpoint, ...extra };
}

describe('configuration', () => {
  it('has safe defaults: dry run, no pruning, 24 h lag', () => {
    const c = loadExporterConfig({});
    expect(c).toMatchObject({ dryRun: true, pruneMode: 'none', lagMs: 24 * HOUR_MS, retentionDays: 14 });
    expect(c.bucket).toBeUndefined();
  });

  it.each([
    [{ EXPORT_LOG_GROUP_NAMES: '/a' }, /EXPORT_BUCKET: is required/],
    [{ EXPORT_RETENTION_DAYS: '4' }, /EXPORT_RETENTION_DAYS: must be one of 1, 3, 5/],
    [{ EXPORT_RETENTION_DAYS: '1' }, /must cover EXPORT_LAG_HOURS \+ EXPORT_PRUNE_MARGIN_HOURS \(30 h\)/],
    [{ EXPORT_LAG_HOURS: '6' }, /EXPORT_LAG_HOURS: must be >= 12/],
    [{ EXPORT_PRUNE_MODE: 'all' }, /EXPORT_PRUNE_MODE: must be one of none, streams, retention, both/],
    [{ EXPORT_STATE_PREFIX: 'cloudwatch-exports' }, /EXPORT_STATE_PREFIX/],
  ])('rejects %j', (env, message) => {
    expect(() => loadExporterConfig(env)).toThrow(message);
  });

  it('treats excludes ending in * as prefixes', () => {
    expect(isExcluded('/aws/lambda/x-dev', ['/aws/lambda/x-*'])).toBe(true);
    expect(isExcluded('/aws/lambda/x', ['/aws/lambda/x-*', '/other'])).toBe(false);
  });
});

describe('planning windows', () => {
  it('caps the window at the max and at now - lag, on whole hours, with to = next from - 1', () => {
    const behind = state(NOW - 30 * DAY_MS - (NOW % HOUR_MS));
    expect(nextWindow(behind, NOW, config)).toEqual({
      from: behind.checkpoint,
      to: behind.checkpoint + 7 * DAY_MS - 1,
    });
    const recent = state(NOW - 30 * HOUR_MS - (NOW % HOUR_MS));
    const window = nextWindow(recent, NOW, config)!;
    expect(window.to + 1).toBe(NOW - (NOW % HOUR_MS) - 24 * HOUR_MS);
    expect(nextWindow(state(window.to + 1), NOW, config)).toBeUndefined();
  });

  it('picks the group furthest behind, skipping pending ones and ones backing off', () => {
    const a = { ...state(NOW - 10 * DAY_MS), logGroupName: '/a' };
    const b = { ...state(NOW - 20 * DAY_MS), logGroupName: '/b' };
    const c = {
      ...state(NOW - 30 * DAY_MS),
      logGroupName: '/c',
      failures: 3,
      lastFailure: { at: NOW, status: 'FAILED' },
    };
    expect(chooseNext([a, b, c], NOW, config)?.state.logGroupName).toBe('/b');
    expect(chooseNext([a, c], NOW + HOUR_MS, config)?.state.logGroupName).toBe('/c');
  });

  it('moves the checkpoint only to the end of the pending window and keeps a bounded history', () => {
    let s = state(0, { origin: 0, checkpoint: 0 });
    for (let i = 0; i < 250; i++) {
      s = {
        ...s,
        pending: {
          taskName: 't',
          from: s.checkpoint,
          to: s.checkpoint + 9,
          destinationPrefix: 'p',
          // Requested long after the window ended: settled at once, so it may leave the history.
          requestedAt: NOW,
        },
      };
      s = withCompletion(s, `task-${i}`);
    }
    expect(s.checkpoint).toBe(2500);
    expect(s.windows).toHaveLength(200);
    expect(windowContaining(s.windows, 2499)?.taskId).toBe('task-249');
    expect(windowContaining(s.windows, 10)).toBeUndefined();
    expect(() =>
      withCompletion(
        { ...s, pending: { taskName: 't', from: 7, to: 9, destinationPrefix: 'p', requestedAt: 1 } },
        'x',
      ),
    ).toThrow();
  });
});

describe('which streams may be deleted', () => {
  const exported = state(NOW - 2 * DAY_MS, {
    origin: NOW - 10 * DAY_MS,
    windows: [
      {
        from: NOW - 10 * DAY_MS,
        to: NOW - 2 * DAY_MS - 1,
        taskId: 't',
        requestedAt: NOW - DAY_MS,
        destinationPrefix: 'p',
      },
    ],
  });
  const stream = {
    name: 's',
    creationTime: NOW - 5 * DAY_MS,
    firstEventTimestamp: NOW - 5 * DAY_MS,
    lastEventTimestamp: NOW - 4 * DAY_MS,
    lastIngestionTime: NOW - 4 * DAY_MS,
  };

  it.each([
    [{}, 'delete'],
    [{ lastEventTimestamp: NOW - 2 * DAY_MS - HOUR_MS }, 'too-young'],
    [{ lastIngestionTime: NOW - 2 * DAY_MS - HOUR_MS }, 'too-young'],
    [{ firstEventTimestamp: NOW - 11 * DAY_MS }, 'before-origin'],
    [{ lastIngestionTime: NOW - DAY_MS - 11 * HOUR_MS - 2 * DAY_MS }, 'delete'],
    [{ lastEventTimestamp: undefined }, 'no-events'],
  ])('%j -> %s', (change, verdict) => {
    expect(streamVerdict({ ...stream, ...change }, exported, config)).toBe(verdict);
  });

  it('keeps a stream whose last ingestion was not yet exportable when its window was requested', () => {
    const late = {
      ...exported,
      windows: [{ ...exported.windows[0]!, requestedAt: NOW - 4 * DAY_MS + 11 * HOUR_MS }],
    };
    expect(streamVerdict(stream, late, config)).toBe('ingested-after-export');
  });
});

describe('retention', () => {
  it('only ever sets allowed values that outlast the unexported backlog', () => {
    for (let behindDays = 1; behindDays < 400; behindDays += 7) {
      const days = retentionChange(NOW, NOW - behindDays * DAY_MS, undefined, config)!;
      expect(ALLOWED_RETENTION_DAYS).toContain(days);
      expect(days * DAY_MS).toBeGreaterThan(behindDays * DAY_MS + config.pruneMarginMs + DAY_MS);
    }
  });

  it('raises a short retention, lowers a long one, and leaves a fitting one alone', () => {
    expect(retentionChange(NOW, NOW - 20 * DAY_MS, 14, config)).toBe(30);
    expect(retentionChange(NOW, NOW - DAY_MS, 3653, config)).toBe(14);
    expect(retentionChange(NOW, NOW - DAY_MS, 14, config)).toBeUndefined();
  });
});

describe('checkpoint store (conditional writes)', () => {
  it('creates once, replaces only from the current ETag, and never moves backwards', async () => {
    const store = new CheckpointStore(new ObjectStoreModel(), 'state');
    const first = await store.create(state(NOW - DAY_MS));
    await expect(store.create(state(NOW - DAY_MS))).rejects.toBeInstanceOf(CheckpointConflictError);
    const second = await store.replace(first, state(NOW));
    await expect(store.replace(first, state(NOW + HOUR_MS))).rejects.toBeInstanceOf(CheckpointConflictError);
    await expect(store.replace(second, state(NOW - HOUR_MS))).rejects.toThrow(/backwards/);
    expect((await store.load('/a'))?.state.checkpoint).toBe(NOW);
    expect(store.key('/aws/lambda/f')).toBe('state/%2Faws%2Flambda%2Ff.json');
  });

  it('refuses to use an object it cannot read as a checkpoint', async () => {
    const objects = new ObjectStoreModel();
    const store = new CheckpointStore(objects, 'state');
    objects.write(store.key('/a'), '{"version":2}');
    await expect(store.load('/a')).rejects.toBeInstanceOf(CheckpointCorruptError);
    objects.write(store.key('/a'), 'not json');
    await expect(store.load('/a')).rejects.toBeInstanceOf(CheckpointCorruptError);
  });
});
