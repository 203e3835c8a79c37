import { stopEngines } from './engines';

/** jest globalTeardown: stops what global-setup started. */
export default async function globalTeardown(): Promise<void> {
  await stopEngines();
}
