import { Logger } from '../../libs/runtime/logger';
import { noDeadline } from '../support/lambda';
import {
  loadSubscriberConfig,
  reconcileSubscriptions,
  type SubscriptionLogsApi,
} from '../../libs/subscriber';

/**
 * Log groups of the Infrequent Access (and Delivery) class cannot have subscription filters:
 * the subscriber skips them without a call, counts them and names them, and the run does not fail.
 * moto lists no class, so this runs against a double that answers as DescribeLogGroups does.
 */
describe('the subscriber and log group classes', () => {
  it('subscribes Standard groups (class absent too), skips and reports the others', async () => {
    const groups = [
      { name: '/app/standard', logGroupClass: 'STANDARD' },
      { name: '/app/no-class' },
      { name: '/app/archive', logGroupClass: 'INFREQUENT_ACCESS' },
      { name: '/app/vended', logGroupClass: 'DELIVERY' },
    ];
    const described: string[] = [];
    const put: string[] = [];
    const api: SubscriptionLogsApi = {
      describeLogGroups: async ({ prefix }) => ({ groups: groups.filter((g) => g.name.startsWith(prefix)) }),
      describeSubscriptionFilters: async (name) => (described.push(name), []),
      putSubscriptionFilter: async ({ logGroupName }) => void put.push(logGroupName),
    };
    const lines: Array<Record<string, unknown>> = [];
    const log = new Logger({}, 'info', { write: (line: string) => lines.push(JSON.parse(line)) });
    const config = loadSubscriberConfig({
      SUBSCRIBE_FORWARDER_PREFIXES: '/app/',
      SUBSCRIBE_FORWARDER_DESTINATION_ARN:
        'arn:aws:lambda:ap-northeast-2:123456789012:function:logpipe-dev-forwarder',
      SUBSCRIBE_FORWARDER_FILTER_NAME: 'logpipe-dev-forwarder',
    });

    const [summary] = await reconcileSubscriptions(api, config, noDeadline, log);

    expect(summary).toMatchObject({ matched: 4, subscribed: 2, not_standard_class: 2, failed: 0 });
    expect(put).toEqual(['/app/standard', '/app/no-class']);
    expect(described).toEqual(['/app/standard', '/app/no-class']);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: 'log groups not of the Standard class cannot be subscribed: skipped',
        target: 'forwarder',
        count: 2,
        log_groups: ['/app/archive (INFREQUENT_ACCESS)', '/app/vended (DELIVERY)'],
      }),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'subscriptions reconciled', not_standard_class: 2 }),
    );
  });
});
