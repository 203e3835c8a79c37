/**
 * What CloudFormation calls, with the deploying identity's credentials (the stack has no service
 * role), to create, read, update and delete each resource type of our templates: the handler
 * permissions of the type's resource schema, less the ones for features our templates do not
 * use (VPCs, file systems, S3 Tables, code signing...). `test/deploy/deployer-policy.integration.test.ts`
 * checks every action against the schemas and the IAM action list cfn-lint ships (pinned in
 * tools/peers/requirements.txt), and that every type a stage packages has an entry here.
 *
 * Actions are grouped by the kind of ARN they are scoped to (deployer-policy.ts builds the ARNs
 * from the stack's name); `any` holds the actions IAM cannot scope to a resource.
 */
export type ArnKind =
  | 'stack'
  | 'bucket'
  | 'deploymentObjects'
  | 'logGroup'
  | 'logDestination'
  | 'function'
  | 'eventSourceMapping'
  | 'queue'
  | 'topic'
  | 'role'
  | 'deliveryStream'
  | 'alarm'
  | 'rule'
  | 'schedule'
  | 'key'
  | 'table'
  | 'any';

export type TypeActions = Partial<Record<ArnKind, readonly string[]>>;

/** The actions of the roles CloudFormation hands to a service (Lambda, Firehose, CloudWatch Logs). */
const PASS_ROLE = ['iam:PassRole'];

