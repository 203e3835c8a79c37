import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createDeadLetterSink,
  loadDestinationConfig,
  type DeadLetter,
} from '../../libs/forwarding/destinations';
import { S3DeadLetterSink } from '../../libs/forwarding/destinations/dead-letter';
import { localFallback } from '../../libs/forwarding/destinations/local-dead-letter';
import { LocalS3 } from '../support/s3';

/** Dead letters of a run on this machine (`sls invoke local` sets IS_LOCAL): never lost to an unreachable bucket. */
const refused: DeadLetter = {
  reason:
    "400 mapper_parsing_exception: failed to parse field [json.@timestamp] of type [date]: '2022-11-19T20:15:18+UTC'",
  document: {
    _id: 'id-1',
    _index: 'cwl-dev-2024.11.20',
    _source: { '@timestamp': '2024-11-20T00:00:00.000Z', message: 'x', aws: {}, cloud: { provider: 'aws' } },
  },
};

let dir = '';
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'local-dead-letters-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('dead letters of a local run', () => {
  it('are kept in the local folder with the engine reason when the bucket is unreachable', async () => {
    const unreachable = new S3DeadLetterSink(
      'logpipe-dev-us-east-1-dead-letters',
      'dead-letter/',
      async () => {
        throw new Error('Could not load credentials from any providers');
      },
    );
    const location = await localFallback(unreachable, dir).put([refused]);
    const [file] = filesUnder(dir);
    expect(location).toBe(
      `${file} (the bucket was not reachable from this machine: Could not load credentials from any providers)`,
    );
    const line = JSON.parse(readFileSync(file!, 'utf8').trim()) as DeadLetter;
    expect(line).toMatchObject({ reason: refused.reason, document: { _id: 'id-1' } });
  });

  it('still go to the bucket when it is reachable', async () => {
    const s3 = await new LocalS3(['dead']).start();
    try {
      const location = await localFallback(
        new S3DeadLetterSink('dead', 'dead-letter/', async () => s3.client),
        dir,
      ).put([refused]);
      expect(location).toMatch(/^s3:\/\/dead\/dead-letter\/dt=/);
      expect(filesUnder(dir)).toEqual([]);
    } finally {
      await s3.stop();
    }
  });

  it('are local only when IS_LOCAL says the run is local; a deployed function never writes a folder', () => {
    const local = loadDestinationConfig({ IS_LOCAL: 'true', PWD: '/project', DEAD_LETTER_BUCKET: 'b' });
    expect(local.localDeadLetterDir).toBe('/project/.dead-letters');
    expect(createDeadLetterSink(local)).not.toBeInstanceOf(S3DeadLetterSink);
    const deployed = loadDestinationConfig({ DEAD_LETTER_BUCKET: 'b' });
    expect(deployed.localDeadLetterDir).toBeUndefined();
    expect(createDeadLetterSink(deployed)).toBeInstanceOf(S3DeadLetterSink);
    expect(createDeadLetterSink(loadDestinationConfig({}))).toBeUndefined();
    expect(loadDestinationConfig({ IS_LOCAL: 'true', LOCAL_DEAD_LETTER_DIR: dir }).localDeadLetterDir).toBe(
      dir,
    );
  });
});
