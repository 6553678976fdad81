/**
 * The one table's key design (see `docs/data-model.md`): attribute names, key prefixes and the
 * outbox index. The CDK stack (`lib/`), the repositories (`functions/adapters/`), the local
 * runtime and the test setup all build keys from here, so a prefix is never spelt twice.
 *
 * This file must stay free of imports so that CDK can load it without pulling in the AWS SDK.
 */

export const TABLE_ATTRIBUTES = {
  partitionKey: 'PK',
  sortKey: 'SK',
  /** Epoch seconds; DynamoDB's TTL deletes the item some time after it passes. */
  expiresAt: 'expiresAt',
  /** Present on every item; the stream filter of lead delivery matches on it. */
  entityType: 'entityType',
} as const;

/**
 * The Confirmation item's copy of the screening token in clear, for the erasure link of the
 * patient's email; removed when delivery records SENT or FAILED (see `docs/data-model.md`).
 */
export const SCREENING_TOKEN_ATTRIBUTE = 'screeningToken';

/** The sparse index that holds only outbound messages (leads, confirmations) by delivery status. */
export const OUTBOX_INDEX = {
  name: 'GSI1',
  partitionKey: 'GSI1PK',
  sortKey: 'GSI1SK',
} as const;

/**
 * The sparse index of outbound messages the reconciler must look at, by when: a PENDING message
 * at its `nextAttemptAt`, a SENDING one when its claim goes stale. SENT and FAILED messages leave
 * it, so the reconciler reads only what is due (`GSI2SK <= now`), never a scan or a status list.
 * One partition: the reconciler reads it in time order, and it holds only undelivered messages.
 */
export const DUE_INDEX = {
  name: 'GSI2',
  partitionKey: 'GSI2PK',
  sortKey: 'GSI2SK',
} as const;

/** The one partition of the due index. */
export const DUE_PARTITION = 'OUTBOX#DUE';

/** The stream carries new images only: delivery needs the inserted item, never the old one. */
export const STREAM_VIEW_TYPE = 'NEW_IMAGE' as const;

export const ENTITY_TYPES = [
  'SCREENER',
  'CATALOG_POINTER',
  'CATALOG_TRIAL',
  'SCREENING',
  'IDEMPOTENCY',
  'REFERRAL',
  'LEAD',
  'CONFIRMATION',
  'REGISTRY_SYNC',
  'SITE_PAUSE',
  'DISCLOSURE',
] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

/**
 * Delivery statuses of outbound messages, mirrored in `OUTBOX#<status>` index keys. `BOUNCED`: SES
 * accepted the message (it was SENT) but the receiving server refused it for good (a hard bounce).
 */
export type OutboxStatus = 'PENDING' | 'SENDING' | 'SENT' | 'FAILED' | 'BOUNCED';

export interface ItemKey {
  PK: string;
  SK: string;
}

/** Partition of the screener items (all screeners share it so listing is one query). */
export const SCREENERS_PARTITION = 'SCREENER';

/** Partition of every site pause (few items: one query per screening reads them all). */
export const SITE_PAUSES_PARTITION = 'SITE_PAUSES';

/** Partition of the catalog pointer; a catalog version's trials are in `CATALOG#<version>`. */
export const CATALOG_POINTER_PARTITION = 'CATALOG';

/** The prefixes of partition keys that carry an id (`<prefix>#<id>`). */
export const PARTITION_PREFIXES = {
  catalog: CATALOG_POINTER_PARTITION,
  screening: 'SCREENING',
  idempotency: 'IDEMPOTENCY',
  lead: 'LEAD',
  confirmation: 'CONFIRMATION',
  disclosure: 'DISCLOSURE',
} as const;

/**
 * Every partition key of each kind of partition, as IAM `StringLike` patterns: what the stack's
 * `dynamodb:LeadingKeys` conditions allow a function that declares the kind in its manifest entry.
 */
export const PARTITION_KEY_PATTERNS = {
  screeners: [SCREENERS_PARTITION],
  catalog: [CATALOG_POINTER_PARTITION, `${PARTITION_PREFIXES.catalog}#*`],
  screening: [`${PARTITION_PREFIXES.screening}#*`],
  idempotency: [`${PARTITION_PREFIXES.idempotency}#*`],
  lead: [`${PARTITION_PREFIXES.lead}#*`],
  confirmation: [`${PARTITION_PREFIXES.confirmation}#*`],
  sitePauses: [SITE_PAUSES_PARTITION],
  disclosure: [`${PARTITION_PREFIXES.disclosure}#*`],
} as const satisfies Record<string, readonly string[]>;

