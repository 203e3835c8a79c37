import { Logger } from '../../libs/logging/logger';

/** A logger that writes nowhere: for tests that assert on results, not on log lines. */
export const quiet = new Logger({}, 'error', { write: () => true });
