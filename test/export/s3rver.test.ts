import { sdkObjectStore } from '../../libs/exporter/aws';
import { CheckpointStore } from '../../libs/exporter/checkpoint-store';
import { exportLanded } from '../../libs/exporter/export-step';
import { initialState } from '../../libs/exporter/planning';
import type { ObjectStore } from '../../libs/exporter/types';
import { LocalS3 } from '../support/s3';

/**
 * The S3 adapter against a real S3 protocol implementation (s3rver on loopback): reads, writes,
 * missing keys and prefix listing as the exporter uses them. s3rver 3.7 predates S3 conditional
 * writes and ignores If-Match / If-None-Match, so compare-and-swap is tested against
 * test/export/model/object-store-model.ts instead; the last test pins that gap down.
 */
describe('S3 adapter on s3rver', () => {
  const s3 = new LocalS3(['exports']);
  let objects: ObjectStore;

  beforeAll(async () => {
    await s3.start();
    objects = await sdkObjectStore(s3.client, 'exports');
  });
  afterAll(() => s3.stop());

  it('round-trips a checkpoint and reads a missing one as absent', async () => {
    const store = new CheckpointStore(objects, 'exporter-state');
    expect(await store.load('/aws/lambda/api')).toBeUndefined();
    const state = initialState({ name: '/aws/lambda/api', creationTime: Date.UTC(2026, 0, 20) });
    const created = await store.create(state);
    expect(created.etag).toMatch(/^".+"$/);
    expect(await store.load('/aws/lambda/api')).toEqual(created);
  });

  it('verifies an export by listing its task prefix, or the write test for an empty window', async () => {
    const prefix = 'cloudwatch-exports/aws/lambda/api/dt=2026-01-06';
    expect(await exportLanded(objects, prefix, 'task-1')).toBe(false);
    await objects.put(`${prefix}/aws-logs-write-test`, 'Permission Check Successful', { ifNoneMatch: '*' });
    expect(await exportLanded(objects, prefix, 'task-1')).toBe(true);
    await objects.put(`${prefix}/task-2/stream-a/000000.gz`, 'x', { ifNoneMatch: '*' });
    expect(await objects.list(`${prefix}/task-2/`, 1)).toEqual([`${prefix}/task-2/stream-a/000000.gz`]);
  });

  it('(s3rver limitation) does not enforce If-None-Match, hence the model for CAS tests', async () => {
    await objects.put('exporter-state/twice.json', '1', { ifNoneMatch: '*' });
    await expect(objects.put('exporter-state/twice.json', '2', { ifNoneMatch: '*' })).resolves.toBeDefined();
  });
});
