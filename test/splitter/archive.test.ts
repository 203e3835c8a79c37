import { gunzipSync } from 'node:zlib';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Archiver } from '../../libs/splitter/archive';
import { LocalS3 } from '../support/s3';

const DAY = 24 * 60 * 60 * 1000;
const spoolDirs = () => readdirSync(tmpdir()).filter((name) => name.startsWith('splitter-archive-'));

// The archiver spools under os.tmpdir(); a directory of this file's own keeps the counts above
// free of other processes' spool directories.
const sharedTmp = process.env.TMPDIR;
const ownTmp = mkdtempSync(join(tmpdir(), 'archive-test-'));
beforeAll(() => (process.env.TMPDIR = ownTmp));
afterAll(() => {
  if (sharedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = sharedTmp;
  rmSync(ownTmp, { recursive: true, force: true });
});

describe('archive output (s3rver)', () => {
  let s3: LocalS3;
  beforeAll(async () => {
    s3 = await new LocalS3(['archive']).start();
  });
  afterAll(async () => {
    await s3.stop();
  });

  it('writes every event once per log group and day, even with more partitions than open streams', async () => {
    const before = spoolDirs().length;
    const archiver = new S3Archiver(s3.client, { bucket: 'archive', prefix: 'logs' });
    const session = archiver.open({ bucket: 'raw', key: 'firehose/2024/11/20/obj-1' });
    // 40 log groups x 2 days = 80 partitions, interleaved so partitions are closed and reopened.
    const written: string[] = [];
    for (let round = 0; round < 3; round++) {
      for (let g = 0; g < 40; g++) {
        for (let day = 0; day < 2; day++) {
          const id = `${g}-${day}-${round}`;
          const wait = session.write(
            { owner: '1', logGroup: `/group/${g}`, logStream: 's' },
            {
              id,
              timestamp: Date.parse('2024-11-20T12:00:00Z') + day * DAY,
              message: `${'x'.repeat(40000)} 한국어 ${id}`,
            },
          );
          if (wait) await wait;
          written.push(id);
        }
      }
    }
    const keys = await session.finish();
    expect(keys).toHaveLength(80);
    expect(keys).toContain('logs/log_group=%2Fgroup%2F7/dt=2024-11-21/obj-1.ndjson.gz');
    const found: string[] = [];
    for (const key of await s3.keys('archive', 'logs/')) {
      const lines = gunzipSync(await s3.get('archive', key))
        .toString('utf8')
        .trimEnd()
        .split('\n');
      for (const line of lines) {
        const event = JSON.parse(line) as { id: string; logGroup: string; timestamp: number };
        expect(key).toContain(
          `log_group=${encodeURIComponent(event.logGroup)}/dt=${new Date(event.timestamp).toISOString().slice(0, 10)}/`,
        );
        found.push(event.id);
      }
    }
    expect(found.sort()).toEqual(written.sort());
    expect(spoolDirs().length).toBe(before); // the temporary files are removed
    expect(archiver.owns('archive', 'logs/log_group=x/dt=2024-11-20/a.ndjson.gz')).toBe(true);
    expect(archiver.owns('raw', 'logs/x')).toBe(false);
  });

  it('abort() uploads nothing and removes the temporary files', async () => {
    const before = spoolDirs().length;
    const session = new S3Archiver(s3.client, { bucket: 'archive', prefix: 'aborted' }).open({
      bucket: 'raw',
      key: 'k',
    });
    await session.write(
      { owner: '1', logGroup: 'g', logStream: 's' },
      { id: '1', timestamp: 0, message: 'm'.repeat(70000) },
    );
    expect(spoolDirs().length).toBe(before + 1); // spooled where this test looks
    await session.abort();
    expect(await s3.keys('archive', 'aborted/')).toEqual([]);
    expect(spoolDirs().length).toBe(before);
  });
});
