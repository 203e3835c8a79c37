export { loadSubscriberConfig, type SubscriberConfig } from './config';
export { reconcileSubscriptions, SubscriptionError } from './reconcile';
export { sdkSubscriptionLogsApi } from './aws';
export type { SubscriptionLogsApi, SubscriptionTarget, TargetSummary } from './types';
