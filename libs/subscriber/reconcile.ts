import { AppError } from '../runtime/errors';
import type { Deadline } from '../runtime/deadline';
import type { Logger } from '../runtime/logger';
import type { SubscriberConfig } from './config';
import type { SubscriptionLogsApi, SubscriptionTarget, TargetSummary } from './types';

/** Some log groups could not be subscribed this run: the invocation fails (Errors alarm); the next run retries them. */
export class SubscriptionError extends AppError {}

type Outcome = 'subscribed' | 'updated' | 'unchanged' | 'full';

/**
 * One group: its filters are read first, so a run changes nothing that is already right
 * (idempotent, and a group already sending to the target under another filter name is not sent
 * twice). A group holding two filters of others is left alone and said so: CloudWatch Logs
 * allows two subscription filters per group and refuses a third.
 */
async function subscribeGroup(
  api: SubscriptionLogsApi,
  target: SubscriptionTarget,
  logGroupName: string,
  log: Logger,
): Promise<Outcome> {
  const filters = await api.describeSubscriptionFilters(logGroupName);
  const mine = filters.find((f) => f.filterName === target.filterName);
  const current = mine ?? filters.find((f) => f.destinationArn === target.destinationArn);
  if (
    current !== undefined &&
    current.destinationArn === target.destinationArn &&
    (mine === undefined ||
      ((mine.filterPattern ?? '') === target.filterPattern &&
        (target.roleArn === undefined || mine.roleArn === target.roleArn)))
  )
    return 'unchanged';
  if (mine === undefined && filters.length >= 2) {
    log.warn('log group has two subscription filters already: not subscribed', {
      log_group: logGroupName,
      target: target.name,
      filters: filters.map((f) => f.filterName),
    });
    return 'full';
  }
  await api.putSubscriptionFilter({
    logGroupName,
    filterName: target.filterName,
    filterPattern: target.filterPattern,
    destinationArn: target.destinationArn,
    ...(target.roleArn === undefined ? {} : { roleArn: target.roleArn }),
  });
  return mine === undefined ? 'subscribed' : 'updated';
}

const emptySummary = (target: string): TargetSummary => ({
  target,
  matched: 0,
  subscribed: 0,
  updated: 0,
  unchanged: 0,
  excluded: 0,
  full: 0,
  failed: 0,
  unchecked: 0,
  not_standard_class: 0,
});

// Subscriptions apply to Standard log groups only; absent means Standard (older answers).
const canBeSubscribed = (logGroupClass: string | undefined) =>
  logGroupClass === undefined || logGroupClass === 'STANDARD';

/**
 * Puts the target's subscription filter on every log group whose name starts with one of its
 * prefixes, except those under the excluded prefixes (the stack's own groups: no feedback loop)
 * and those of the Infrequent Access or Delivery class (no subscription filters there). Stops looking
 * at the invocation's deadline; the next scheduled run starts over and skips, with one
 * DescribeSubscriptionFilters each, what is already subscribed. Throws SubscriptionError after
 * the run when some groups failed (the others are subscribed).
 */
export async function reconcileSubscriptions(
  api: SubscriptionLogsApi,
  config: SubscriberConfig,
  deadline: Deadline,
  log: Logger,
): Promise<TargetSummary[]> {
  const summaries: TargetSummary[] = [];
  let outOfTime = false;
  for (const target of config.targets) {
    const summary = emptySummary(target.name);
    summaries.push(summary);
    const seen = new Set<string>();
    const notStandard: Array<{ name: string; logGroupClass?: string }> = [];
    for (const prefix of target.prefixes) {
      let nextToken: string | undefined;
      do {
        if (deadline.expired()) outOfTime = true;
        if (outOfTime) break;
        const page = await api.describeLogGroups({ prefix, nextToken });
        for (const { name, logGroupClass } of page.groups) {
          if (seen.has(name)) continue; // two prefixes of one target can match one group
          seen.add(name);
          summary.matched++;
          if (config.excludedPrefixes.some((excluded) => name.startsWith(excluded))) {
            summary.excluded++;
            continue;
          }
          if (!canBeSubscribed(logGroupClass)) {
            // PutSubscriptionFilter would be refused: no call, and the run does not fail for it.
            summary.not_standard_class++;
            notStandard.push({ name, logGroupClass });
            continue;
          }
          if (outOfTime || deadline.expired()) {
            outOfTime = true;
            summary.unchecked++;
            continue;
          }
          try {
            summary[await subscribeGroup(api, target, name, log)]++;
          } catch (error) {
            summary.failed++;
            log.error('subscription failed', { log_group: name, target: target.name, error });
          }
        }
        nextToken = page.nextToken;
      } while (nextToken !== undefined);
    }
    if (notStandard.length > 0) {
      // Names in the log, at most 100 (a run's summary stays one line): the count is exact.
      log.warn('log groups not of the Standard class cannot be subscribed: skipped', {
        target: target.name,
        count: notStandard.length,
        log_groups: notStandard.slice(0, 100).map((g) => `${g.name} (${g.logGroupClass})`),
      });
    }
    log.info('subscriptions reconciled', { ...summary, out_of_time: outOfTime });
  }
  const failed = summaries.reduce((sum, s) => sum + s.failed, 0);
  if (failed > 0) throw new SubscriptionError(`${failed} log group(s) could not be subscribed (see the log)`);
  return summaries;
}