/** Key builders for every entity; the only place where key prefixes are written. */
export const itemKeys = {
  screener: (screenerId: string): ItemKey => ({ PK: SCREENERS_PARTITION, SK: `SCREENER#${screenerId}` }),
  catalogPointer: (): ItemKey => ({ PK: CATALOG_POINTER_PARTITION, SK: 'CURRENT' }),
  /** The registry sync's state: when it last succeeded (the next one is incremental from it). */
  registrySync: (): ItemKey => ({ PK: CATALOG_POINTER_PARTITION, SK: 'REGISTRY_SYNC' }),
  catalogTrial: (catalogVersion: string, nctId: string): ItemKey => ({
    PK: catalogPartition(catalogVersion),
    SK: `TRIAL#${nctId}`,
  }),
  screening: (screeningId: string): ItemKey => ({ PK: screeningPartition(screeningId), SK: 'SCREENING' }),
  referral: (screeningId: string): ItemKey => ({ PK: screeningPartition(screeningId), SK: 'REFERRAL' }),
  /** `keyHash` is the SHA-256 (hex) of the client's Idempotency-Key, never the key itself. */
  idempotency: (keyHash: string): ItemKey => ({ PK: `${PARTITION_PREFIXES.idempotency}#${keyHash}`, SK: 'IDEMPOTENCY' }),
  lead: (leadId: string): ItemKey => ({ PK: `${PARTITION_PREFIXES.lead}#${leadId}`, SK: 'LEAD' }),
  /** A trial's site that takes no new leads. */
  sitePause: (trialId: string, siteId: string): ItemKey => ({ PK: SITE_PAUSES_PARTITION, SK: `SITE#${trialId}#${siteId}` }),
  /** An address that takes no new leads (lower-cased), for example after a hard bounce. */
  addressPause: (address: string): ItemKey => ({ PK: SITE_PAUSES_PARTITION, SK: `ADDRESS#${address}` }),
  /** What an erased screening's leads disclosed to which sites (no patient data). */
  disclosure: (screeningId: string): ItemKey => ({ PK: `${PARTITION_PREFIXES.disclosure}#${screeningId}`, SK: 'DISCLOSURE' }),
  confirmation: (confirmationId: string): ItemKey => ({
    PK: `${PARTITION_PREFIXES.confirmation}#${confirmationId}`,
    SK: 'CONFIRMATION',
  }),
};

/** Partition holding every trial of one catalog version. */
export function catalogPartition(catalogVersion: string): string {
  return `${PARTITION_PREFIXES.catalog}#${catalogVersion}`;
}

/** Partition holding a screening and its referral. */
export function screeningPartition(screeningId: string): string {
  return `${PARTITION_PREFIXES.screening}#${screeningId}`;
}

/** Outbox index keys of a lead or confirmation in `status`, ordered by last update. */
export function outboxKeys(status: OutboxStatus, updatedAt: string, id: string): { GSI1PK: string; GSI1SK: string } {
  return { GSI1PK: outboxPartition(status), GSI1SK: `${updatedAt}#${id}` };
}

/** Due index keys of a message the reconciler must look at from `dueAt` (ISO) on. */
export function dueKeys(dueAt: string, id: string): { GSI2PK: string; GSI2SK: string } {
  return { GSI2PK: DUE_PARTITION, GSI2SK: `${dueAt}#${id}` };
}

/** The upper bound of due-index sort keys for everything due at `now` (ISO) or earlier. */
export function dueUpTo(now: string): string {
  // `~` sorts after `#` and every id character, so `<dueAt>#<id>` for any dueAt <= now is below it.
  return `${now}~`;
}

/** Outbox index partition of one delivery status. */
export function outboxPartition(status: OutboxStatus): string {
  return `OUTBOX#${status}`;
}

/**
 * The CreateTable input matching the CDK table (keys, outbox index, stream), for DynamoDB Local
 * and tests. Plain data so this file needs no SDK import; it is structurally a
 * `CreateTableCommandInput`. TTL is set separately (`UpdateTimeToLive`), as in DynamoDB itself.
 */
export function createTableInput(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [
      { AttributeName: TABLE_ATTRIBUTES.partitionKey, AttributeType: 'S' as const },
      { AttributeName: TABLE_ATTRIBUTES.sortKey, AttributeType: 'S' as const },
      { AttributeName: OUTBOX_INDEX.partitionKey, AttributeType: 'S' as const },
      { AttributeName: OUTBOX_INDEX.sortKey, AttributeType: 'S' as const },
      { AttributeName: DUE_INDEX.partitionKey, AttributeType: 'S' as const },
      { AttributeName: DUE_INDEX.sortKey, AttributeType: 'S' as const },
    ],
    KeySchema: [
      { AttributeName: TABLE_ATTRIBUTES.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: TABLE_ATTRIBUTES.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: OUTBOX_INDEX.name,
        KeySchema: [
          { AttributeName: OUTBOX_INDEX.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: OUTBOX_INDEX.sortKey, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'ALL' as const },
      },
      {
        IndexName: DUE_INDEX.name,
        KeySchema: [
          { AttributeName: DUE_INDEX.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: DUE_INDEX.sortKey, KeyType: 'RANGE' as const },
        ],
        // The reconciler needs only the reference; it claims the item itself for the rest.
        Projection: { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: ['entityType', 'leadId', 'confirmationId'] },
      },
    ],
    StreamSpecification: { StreamEnabled: true, StreamViewType: STREAM_VIEW_TYPE },
  };
}
