/**
 * What the subscriber needs of CloudWatch Logs, as a port: the SDK adapter (aws.ts) in Lambda,
 * moto or a recording double in the tests.
 */
export interface ExistingFilter {
  filterName: string;
  destinationArn?: string;
  filterPattern?: string;
  roleArn?: string;
}

/** A log group as DescribeLogGroups lists it: its name and its class. */
export interface LogGroupInfo {
  name: string;
  /**
   * `STANDARD`, `INFREQUENT_ACCESS` or `DELIVERY`; absent from older answers (and moto's), which
   * means Standard. Subscription filters exist only on Standard groups.
   */
  logGroupClass?: string;
}

export interface SubscriptionLogsApi {
  /** One page of DescribeLogGroups with logGroupNamePrefix. */
  describeLogGroups(input: {
    prefix: string;
    nextToken?: string;
  }): Promise<{ groups: LogGroupInfo[]; nextToken?: string }>;
  describeSubscriptionFilters(logGroupName: string): Promise<ExistingFilter[]>;
  putSubscriptionFilter(input: {
    logGroupName: string;
    filterName: string;
    filterPattern: string;
    destinationArn: string;
    roleArn?: string;
  }): Promise<void>;
}

/** Where the groups matching some prefixes are subscribed: the forwarder, or the raw-logs Firehose stream. */
export interface SubscriptionTarget {
  /** `forwarder` or `firehose`: the name in logs and counts. */
  name: string;
  prefixes: string[];
  /** The subscription filter's name on every group: how a run recognises its own filter. */
  filterName: string;
  filterPattern: string;
  destinationArn: string;
  /** The role CloudWatch Logs assumes to put into Firehose (none for a Lambda function). */
  roleArn?: string;
}

/** One run's counts per target; `full` groups already had two filters of others. */
export interface TargetSummary {
  target: string;
  matched: number;
  subscribed: number;
  updated: number;
  unchanged: number;
  excluded: number;
  full: number;
  failed: number;
  /** Groups not looked at because the run's time ran out (the next run starts over). */
  unchecked: number;
  /**
   * Groups of the Infrequent Access (or Delivery) class: they cannot have subscription filters,
   * so they are skipped without a call and counted here (their names in a `warn` line).
   */
  not_standard_class: number;
}
