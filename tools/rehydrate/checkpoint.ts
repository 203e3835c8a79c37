import { appendFile, mkdir, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * The objects a rehydration has finished, one line each (`s3://bucket/key`), appended as each
 * one's documents are all delivered or dead-lettered: an interrupted run started again with the
 * same arguments skips them. An object cut short is read again whole; its documents keep their
 * ids, so what it had delivered answers 409 and nothing is doubled.
 */
export interface Checkpoint {
  done(): Promise<ReadonlySet<string>>;
  record(id: string): Promise<void>;
  clear(): Promise<void>;
}

export class FileCheckpoint implements Checkpoint {
  constructor(readonly path: string) {}

  async done(): Promise<ReadonlySet<string>> {
    try {
      const text = await readFile(this.path, 'utf8');
      // A line cut by a crash mid-write has no newline: that object is simply read again.
      const complete = text.endsWith('\n') ? text : text.slice(0, text.lastIndexOf('\n') + 1);
      return new Set(complete.split('\n').filter((line) => line !== ''));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
      throw error;
    }
  }

  async record(id: string): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    await appendFile(this.path, `${id}\n`);
  }

  async clear(): Promise<void> {
    await rm(this.path, { force: true });
  }
}

/** A dry run remembers nothing. */
export const noCheckpoint: Checkpoint = {
  done: async () => new Set(),
  record: async () => undefined,
  clear: async () => undefined,
};
