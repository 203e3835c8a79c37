import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError } from '../../runtime/errors';
import { deadLetterLine, eventKey, type DeadLetter, type DeadLetterSink } from './dead-letter';

/**
 * Dead letters of a run on this machine (`sls invoke local`, `npm run split`): one NDJSON file
 * per invocation under a local folder, named like the S3 object (a retry overwrites its own
 * file). Not gzipped: a reader opens it to see the engine's reason.
 */
export class LocalDeadLetterSink implements DeadLetterSink {
  constructor(
    private readonly dir: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async put(entries: readonly DeadLetter[]): Promise<string> {
    const at = this.now().toISOString();
    const hash = createHash('sha256');
    for (const entry of entries) hash.update(entry.document?._id ?? eventKey(entry.event)).update('\n');
    const folder = join(this.dir, `dt=${at.slice(0, 10)}`);
    const file = join(folder, `${hash.digest('hex').slice(0, 32)}.ndjson`);
    await mkdir(folder, { recursive: true });
    await writeFile(file, entries.map((entry) => deadLetterLine(entry, at)).join('\n') + '\n');
    return file;
  }
}

/**
 * Locally the stage's bucket is usually out of reach (no credentials, or a stage never
 * deployed): try it, and when it fails keep the dead letters in the local folder rather than
 * failing the run with an S3 error that hides why the engine refused them.
 */
export function localFallback(s3: DeadLetterSink | undefined, dir: string): DeadLetterSink {
  const local = new LocalDeadLetterSink(dir);
  if (s3 === undefined) return local;
  return {
    async put(entries) {
      try {
        return await s3.put(entries);
      } catch (error) {
        const location = await local.put(entries);
        return `${location} (the bucket was not reachable from this machine: ${describeError(error).message})`;
      }
    },
  };
}
