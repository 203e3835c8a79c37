/** Milliseconds since the epoch; Date.now in Lambda, a hand-moved clock in tests. */
export type Clock = () => number;

/**
 * When an invocation must have finished its work: the Lambda's end minus the function's time
 * reserve (libs/runtime/handler.ts), the time kept back to end on its own terms (dead letters
 * stored, a summary written, a failure reported). Every lib asks this object, never the context.
 */
export interface Deadline {
  /** Milliseconds of work left (negative once past the deadline). */
  remaining(): number;
  expired(): boolean;
}

export function deadlineAt(at: number, clock: Clock = Date.now): Deadline {
  return { remaining: () => at - clock(), expired: () => clock() >= at };
}

/**
 * The deadline of one invocation: the context's remaining time, read once (Lambda computes it
 * from its own deadline and the wall clock, so reading it later adds nothing), less the reserve.
 */
export function invocationDeadline(
  context: { getRemainingTimeInMillis(): number },
  reserveMs: number,
  clock: Clock = Date.now,
): Deadline {
  return deadlineAt(clock() + context.getRemainingTimeInMillis() - reserveMs, clock);
}
