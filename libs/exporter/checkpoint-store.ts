import { CheckpointConflictError, CheckpointCorruptError } from './errors';
import type { GroupState, ObjectStore } from './types';

export interface Versioned {
  state: GroupState;
  etag: string;
}

/**
 * One JSON object per log group under the state prefix, written only with S3 conditional
 * writes: If-None-Match: * to create, If-Match: <etag> to replace. Two overlapping runs
 * therefore cannot both move the same checkpoint; the loser gets CheckpointConflictError.
 */
export class CheckpointStore {
  constructor(
    private readonly objects: ObjectStore,
    private readonly prefix: string,
  ) {}

  key(logGroupName: string): string {
    return `${this.prefix}/${encodeURIComponent(logGroupName)}.json`;
  }

  async load(logGroupName: string): Promise<Versioned | undefined> {
    const key = this.key(logGroupName);
    const found = await this.objects.get(key);
    if (!found) return undefined;
    return { state: parseState(found.body, key, logGroupName), etag: found.etag };
  }

  async create(state: GroupState): Promise<Versioned> {
    const { etag } = await this.objects.put(this.key(state.logGroupName), JSON.stringify(state), {
      ifNoneMatch: '*',
    });
    return { state, etag };
  }

  async replace(current: Versioned, next: GroupState): Promise<Versioned> {
    if (
      next.checkpoint < current.state.checkpoint &&
      next.groupCreationTime === current.state.groupCreationTime
    ) {
      // Defence in depth: nothing in the run logic should ever do this.
      throw new CheckpointConflictError(`refusing to move the checkpoint of ${next.logGroupName} backwards`);
    }
    const { etag } = await this.objects.put(this.key(next.logGroupName), JSON.stringify(next), {
      ifMatch: current.etag,
    });
    return { state: next, etag };
  }
}

function parseState(body: string, key: string, logGroupName: string): GroupState {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (cause) {
    throw new CheckpointCorruptError(`checkpoint ${key} is not JSON`, { cause });
  }
  const state = value as Partial<GroupState> | null;
  const numbers = ['groupCreationTime', 'origin', 'checkpoint', 'failures'] as const;
  if (
    !state ||
    state.version !== 1 ||
    state.logGroupName !== logGroupName ||
    numbers.some((field) => typeof state[field] !== 'number') ||
    !Array.isArray(state.windows) ||
    (state.checkpoint as number) < (state.origin as number)
  ) {
    throw new CheckpointCorruptError(`checkpoint ${key} does not hold a version 1 state for ${logGroupName}`);
  }
  return { ...state, pruneDue: state.pruneDue === true } as GroupState;
}
