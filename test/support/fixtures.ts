import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A JSON fixture under test/fixtures, e.g. fixture('forwarder', 'lambda-invocation.json'). */
export function fixture<T = unknown>(...path: string[]): T {
  return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', ...path), 'utf8')) as T;
}
