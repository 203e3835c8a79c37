import { startEngines } from '../../tools/peers/engines';
import { startMoto } from '../../tools/peers/moto';

/**
 * jest globalSetup: the peers the integration tests talk to (OpenSearch and Elasticsearch nodes,
 * moto for the AWS APIs), started together before any test file; a peer that cannot start fails
 * the run. Each is tied to jest's process, so none outlives it.
 */
export default async function globalSetup(): Promise<void> {
  await Promise.all([startEngines(), startMoto()]);
}
