import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { SubscriptionLogsApi } from './types';

/** The SDK v3 client behind the subscriber's port (loaded lazily, like the exporter's). */
export async function sdkSubscriptionLogsApi(client: CloudWatchLogsClient): Promise<SubscriptionLogsApi> {
  const sdk = await import('@aws-sdk/client-cloudwatch-logs');
  return {
    async describeLogGroups({ prefix, nextToken }) {
      const out = await client.send(
        // 50 is the page size's maximum: fewer calls per run.
        new sdk.DescribeLogGroupsCommand({ logGroupNamePrefix: prefix, nextToken, limit: 50 }),
      );
      return {
        groups: (out.logGroups ?? []).flatMap((g) =>
          g.logGroupName === undefined ? [] : [{ name: g.logGroupName, logGroupClass: g.logGroupClass }],
        ),
        nextToken: out.nextToken,
      };
    },
    async describeSubscriptionFilters(logGroupName) {
      const out = await client.send(new sdk.DescribeSubscriptionFiltersCommand({ logGroupName }));
      return (out.subscriptionFilters ?? []).map((f) => ({
        filterName: f.filterName ?? '',
        destinationArn: f.destinationArn,
        filterPattern: f.filterPattern,
        roleArn: f.roleArn,
      }));
    },
    async putSubscriptionFilter(input) {
      await client.send(new sdk.PutSubscriptionFilterCommand(input));
    },
  };
}
