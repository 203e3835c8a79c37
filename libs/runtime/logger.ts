import { describeError } from './errors';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

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

  child(fields: LogFields): Logger {
    return new Logger({ ...this.bound, ...fields }, this.minLevel, this.sink);
  }

  debug(msg: string, fields?: LogFields): void {
    this.log('debug', msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.log('info', msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.log('warn', msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
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
 * The logger of one invocation: every line carries `requestId`, spelled as Lambda's JSON log
 * format spells it, so the forwarder indexes our own lines with `aws.lambda.request_id` too.
 */
export function invocationLogger(context: { awsRequestId: string }, parent: Logger = logger): Logger {
  return parent.child({ requestId: context.awsRequestId });
}
