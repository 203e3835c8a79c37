import { gzipSync } from 'node:zlib';
import type { CloudWatchLogEvent, CloudWatchLogsData } from '../../libs/forwarding/decoding/subscription';

/** Encodes a payload the way CloudWatch Logs hands it to a subscribed Lambda. */
export function subscriptionEvent(data: unknown): { awslogs: { data: string } } {
  return { awslogs: { data: gzipSync(JSON.stringify(data)).toString('base64') } };
}

/** A 56-digit event id like CloudWatch's, unique per (stream, n). */
export function eventId(n: number, seed = 3862762795): string {
  return `${seed}${String(n).padStart(46, '0')}`;
}

export function logsData(
  events: Array<Partial<CloudWatchLogEvent>>,
  overrides: Partial<CloudWatchLogsData> = {},
): CloudWatchLogsData {
  return {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: '/aws/lambda/orders',
    logStream: '2024/11/20/[$LATEST]bb494dc82843496683c62052533a046f',
    subscriptionFilters: ['forwarder'],
    logEvents: events.map((event, i) => ({
      id: eventId(i),
      timestamp: 1732122743505 + i,
      message: `line ${i}\n`,
      ...event,
    })),
    ...overrides,
  };
}

/** The health check CloudWatch Logs sends to a new subscription destination (never indexed). */
export function controlMessage(destination: 'Lambda' | 'Firehose'): CloudWatchLogsData {
  return {
    messageType: 'CONTROL_MESSAGE',
    owner: 'CloudwatchLogs',
    logGroup: '',
    logStream: '',
    subscriptionFilters: [],
    logEvents: [
      {
        id: '',
        timestamp: 1732122743505,
        message: `CWL CONTROL MESSAGE: Checking health of destination ${destination}.`,
      },
    ],
  };
}