export const RESOURCE_ACTIONS: Readonly<Record<string, TypeActions>> = {
  'AWS::CloudWatch::Alarm': {
    alarm: [
      'cloudwatch:PutMetricAlarm',
      'cloudwatch:DeleteAlarms',
      'cloudwatch:DescribeAlarms',
      'cloudwatch:TagResource',
      'cloudwatch:UntagResource',
      'cloudwatch:ListTagsForResource',
    ],
  },
  // The notifier's alarm ledger (resources/notifier.yml): on-demand, TTL, point-in-time recovery.
  'AWS::DynamoDB::Table': {
    table: [
      'dynamodb:CreateTable',
      'dynamodb:DescribeTable',
      'dynamodb:UpdateTable',
      'dynamodb:DeleteTable',
      'dynamodb:DescribeTimeToLive',
      'dynamodb:UpdateTimeToLive',
      'dynamodb:DescribeContinuousBackups',
      'dynamodb:UpdateContinuousBackups',
      'dynamodb:DescribeContributorInsights',
      'dynamodb:DescribeKinesisStreamingDestination',
      'dynamodb:GetResourcePolicy',
      'dynamodb:ListTagsOfResource',
      'dynamodb:TagResource',
      'dynamodb:UntagResource',
    ],
  },
  'AWS::Events::Rule': {
    rule: [
      'events:PutRule',
      'events:DescribeRule',
      'events:DeleteRule',
      'events:PutTargets',
      'events:RemoveTargets',
      'events:ListTargetsByRule',
      'events:TagResource',
      'events:UntagResource',
      'events:ListTagsForResource',
    ],
  },
  'AWS::IAM::Role': {
    role: [
      'iam:CreateRole',
      'iam:GetRole',
      'iam:UpdateRole',
      'iam:UpdateRoleDescription',
      'iam:UpdateAssumeRolePolicy',
      'iam:DeleteRole',
      'iam:PutRolePolicy',
      'iam:GetRolePolicy',
      'iam:DeleteRolePolicy',
      'iam:ListRolePolicies',
      'iam:ListAttachedRolePolicies',
      'iam:TagRole',
      'iam:UntagRole',
    ],
  },
  'AWS::KinesisFirehose::DeliveryStream': {
    deliveryStream: [
      'firehose:CreateDeliveryStream',
      'firehose:DescribeDeliveryStream',
      'firehose:UpdateDestination',
      'firehose:DeleteDeliveryStream',
      'firehose:TagDeliveryStream',
      'firehose:UntagDeliveryStream',
      'firehose:ListTagsForDeliveryStream',
    ],
    role: [...PASS_ROLE, 'iam:GetRole'],
  },
  // The stage's own KMS key (param encryptionKey: stack). Its id is a UUID KMS chooses, so the
  // ARN is scoped to this account's and region's keys; CreateKey has no resource to scope to.
  'AWS::KMS::Key': {
    key: [
      'kms:DescribeKey',
      'kms:GetKeyPolicy',
      'kms:PutKeyPolicy',
      'kms:GetKeyRotationStatus',
      'kms:EnableKeyRotation',
      'kms:DisableKeyRotation',
      'kms:EnableKey',
      'kms:DisableKey',
      'kms:UpdateKeyDescription',
      'kms:ScheduleKeyDeletion',
      'kms:TagResource',
      'kms:UntagResource',
      'kms:ListResourceTags',
    ],
    any: ['kms:CreateKey'],
  },
  'AWS::Lambda::EventInvokeConfig': {
    function: [
      'lambda:PutFunctionEventInvokeConfig',
      'lambda:UpdateFunctionEventInvokeConfig',
      'lambda:GetFunctionEventInvokeConfig',
      'lambda:DeleteFunctionEventInvokeConfig',
    ],
  },
  'AWS::Lambda::EventSourceMapping': {
    any: ['lambda:CreateEventSourceMapping'],
    eventSourceMapping: [
      'lambda:GetEventSourceMapping',
      'lambda:UpdateEventSourceMapping',
      'lambda:DeleteEventSourceMapping',
      'lambda:TagResource',
      'lambda:UntagResource',
      'lambda:ListTags',
    ],
  },
  'AWS::Lambda::Function': {
    function: [
      'lambda:CreateFunction',
      'lambda:GetFunction',
      'lambda:UpdateFunctionCode',
      'lambda:UpdateFunctionConfiguration',
      'lambda:DeleteFunction',
      'lambda:PutFunctionConcurrency',
      'lambda:DeleteFunctionConcurrency',
      'lambda:GetRuntimeManagementConfig',
      'lambda:GetFunctionCodeSigningConfig',
      'lambda:GetFunctionRecursionConfig',
      'lambda:GetFunctionScalingConfig',
      'lambda:TagResource',
      'lambda:UntagResource',
      'lambda:PublishVersion',
    ],
    deploymentObjects: ['s3:GetObject', 's3:GetObjectVersion'], // the code zips
    role: PASS_ROLE,
  },
  'AWS::Lambda::Permission': {
    function: ['lambda:AddPermission', 'lambda:RemovePermission', 'lambda:GetPolicy'],
  },
  'AWS::Lambda::Version': {
    function: [
      'lambda:PublishVersion',
      'lambda:GetFunctionConfiguration',
      'lambda:ListVersionsByFunction',
      'lambda:DeleteFunction',
      'lambda:GetProvisionedConcurrencyConfig',
      'lambda:GetRuntimeManagementConfig',
      'lambda:GetFunctionScalingConfig',
    ],
  },
  'AWS::Logs::AccountPolicy': {
    // An account policy is the account's, not a log group's: IAM has no resource to scope it to.
    any: ['logs:PutAccountPolicy', 'logs:DeleteAccountPolicy', 'logs:DescribeAccountPolicies'],
    // A subscription filter policy puts subscriptions on the account's log groups, to our destination.
    logGroup: ['logs:PutSubscriptionFilter', 'logs:DeleteSubscriptionFilter', 'logs:GetTransformer'],
    logDestination: ['logs:PutSubscriptionFilter'],
    role: PASS_ROLE,
  },
  'AWS::Logs::Destination': {
    logDestination: [
      'logs:PutDestination',
      'logs:PutDestinationPolicy',
      'logs:DeleteDestination',
      'logs:TagResource',
      'logs:UntagResource',
      'logs:ListTagsForResource',
    ],
    any: ['logs:DescribeDestinations'],
    role: PASS_ROLE,
  },
  'AWS::Logs::LogGroup': {
    logGroup: [
      'logs:CreateLogGroup',
      'logs:DeleteLogGroup',
      'logs:PutRetentionPolicy',
      'logs:DeleteRetentionPolicy',
      'logs:TagResource',
      'logs:UntagResource',
      'logs:ListTagsForResource',
      'logs:GetDataProtectionPolicy',
    ],
    any: ['logs:DescribeLogGroups', 'logs:DescribeIndexPolicies', 'logs:DescribeResourcePolicies'],
  },
  'AWS::Logs::LogStream': {
    logGroup: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:DeleteLogStream'],
  },
  'AWS::Logs::MetricFilter': {
    logGroup: ['logs:PutMetricFilter', 'logs:DescribeMetricFilters', 'logs:DeleteMetricFilter'],
  },
  'AWS::Logs::SubscriptionFilter': {
    logGroup: [
      'logs:PutSubscriptionFilter',
      'logs:DescribeSubscriptionFilters',
      'logs:DeleteSubscriptionFilter',
    ],
    logDestination: ['logs:PutSubscriptionFilter'],
    role: PASS_ROLE,
  },
  'AWS::S3::Bucket': {
    bucket: [
      's3:CreateBucket',
      's3:DeleteBucket',
      's3:ListBucket',
      's3:GetBucketAcl',
      's3:PutEncryptionConfiguration',
      's3:GetEncryptionConfiguration',
      's3:PutBucketPublicAccessBlock',
      's3:GetBucketPublicAccessBlock',
      's3:PutLifecycleConfiguration',
      's3:GetLifecycleConfiguration',
      's3:PutBucketVersioning',
      's3:GetBucketVersioning',
      's3:PutBucketOwnershipControls',
      's3:GetBucketOwnershipControls',
      's3:PutBucketNotification',
      's3:GetBucketNotification',
      's3:PutBucketTagging',
      's3:GetBucketTagging',
      's3:ListTagsForResource',
      's3:TagResource',
      's3:UntagResource',
      // Read after every create and update, whether the feature is used or not.
      's3:GetAccelerateConfiguration',
      's3:GetAnalyticsConfiguration',
      's3:GetBucketCORS',
      's3:GetBucketLogging',
      's3:GetBucketMetadataTableConfiguration',
      's3:GetBucketObjectLockConfiguration',
      's3:GetBucketWebsite',
      's3:GetIntelligentTieringConfiguration',
      's3:GetInventoryConfiguration',
      's3:GetMetricsConfiguration',
      's3:GetReplicationConfiguration',
      's3:GetBucketAbac',
    ],
  },
  'AWS::S3::BucketPolicy': {
    bucket: ['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy'],
  },
  'AWS::Scheduler::Schedule': {
    schedule: [
      'scheduler:CreateSchedule',
      'scheduler:GetSchedule',
      'scheduler:UpdateSchedule',
      'scheduler:DeleteSchedule',
    ],
    role: PASS_ROLE,
  },
  'AWS::SNS::Subscription': {
    topic: [
      'sns:Subscribe',
      'sns:Unsubscribe',
      'sns:GetSubscriptionAttributes',
      'sns:SetSubscriptionAttributes',
    ],
  },
  'AWS::SNS::Topic': {
    topic: [
      'sns:CreateTopic',
      'sns:DeleteTopic',
      'sns:GetTopicAttributes',
      'sns:SetTopicAttributes',
      'sns:ListSubscriptionsByTopic',
      'sns:GetDataProtectionPolicy',
      'sns:Subscribe',
      'sns:Unsubscribe',
      'sns:TagResource',
      'sns:UntagResource',
      'sns:ListTagsForResource',
    ],
  },
  'AWS::SQS::Queue': {
    queue: [
      'sqs:CreateQueue',
      'sqs:GetQueueUrl',
      'sqs:GetQueueAttributes',
      'sqs:SetQueueAttributes',
      'sqs:DeleteQueue',
      'sqs:TagQueue',
      'sqs:UntagQueue',
      'sqs:ListQueueTags',
    ],
  },
};

