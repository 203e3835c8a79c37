import { startMoto } from './moto';

/** Peers shared by the whole jest run; each line starts one (its teardown stops it). */
export default async function globalSetup(): Promise<void> {
  await startMoto();
}
