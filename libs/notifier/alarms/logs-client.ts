import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';

/**
 * One CloudWatch Logs client per region, created on first use: the SDK is only loaded when an
 * ALARM needs its log lines, which keeps cold starts for OK and text messages small.
 */
export function logsClientsByRegion(): (region: string) => Promise<CloudWatchLogsClient> {
  const clients = new Map<string, Promise<CloudWatchLogsClient>>();
  return (region) => {
    let client = clients.get(region);
    if (client === undefined) {
      client = import('@aws-sdk/client-cloudwatch-logs').then(
        ({ CloudWatchLogsClient: Client }) => new Client({ region, maxAttempts: 2 }),
      );
      clients.set(region, client);
    }
    return client;
  };
}