/**
 * Actions a type needs only when a resource of it sets the property: granted to the stages
 * that use the feature, so a stage without it keeps a policy that fits one managed policy.
 * Turning a feature off is an update that still needs its actions: deploy that change with the
 * policy generated before it (docs/deploy.md "Security scan").
 */
export const PROPERTY_ACTIONS: Readonly<Record<string, Readonly<Record<string, TypeActions>>>> = {
  'AWS::Logs::LogGroup': {
    KmsKeyId: { logGroup: ['logs:AssociateKmsKey', 'logs:DisassociateKmsKey'] }, // param encryptionKey
  },
  'AWS::S3::Bucket': {
    LoggingConfiguration: { bucket: ['s3:PutBucketLogging'] }, // param accessLogBucket
  },
};

/**
 * What the framework itself calls, besides the stack's resources (osls `deploy`, `info`,
 * `remove`): the stack and its change sets, the template check, the deployment bucket's objects.
 */
export const FRAMEWORK_ACTIONS: TypeActions = {
  stack: [
    'cloudformation:CreateStack',
    'cloudformation:UpdateStack',
    'cloudformation:DeleteStack',
    'cloudformation:DescribeStacks',
    'cloudformation:DescribeStackEvents',
    'cloudformation:DescribeStackResource',
    'cloudformation:DescribeStackResources',
    'cloudformation:ListStackResources',
    'cloudformation:GetTemplate',
    'cloudformation:CreateChangeSet',
    'cloudformation:DescribeChangeSet',
    'cloudformation:ExecuteChangeSet',
    'cloudformation:DeleteChangeSet',
  ],
  any: ['cloudformation:ValidateTemplate'],
  bucket: ['s3:ListBucket', 's3:GetBucketLocation'],
  deploymentObjects: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
  function: ['lambda:GetFunction'], // whether a function's code changed
};

/**
 * Handler permissions left out on purpose: they write features our templates do not declare
 * (the property that would need them in parentheses). A template that starts using one needs
 * its actions moved into RESOURCE_ACTIONS; the test fails on a handler permission in neither.
 */
