import { consoleBase } from './arn';

/** Where a console link points: partition and region come from the alarm ARN. */
export interface ConsoleTarget {
  partition: string;
  region: string;
}

/** The CloudWatch console keeps its state after `#`, URL-encoded with `$` in place of `%`. */
function hashEscape(value: string): string {
  return encodeURIComponent(value).replace(/%/g, '$');
}

/** JSURL string encoding, which the console's `queryDetail` uses (`*2f` for `/`, `**ac00` for 가). */
function jsurlString(value: string): string {
  const body = value.replace(/[^\w.-]/g, (ch) => {
    if (ch === '$') return '!';
    const code = ch.charCodeAt(0);
    return code < 0x100
      ? `*${code.toString(16).padStart(2, '0')}`
      : `**${code.toString(16).padStart(4, '0')}`;
  });
  return `'${body}`;
}

function cloudwatchHome({ partition, region }: ConsoleTarget): string {
  return `${consoleBase(partition, region)}/cloudwatch/home?region=${region}`;
}

export function alarmConsoleUrl(target: ConsoleTarget, alarmName: string): string {
  return `${cloudwatchHome(target)}#alarmsV2:alarm/${encodeURIComponent(alarmName)}`;
}

/** Logs Insights on one log group, absolute time range, running `query`. */
export function logsInsightsUrl(
  target: ConsoleTarget,
  logGroup: string,
  query: string,
  window: { start: Date; end: Date },
): string {
  const detail =
    `~(end~${jsurlString(window.end.toISOString())}~start~${jsurlString(window.start.toISOString())}` +
    `~timeType~'ABSOLUTE~tz~'UTC~editorString~${jsurlString(query)}~source~(~${jsurlString(logGroup)}))`;
  return `${cloudwatchHome(target)}#logsV2:logs-insights${hashEscape(`?queryDetail=${detail}`)}`;
}

/** The log group's event view with the metric filter's exact pattern over the same window. */
export function logEventsUrl(
  target: ConsoleTarget,
  logGroup: string,
  filterPattern: string,
  window: { start: Date; end: Date },
): string {
  const query = `?filterPattern=${encodeURIComponent(filterPattern)}&start=${window.start.getTime()}&end=${window.end.getTime()}`;
  return `${cloudwatchHome(target)}#logsV2:log-groups/log-group/${hashEscape(encodeURIComponent(logGroup))}/log-events${hashEscape(query)}`;
}
