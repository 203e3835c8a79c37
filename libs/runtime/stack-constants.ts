import constants from './stack-constants.json';

/**
 * The values the stack (resources/*.js, which `require` the JSON) and the functions' code both
 * rely on, written once in stack-constants.json: typed views of it for the TypeScript side. A
 * param the stack validates while packaging is checked against the same list the function
 * checks its variable against at cold start, and an alarm watches the metric the code publishes.
 */

/** The EMF namespace of every metric the functions publish (resources/metric-alarms.yml alarms on them). */
export const METRICS_NAMESPACE: string = constants.metricsNamespace;

/** The dimensions every metric is published under (resources/metric-alarms.js alarms on the same). */
export const EMF_DIMENSIONS = constants.emfDimensions as {
  readonly service: string;
  readonly function: string;
};

/** Names of the EMF metrics the stack alarms on (resources/metric-alarms.yml `emfMetric`). */
export const EMF_METRICS = constants.emfMetrics as {
  readonly deadLettered: 'DeadLettered';
  readonly maxCheckpointLagSeconds: 'MaxCheckpointLagSeconds';
};

/**
 * A JSON list as the union of values the code handles: the types name the values each `switch`
 * covers (TypeScript cannot read literal types from JSON), the lists live in the JSON only.
 */
const valuesOf = <T extends string>(values: readonly string[]) => values as readonly T[];

/** DESTINATION_KIND values (param destinationKind; '' lets the URL decide). */
export const DESTINATION_KINDS = valuesOf<'elasticsearch' | 'logstash' | 'stdout'>(
  constants.destinationKinds,
);

/** DESTINATION_AUTH values (param destinationAuth). */
export const AUTH_KINDS = valuesOf<'none' | 'basic' | 'apikey' | 'sigv4'>(constants.destinationAuthKinds);

/** Where dead letters go in the dead-letter bucket; the stack gives each function `<this><function>/`. */
export const DEAD_LETTER_PREFIX: string = constants.deadLetterPrefix;

/** EXPORT_PRUNE_MODE values (param exporterPruneMode). */
export const PRUNE_MODES = valuesOf<'none' | 'streams' | 'retention' | 'both'>(constants.exporterPruneModes);

/** The exporter's two prefixes in its bucket: what the logs service writes, and its own checkpoints. */
export const EXPORT_PREFIX: string = constants.exporterExportPrefix;
export const EXPORT_STATE_PREFIX: string = constants.exporterStatePrefix;

/** A prefix of log group names as DescribeLogGroups takes it (no wildcards). */
export const LOG_GROUP_NAME_PREFIX = new RegExp(constants.logGroupNamePrefixPattern);

/** A role in another account the notifier assumes (ALARM_ACCOUNT_ROLES); group 1 is its account. */
export const ALARM_ACCOUNT_ROLE_ARN = new RegExp(constants.alarmAccountRoleArnPattern);
