import { startEngines } from './engines';

/** jest globalSetup: the peers the integration tests talk to, started before any test file. */
export default async function globalSetup(): Promise<void> {
  await startEngines();
}
