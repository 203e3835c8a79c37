import { describeError } from './errors';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

/**
 * Log keys are snake_case, at every depth: every function's lines go to one index, where
 * `log_group` and `logGroup` would be two fields. A key with a capital letter makes the call
 * fail to type-check (its value becomes `never`). Maps keyed by data (rule or log group names,
 * typed `Record<string, T>`) are left alone.
 */
export type SnakeCaseKeys<T> = T extends Error | Date
  ? T
  : T extends readonly (infer Item)[]
    ? readonly SnakeCaseKeys<Item>[]
    : T extends object
      ? {
          [K in keyof T]: K extends string
            ? string extends K
              ? T[K]
              : K extends Lowercase<K>
                ? SnakeCaseKeys<T[K]>
                : never
            : T[K];
        }
      : T;

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * The stage's masks on every line written (set at cold start by a function that reads a rules
 * file: libs/forwarding/destinations/output-mask.ts). One hook for the process, because the logger is one.
 */
let maskLine: ((line: LogFields) => LogFields) | undefined;

/** Installs (or, with undefined, removes) the masking of every log line. */
export function setLogLineMask(mask: ((line: LogFields) => LogFields) | undefined): void {
  maskLine = mask;
}

export interface LogSink {
  write(line: string): unknown;
}

/**
 * One structured JSON logger for every function. It writes to stderr so that stdout stays free
 * for data (the stdout destination and `sls invoke local` print documents there). Each line
 * carries the correlation fields bound with `child()` (function, request id).
 */
export class Logger {
  constructor(
    private readonly bound: LogFields = {},
    private readonly minLevel: LogLevel = 'info',
    private readonly sink: LogSink = process.stderr,
  ) {}

  child<F extends LogFields>(fields: F & SnakeCaseKeys<F>): Logger {
    return new Logger({ ...this.bound, ...fields }, this.minLevel, this.sink);
  }

  debug<F extends LogFields>(msg: string, fields?: F & SnakeCaseKeys<F>): void {
    this.log('debug', msg, fields);
  }
  info<F extends LogFields>(msg: string, fields?: F & SnakeCaseKeys<F>): void {
    this.log('info', msg, fields);
  }
  warn<F extends LogFields>(msg: string, fields?: F & SnakeCaseKeys<F>): void {
    this.log('warn', msg, fields);
  }
  error<F extends LogFields>(msg: string, fields?: F & SnakeCaseKeys<F>): void {
    this.log('error', msg, fields);
  }

  private log(level: LogLevel, msg: string, fields?: LogFields): void {
    if (LEVEL_ORDER[level] < LEVEL_ORDER[this.minLevel]) return;
    const line: LogFields = { time: new Date().toISOString(), level, msg, ...this.bound, ...fields };
    if (line.error instanceof Error) line.error = describeError(line.error);
    this.sink.write(JSON.stringify(maskLine === undefined ? line : maskLine(line)) + '\n');
  }
}

function levelFromEnv(value: string | undefined): LogLevel {
  const wanted = (value ?? 'info').toLowerCase();
  return wanted in LEVEL_ORDER ? (wanted as LogLevel) : 'info';
}

/** The process-wide logger; LOG_LEVEL picks the threshold (debug, info, warn, error). */
export const logger = new Logger({}, levelFromEnv(process.env.LOG_LEVEL));

/**
 * The logger of one invocation: every line carries `function_request_id`, spelled as Powertools
 * for AWS Lambda spells it, so the forwarder indexes our own lines (and those of every function
 * logging with Powertools) with `aws.lambda.request_id`.
 */
export function invocationLogger(context: { awsRequestId: string }, parent: Logger = logger): Logger {
  return parent.child({ function_request_id: context.awsRequestId });
}
