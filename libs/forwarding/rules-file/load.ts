import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { optionalString, timeZoneVar, type Env } from '../../runtime/env';
import { AppError, ConfigError } from '../../runtime/errors';
import type { MessageRules } from '../filters-and-masks/screen';
import type { MultilineRule } from '../multiline/config';
import type { CompiledRule } from '../rules/types';
import { compileRules } from './validate';

/** The rules file is invalid; `problems` lists every problem, each naming the rule and the field. */
export class RulesError extends AppError {
  constructor(
    readonly file: string,
    readonly problems: string[],
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${problems.length} problem(s): ${problems.join('; ')}`, options);
  }
}

/**
 * A compiled rules file: its rules, the multiline joins that run first, and its filters and masks
 * (undefined when it has none).
 */
export interface RulesFile {
  rules: CompiledRule[];
  multiline: MultilineRule[];
  messages?: MessageRules;
}

/** Parses and validates a rules file's text; throws RulesError listing every problem. */
export function rulesFromText(text: string, file: string, timeZone = 'UTC'): CompiledRule[] {
  return rulesFileFromText(text, file, timeZone).rules;
}

/** The whole rules file (rules, multiline, filters, masks) from its text; throws RulesError listing every problem. */
export function rulesFileFromText(text: string, file: string, timeZone = 'UTC'): RulesFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new RulesError(file, [`not valid JSON: ${(cause as Error).message}`], { cause });
  }
  const { rules, multiline, messages, problems } = compileRules(raw, { timeZone });
  if (problems.length > 0) throw new RulesError(file, problems);
  return { rules, multiline, messages };
}

/**
 * Loads the rules named by RULES_FILE (JSON; unset means no rules). A relative path is resolved
 * against the function's package root (LAMBDA_TASK_ROOT) where serverless.yml packages it, or
 * the working directory for `sls invoke local` and tests. Called once, at cold start.
 */
export function loadRules(env: Env): CompiledRule[] {
  return loadRulesFile(env).rules;
}

/** The whole rules file named by RULES_FILE (none: no rules, joins, filters or masks). Once, at cold start. */
export function loadRulesFile(env: Env): RulesFile {
  const file = optionalString(env, 'RULES_FILE');
  if (file === undefined) return { rules: [], multiline: [] };
  if (/\.ya?ml$/i.test(file)) {
    throw new ConfigError('RULES_FILE', `${file}: YAML is not supported, write the rules as JSON`);
  }
  // Lambda: the package root. `sls invoke local` sets a LAMBDA_TASK_ROOT that does not exist
  // locally and runs the bundle from .esbuild/.build, so the working directory and its two
  // parents (the service root) are tried next.
  const cwd = process.cwd();
  const roots = isAbsolute(file)
    ? ['']
    : [...new Set([env.LAMBDA_TASK_ROOT, cwd, dirname(cwd), dirname(dirname(cwd))])];
  let text: string | undefined;
  let lastError: unknown;
  for (const root of roots) {
    if (root === undefined) continue;
    try {
      text = readFileSync(root === '' ? file : resolve(root, file), 'utf8');
      break;
    } catch (error) {
      lastError = error;
    }
  }
  if (text === undefined) {
    const code = (lastError as NodeJS.ErrnoException | undefined)?.code ?? 'error';
    throw new ConfigError('RULES_FILE', `cannot read ${file} (${code})`, { cause: lastError });
  }
  // Index dates of rules without their own timeZone follow the forwarder's INDEX_TIMEZONE.
  return rulesFileFromText(text, file, timeZoneVar(env, 'INDEX_TIMEZONE', 'UTC'));
}
