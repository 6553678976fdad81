import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { GlobalSecondaryIndexProps } from 'aws-cdk-lib/aws-dynamodb';
import { AccountRootPrincipal, PolicyDocument, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import {
  PREVIOUS_OUTBOX_INDEX,
  STREAM_VIEW_TYPE,
  TABLE_ATTRIBUTES,
  TABLE_INDEXES,
  type TableIndex,
} from '#functions/table-schema';
import { RETAIN_STATEFUL } from './stateful';

/**
 * Key administration, for the account's administrators (IAM decides who): everything except the
 * cryptographic operations. `kms:CreateGrant` is left out too, because a grant can hand out
 * decryption; DynamoDB's own grants are covered by the statement below.
 */
export const KEY_ADMIN_ACTIONS = [
  'kms:CreateAlias',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:RotateKeyOnDemand',
];

/** Cryptographic use, only ever through the services that hold the data (see {@link keyPolicy}). */
export const KEY_USE_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
  'kms:DescribeKey',
  'kms:CreateGrant',
];

/**
 * The services through which this account's principals may use the key: DynamoDB (the table and
 * its stream) and SQS (the dead-letter queue). A new resource encrypted with the key through
 * another service must add that service here, or its callers get AccessDenied from KMS.
 */
export const KEY_USE_SERVICES = ['dynamodb', 'sqs'] as const;

/**
 * The key policy, instead of CDK's default "account root may do `kms:*`" (which lets anyone whose
 * IAM policy says `kms:*` decrypt patient data directly, with no statement saying so):
 *
 * - administration (rotation, disabling, deletion, the policy itself) by the account, through IAM;
 * - cryptographic use by the account's principals (the function roles, the operator CLI) only
 *   through DynamoDB and SQS (`kms:ViaService`), never by calling KMS directly, so a copy of the
 *   ciphertext is useless outside those services;
 * - the service principals that encrypt what they write (CloudWatch Logs, CloudWatch alarms to the
 *   alarm topic, SES events to the email-event topic) in their own statements, each scoped to this
 *   account.
 *
 * What it does not do: stop a principal allowed to read the table from reading it (that is IAM on
 * the table), or stop an administrator from changing this policy (`kms:PutKeyPolicy` must stay
 * with someone; CloudTrail records the change).
 */
function keyPolicy(stack: Stack): PolicyDocument {
  return new PolicyDocument({
    statements: [
      new PolicyStatement({
        sid: 'KeyAdministrationByTheAccount',
        principals: [new AccountRootPrincipal()],
        actions: KEY_ADMIN_ACTIONS,
        resources: ['*'],
      }),
      new PolicyStatement({
        sid: 'UseOnlyThroughTheDataServices',
        principals: [new AccountRootPrincipal()],
        actions: KEY_USE_ACTIONS,
        resources: ['*'],
        conditions: {
          StringEquals: {
            'kms:CallerAccount': stack.account,
            'kms:ViaService': KEY_USE_SERVICES.map((service) => `${service}.${stack.region}.amazonaws.com`),
          },
        },
      }),
    ],
  });
}

/**
 * The data at rest: one customer-managed KMS key and the one DynamoDB table (key design in
 * `docs/data-model.md`, attribute names from `functions/table-schema.ts`).
 *
 * The same key also encrypts the log groups, the dead-letter queue and the alarm topic: they are
 * all part of the patient-data boundary of one deployment, and one key keeps its policy and its
 * audit trail (CloudTrail decrypt events) in one place.
 */
export interface DataConstructProps {
  /** Also keep the outbox index of earlier deployments (`PREVIOUS_OUTBOX_INDEX`), for an upgrade. */
  keepPreviousOutboxIndex?: boolean;
}

export class DataConstruct extends Construct {
  readonly key: Key;
  readonly table: Table;

  constructor(scope: Construct, id: string, props: DataConstructProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);

    this.key = new Key(this, 'Key', {
      description: 'trial-screener: patient data at rest (table, logs, dead-letter queue, alarm and email-event topics)',
      enableKeyRotation: true,
      policy: keyPolicy(stack),
      removalPolicy: RETAIN_STATEFUL,
    });
    // CloudWatch Logs encrypts log groups with the key only when the key policy lets the service
    // use it, and only for this account's log groups in this region.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchLogsEncryptsThisAccountsLogGroups',
        principals: [new ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );

    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE_ATTRIBUTES.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_ATTRIBUTES.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      stream: StreamViewType[STREAM_VIEW_TYPE],
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      timeToLiveAttribute: TABLE_ATTRIBUTES.expiresAt,
      removalPolicy: RETAIN_STATEFUL,
    });
    // The indexes as `functions/table-schema.ts` defines them (the local and test tables too).
    for (const index of TABLE_INDEXES) this.table.addGlobalSecondaryIndex(indexProps(index));
    // For one deploy of an upgrade only (see `keepPreviousOutboxIndex`): nothing reads it any more.
    if (props.keepPreviousOutboxIndex) this.table.addGlobalSecondaryIndex(indexProps(PREVIOUS_OUTBOX_INDEX));
    Validations.of(this.table).acknowledge({
      id: 'HIPAA.Security-DynamoDBInBackupPlan',
      reason:
        'Point-in-time recovery (35-day window) is the backup. An AWS Backup plan would keep snapshots holding ' +
        'erased patient data (DELETE /screenings/{id}) for its whole retention, well past that window.',
    });
  }
}

/** One index of the table schema as CDK's `addGlobalSecondaryIndex` takes it. */
function indexProps(index: TableIndex): GlobalSecondaryIndexProps {
  return {
    indexName: index.name,
    partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
    sortKey: { name: index.sortKey, type: AttributeType.STRING },
    ...(index.projection.type === 'INCLUDE'
      ? { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...index.projection.nonKeyAttributes] }
      : { projectionType: ProjectionType[index.projection.type] }),
  };
}
