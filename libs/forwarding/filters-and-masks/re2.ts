import type * as Re2js from 're2js';

export type { RE2JS } from 're2js';

let loaded: typeof Re2js | undefined;

/**
 * re2js, loaded on first use: only a rules file with filters or masks compiles a pattern, and
 * the module is 147 KiB minified and takes ~15 ms to evaluate, which the other containers do
 * not pay at cold start. Synchronous, because rules are compiled synchronously at cold start.
 */
export function re2(): typeof Re2js {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberately lazy (see above)
  return (loaded ??= require('re2js') as typeof Re2js);
}