export const NOT_USED: Readonly<Record<string, readonly string[]>> = {
  'AWS::DynamoDB::Table': [
    'dynamodb:DescribeImport', // ImportSourceSpecification
    'dynamodb:ImportTable',
    'dynamodb:UpdateContributorInsights', // ContributorInsightsSpecification
    'dynamodb:EnableKinesisStreamingDestination', // KinesisStreamSpecification
    'dynamodb:DisableKinesisStreamingDestination',
    'dynamodb:UpdateKinesisStreamingDestination',
    'dynamodb:PutResourcePolicy', // ResourcePolicy
    'dynamodb:DeleteResourcePolicy',
    'dynamodb:CreateTableReplica', // global tables
    'dynamodb:AssociateTableReplica',
    // Item access the handlers list for imports and replicas; CloudFormation does not touch items here.
    'dynamodb:Scan',
    'dynamodb:Query',
    'dynamodb:UpdateItem',
    'dynamodb:PutItem',
    'dynamodb:GetItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
  ],
  'AWS::IAM::Role': [
    'iam:AttachRolePolicy', // ManagedPolicyArns: our roles have inline policies only
    'iam:DetachRolePolicy',
    'iam:PutRolePermissionsBoundary', // PermissionsBoundary
    'iam:DeleteRolePermissionsBoundary',
  ],
  'AWS::KinesisFirehose::DeliveryStream': [
    'firehose:StartDeliveryStreamEncryption', // DeliveryStreamEncryptionConfigurationInput
    'firehose:StopDeliveryStreamEncryption',
  ],
  'AWS::Lambda::Function': [
    'lambda:GetCodeSigningConfig', // CodeSigningConfigArn
    'lambda:PutFunctionCodeSigningConfig',
    'lambda:DeleteFunctionCodeSigningConfig',
    'lambda:GetLayerVersion', // Layers
    'lambda:PutRuntimeManagementConfig', // RuntimeManagementConfig
    'lambda:PutFunctionRecursionConfig', // RecursiveLoop
    'lambda:PutFunctionScalingConfig', // FunctionScalingConfig
    'lambda:PassCapacityProvider', // CapacityProviderConfig
    'lambda:AssociateRuntimeAlias',
  ],
  'AWS::Lambda::Version': [
    'lambda:PutProvisionedConcurrencyConfig', // ProvisionedConcurrencyConfig
    'lambda:PutRuntimeManagementConfig', // RuntimeManagementConfig
    'lambda:PutFunctionScalingConfig', // FunctionScalingConfig
  ],
  'AWS::Logs::AccountPolicy': [
    // Policy types other than SUBSCRIPTION_FILTER_POLICY
    'logs:PutIndexPolicy',
    'logs:DeleteIndexPolicy',
    'logs:PutDataProtectionPolicy',
    'logs:DeleteDataProtectionPolicy',
    'logs:PutTransformer',
    'logs:DeleteTransformer',
    'logs:PutMetricExtractionPolicy',
    'logs:DeleteMetricExtractionPolicy',
    'logs:GetMetricExtractionPolicy',
    'logs:CreateLogDelivery',
  ],
  'AWS::Logs::LogGroup': [
    'logs:PutDataProtectionPolicy', // DataProtectionPolicy
    'logs:DeleteDataProtectionPolicy',
    'logs:PutIndexPolicy', // FieldIndexPolicies
    'logs:DeleteIndexPolicy',
    'logs:PutResourcePolicy', // ResourcePolicyDocument
    'logs:DeleteResourcePolicy',
    'logs:CreateLogDelivery',
    'logs:PutBearerTokenAuthentication', // BearerTokenAuthenticationEnabled
    'logs:PutLogGroupDeletionProtection', // DeletionProtectionEnabled
  ],
  'AWS::S3::Bucket': [
    's3:PutBucketAcl', // AccessControl
    's3:PutObjectAcl',
    's3:PutBucketAbac',
    's3:PutAnalyticsConfiguration', // AnalyticsConfigurations
    's3:PutBucketCORS', // CorsConfiguration
    's3:PutInventoryConfiguration', // InventoryConfigurations
    's3:PutMetricsConfiguration', // MetricsConfigurations
    's3:PutReplicationConfiguration', // ReplicationConfiguration
    's3:PutBucketReplication',
    's3:PutBucketWebsite', // WebsiteConfiguration
    's3:DeleteBucketWebsite',
    's3:PutAccelerateConfiguration', // AccelerateConfiguration
    's3:PutBucketObjectLockConfiguration', // ObjectLockConfiguration
    's3:PutObjectLockConfiguration',
    's3:DeleteObject',
    's3:PutIntelligentTieringConfiguration', // IntelligentTieringConfigurations
    's3:CreateBucketMetadataTableConfiguration', // MetadataTableConfiguration
    's3:DeleteBucketMetadataTableConfiguration',
    's3:UpdateBucketMetadataJournalTableConfiguration',
    's3:UpdateBucketMetadataInventoryTableConfiguration',
    's3:UpdateBucketMetadataAnnotationTableConfiguration',
  ],
  'AWS::SNS::Topic': ['sns:PutDataProtectionPolicy'], // DataProtectionPolicy
};
