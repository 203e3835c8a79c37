import { listVar, optionalString, type Env } from '../runtime/env';
import { ConfigError } from '../runtime/errors';
import { LOG_GROUP_NAME_PREFIX } from '../runtime/stack-constants';
import type { SubscriptionTarget } from './types';

/**
 * The subscriber's configuration, from the environment resources/subscriber.js writes. Each
 * target: SUBSCRIBE_<TARGET>_PREFIXES (comma-separated), _DESTINATION_ARN, _FILTER_NAME,
 * _FILTER_PATTERN and for Firehose _ROLE_ARN. SUBSCRIBE_EXCLUDE_PREFIXES: where the stack's own
 * log groups live (its functions', its Firehose error log): never subscribed, or their lines
 * would come back to the pipeline for ever.
 */
export interface SubscriberConfig {
  targets: SubscriptionTarget[];
  excludedPrefixes: readonly string[];
}

const PREFIX = LOG_GROUP_NAME_PREFIX;

function target(env: Env, name: string, upper: string): SubscriptionTarget | undefined {
  const prefixesVar = `SUBSCRIBE_${upper}_PREFIXES`;
  const prefixes = listVar(env, prefixesVar);
  if (prefixes.length === 0) return undefined;
  for (const prefix of prefixes)
    if (!PREFIX.test(prefix))
      throw new ConfigError(prefixesVar, `"${prefix}" is not a log group name prefix (no wildcards)`);
  const required = (suffix: string) => {
    const value = optionalString(env, `SUBSCRIBE_${upper}_${suffix}`);
    if (value === undefined)
      throw new ConfigError(`SUBSCRIBE_${upper}_${suffix}`, `required with ${prefixesVar}`);
    return value;
  };
  return {
    name,
    prefixes,
    destinationArn: required('DESTINATION_ARN'),
    filterName: required('FILTER_NAME'),
    filterPattern: optionalString(env, `SUBSCRIBE_${upper}_FILTER_PATTERN`) ?? '',
    ...(upper === 'FIREHOSE' ? { roleArn: required('ROLE_ARN') } : {}),
  };
}

export function loadSubscriberConfig(env: Env): SubscriberConfig {
  const targets = [target(env, 'forwarder', 'FORWARDER'), target(env, 'firehose', 'FIREHOSE')].filter(
    (t): t is SubscriptionTarget => t !== undefined,
  );
  return {
    targets,
    excludedPrefixes: listVar(env, 'SUBSCRIBE_EXCLUDE_PREFIXES'),
  };
}
