import { stopEngines } from './engines';
import { stopMoto } from './moto';

/** jest globalTeardown: stops what global-setup started. */
export default async function globalTeardown(): Promise<void> {
  await Promise.all([stopEngines(), stopMoto()]);
}
