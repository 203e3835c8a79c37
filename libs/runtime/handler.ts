import type { Context } from 'aws-lambda';
import { type Clock, type Deadline, invocationDeadline } from './deadline';
import { intVar, type Env } from './env';
import { invocationLogger, logger as rootLogger, type Logger } from './logger';

/** What one invocation hands to the libs: the context, its logger and its deadline. */
export interface Invocation {
  readonly context: Context;
  /** Carries `function` and `function_request_id` on every line. */
  readonly log: Logger;
  readonly deadline: Deadline;
}

export type InvocationBody<E, R> = (event: E, invocation: Invocation) => Promise<R>;

/** A step around the body (Middy's idea, in a few lines): it may act before, after or on failure. */
export type Middleware<E, R> = (next: InvocationBody<E, R>) => InvocationBody<E, R>;

/** The one variable for the time kept back from the Lambda timeout, in every function. */
export const TIME_RESERVE_VAR = 'TIME_RESERVE_MS';

export interface HandlerOptions<E, R> {
  /** The function's name in log lines (`function`). */
  name: string;
  /**
   * The function's default reserve, ms: what it needs after its work to end cleanly. Each
   * function says why its value is what it is; TIME_RESERVE_MS overrides it per stage.
   */
  timeReserveMs: number;
  /** Read once, when the handler is defined (the cold start): a bad value fails there. */
  env?: Env;
  clock?: Clock;
  logger?: Logger;
  /** Outermost first. */
  use?: Middleware<E, R>[];
}

export interface DefinedHandler<E, R> {
  (event: E, context: Context): Promise<R>;
  /** The reserve this function runs with (after TIME_RESERVE_MS). */
  readonly timeReserveMs: number;
}

/**
 * The one way to define a Lambda handler: parses the time reserve once, and for each invocation
 * binds the function name and request id to the logger and builds the deadline from the context.
 */
export function defineHandler<E, R>(
  options: HandlerOptions<E, R>,
  body: InvocationBody<E, R>,
): DefinedHandler<E, R> {
  const timeReserveMs = intVar(options.env ?? process.env, TIME_RESERVE_VAR, options.timeReserveMs, {
    min: 0,
  });
  const clock = options.clock ?? Date.now;
  const functionLog = (options.logger ?? rootLogger).child({ function: options.name });
  const run = (options.use ?? []).reduceRight<InvocationBody<E, R>>((next, step) => step(next), body);
  const handler = (event: E, context: Context): Promise<R> =>
    run(event, {
      context,
      log: invocationLogger(context, functionLog),
      deadline: invocationDeadline(context, timeReserveMs, clock),
    });
  return Object.assign(handler, { timeReserveMs });
}
