import { gunzipSync } from 'node:zlib';
import { S3DeadLetterSink } from '../../libs/forwarding/destinations/dead-letter';
import type { DeadLetter } from '../../libs/forwarding/destinations';
import { Logger } from '../../libs/runtime/logger';
import { BulkServer } from '../support/bulk-server';
import { LocalS3 } from '../support/s3';

export const DEAD_LETTER_BUCKET = 'hostile-dead-letters';

/** A logger whose lines are kept (JSON objects) for assertions on what was said. */
export function recordingLogger(): {
  log: Logger;
  lines: Array<Record<string, unknown>>;
  text: () => string;
} {
  const raw: string[] = [];
  const log = new Logger({}, 'debug', { write: (line: string) => raw.push(line) });
  return {
    log,
    get lines() {
      return raw.map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    text: () => raw.join(''),
  };
}

/** Dead letters on s3rver under a prefix of their own, read back as entries. */
export function s3DeadLetters(s3: LocalS3, prefix: string) {
  return {
    sink: new S3DeadLetterSink(DEAD_LETTER_BUCKET, prefix, async () => s3.client),
    async entries(): Promise<Array<DeadLetter & { dead_lettered_at: string }>> {
      const entries = [];
      for (const key of await s3.keys(DEAD_LETTER_BUCKET, prefix)) {
        const text = gunzipSync(await s3.get(DEAD_LETTER_BUCKET, key)).toString('utf8');
        for (const line of text.split('\n')) if (line !== '') entries.push(JSON.parse(line));
      }
      return entries;
    },
  };
}

let prefixes = 0;
/** A fresh dead-letter prefix per run: runs never see each other's letters. */
export const freshPrefix = (name: string) => `${name}/${++prefixes}/`;

/**
 * The loopback peers a hostile suite runs against: s3rver holding the dead letters and a `_bulk`
 * server, started before the file's tests and stopped after them.
 */
export function usePeers(): { s3: LocalS3; readonly server: BulkServer } {
  const s3 = new LocalS3([DEAD_LETTER_BUCKET]);
  let server: BulkServer | undefined;
  beforeAll(async () => {
    await s3.start();
    server = await new BulkServer().start();
  });
  afterAll(async () => {
    await server?.stop();
    await s3.stop();
  });
  return {
    s3,
    get server() {
      if (server === undefined) throw new Error('the peers start in beforeAll');
      return server;
    },
  };
}
