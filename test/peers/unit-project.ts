import { ENGINE_KINDS, engineEnvName } from '../../tools/peers/engines';
import { UNIT_PROJECT_MARK } from './project';

/**
 * jest setupFiles of the unit project: marks the file as a unit test and hides the peers that a
 * shell (exported engine URLs) or the integration project's global setup (same jest run) may have
 * put in the environment, so a unit file cannot come to depend on one without saying so.
 */
process.env[UNIT_PROJECT_MARK] = 'unit';
for (const name of ['MOTO_ENDPOINT', 'MOTO_LOCK_DIR']) delete process.env[name];
for (const kind of ENGINE_KINDS)
  for (const what of ['URL', 'PID', 'LOG'] as const) delete process.env[engineEnvName(kind, what)];
