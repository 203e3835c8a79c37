import { stopEngines } from '../../tools/peers/engines';
import { stopMoto } from '../../tools/peers/moto';

/** jest globalTeardown: stops what global-setup started. */
export default async function globalTeardown(): Promise<void> {
  await Promise.all([stopEngines(), stopMoto()]);
}
