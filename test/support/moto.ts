import { mkdirSync, rmdirSync } from 'node:fs';
import { requireIntegrationProject } from '../peers/project';

/**
 * A test file's share of the moto server started by test/peers/global-setup.ts: `useMoto()`
 * waits until no other test file uses moto (jest may run files in parallel workers), resets
 * moto (POST /moto-api/reset) so the file starts from an empty AWS, and releases it after.
 */
export const MOTO_REGION = 'ap-northeast-2';
/** moto's default account; any credentials are accepted. */
export const MOTO_ACCOUNT = '123456789012';

export interface MotoClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  forcePathStyle: boolean;
  maxAttempts: number;
}

export interface Moto {
  readonly endpoint: string;
  /** SDK v3 client options for moto (forcePathStyle matters to S3 only, the others ignore it). */
  readonly clientConfig: MotoClientConfig;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function useMoto(): Moto {
  requireIntegrationProject('moto (useMoto)');
  const endpoint = process.env.MOTO_ENDPOINT;
  const lock = process.env.MOTO_LOCK_DIR;
  if (!endpoint || !lock) {
    throw new Error(
      'MOTO_ENDPOINT is not set: run the tests with jest.config.js (its globalSetup starts moto)',
    );
  }
  let held = false;
  beforeAll(async () => {
    for (;;) {
      try {
        mkdirSync(lock);
        held = true;
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        await sleep(200);
      }
    }
    const reset = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
    if (!reset.ok) throw new Error(`moto reset answered ${reset.status}`);
  }, 15 * 60_000);
  afterAll(() => {
    if (held) rmdirSync(lock);
  });
  return {
    endpoint,
    clientConfig: {
      endpoint,
      region: MOTO_REGION,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      forcePathStyle: true,
      maxAttempts: 1,
    },
  };
}

/**
 * The moto server for the length of `work` only (a test that needs it for one step among
 * others): the same lock as useMoto(), taken and released around it, and moto reset first.
 */
export async function withMoto<T>(work: (endpoint: string) => Promise<T>): Promise<T> {
  requireIntegrationProject('moto (withMoto)');
  const endpoint = process.env.MOTO_ENDPOINT;
  const lock = process.env.MOTO_LOCK_DIR;
  if (!endpoint || !lock)
    throw new Error(
      'MOTO_ENDPOINT is not set: run the tests with jest.config.js (its globalSetup starts moto)',
    );
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      await sleep(200);
    }
  }
  try {
    const reset = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
    if (!reset.ok) throw new Error(`moto reset answered ${reset.status}`);
    return await work(endpoint);
  } finally {
    rmdirSync(lock);
  }
}
