import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError } from '../libs/runtime/errors';

type FlagOptions = NonNullable<ParseArgsConfig['options']>;

/**
 * A tool's flags (no positional arguments). An unknown flag or a missing value is a ConfigError
 * naming the arguments, which the tools print with their usage.
 */
export function parseFlags<T extends FlagOptions>(argv: string[], options: T) {
  try {
    return parseArgs<{ args: string[]; strict: true; options: T }>({ args: argv, strict: true, options })
      .values;
  } catch (cause) {
    throw new ConfigError('arguments', (cause as Error).message, { cause });
  }
}
