/**
 * Base class for every error this project throws on purpose. Subclasses set a stable `name`
 * (what alarms and log queries match on) and keep the underlying failure as `cause`.
 */
export class AppError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A configuration variable is missing or malformed; the message names the variable. */
export class ConfigError extends AppError {
  constructor(
    readonly variable: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${variable}: ${problem}`, options);
  }
}

/** Short description of any thrown value, safe to log (no stack, no payload). */
export function describeError(error: unknown): { name: string; message: string; cause?: string } {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `${error.cause.name}: ${error.cause.message}` : undefined;
    return cause
      ? { name: error.name, message: error.message, cause }
      : { name: error.name, message: error.message };
  }
  return { name: typeof error, message: String(error) };
}
