import type { LambdaReport } from './types';

/** What the Lambda runtime's own line formats tell about a log line. */
export interface LambdaLineFields {
  level?: string;
  requestId?: string;
  event?: 'start' | 'end' | 'report' | 'timeout';
  report?: LambdaReport;
}

// `<ISO time>\t<requestId>\t<LEVEL>\t<text>` written by console.* in the Node.js runtime.
const CONSOLE_LINE = /^\d{4}-\d{2}-\d{2}T[\d:.]+Z\t([\w-]+)\t([A-Z]+)\t/;
// `<ISO time> <requestId> Task timed out after 3.00 seconds`
const TIMEOUT_LINE = /^\d{4}-\d{2}-\d{2}T[\d:.]+Z ([\w-]+) Task timed out after/;
const REQUEST_ID = /RequestId: ([\w-]+)/;
const REPORT_FIELDS: ReadonlyArray<[RegExp, keyof LambdaReport]> = [
  [/\tDuration: ([\d.]+) ms/, 'duration_ms'],
  [/Billed Duration: ([\d.]+) ms/, 'billed_duration_ms'],
  [/Memory Size: (\d+) MB/, 'memory_size_mb'],
  [/Max Memory Used: (\d+) MB/, 'max_memory_used_mb'],
  [/Init Duration: ([\d.]+) ms/, 'init_duration_ms'],
];

// The runtime's own levels, so that the common ones cost no new string per line.
const LEVELS: Record<string, string> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
  FATAL: 'fatal',
};
const lowerCase = (level: string): string => LEVELS[level] ?? level.toLowerCase();

/** Parses Lambda console, START, END, REPORT and timeout lines; undefined for anything else. */
export function parseLambdaLine(message: string): LambdaLineFields | undefined {
  const first = message.charCodeAt(0);
  if (first >= 48 && first <= 57) {
    // Starts with a digit: maybe a console line or a timeout line.
    const consoleLine = CONSOLE_LINE.exec(message);
    if (consoleLine) return { requestId: consoleLine[1], level: lowerCase(consoleLine[2]!) };
    const timeout = TIMEOUT_LINE.exec(message);
    if (timeout) return { requestId: timeout[1], level: 'error', event: 'timeout' };
    return undefined;
  }
  if (message.startsWith('REPORT RequestId: ')) {
    const report: LambdaReport = {};
    for (const [pattern, field] of REPORT_FIELDS) {
      const match = pattern.exec(message);
      if (match) report[field] = Number(match[1]);
    }
    return { requestId: REQUEST_ID.exec(message)?.[1], event: 'report', report };
  }
  if (message.startsWith('START RequestId: '))
    return { requestId: REQUEST_ID.exec(message)?.[1], event: 'start' };
  if (message.startsWith('END RequestId: '))
    return { requestId: REQUEST_ID.exec(message)?.[1], event: 'end' };
  return undefined;
}
