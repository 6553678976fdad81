/**
 * The one table's key design (see `docs/data-model.md`): attribute names, key prefixes and the
 * indexes with their projections. The CDK stack (`lib/`), the repositories (`functions/adapters/`), the local
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

/**
 * The attributes the outbox index copies from each message: its delivery state (what `leads list`,
 * the closed-site hold, the registry sync and the reminder run read), never its content. An index
 * entry is then well under 1 KB, so writing it costs one write unit; a reader that needs the
 * message itself (an export, a reminder's email) fetches the item by its key.
 * `OutboxDeliveryState` in `functions/adapters/outbox-repository.ts` reads exactly these (a test
 * keeps the two the same).
 */
export const OUTBOX_INDEX_ATTRIBUTES = [
  'entityType',
  'status',
  'attempts',
  'screeningId',
  'leadId',
  'confirmationId',
  'trialId',
  'siteId',
  'claimedAt',
  'sesMessageId',
  'sentAt',
  'nextAttemptAt',
  'lastError',
  'createdAt',
  'updatedAt',
  'latestOutcome',
  'remindedAt',
] as const;

/**
 * The sparse index that holds only outbound messages (leads, confirmations) by delivery status.
 * Named `OutboxByStatus` since it projects only the delivery state; until then it was `GSI1` with
 * every attribute projected, which wrote each lead's whole content a second time. DynamoDB cannot
 * change an index's projection in place, so the narrower index has a new name (see
 * {@link PREVIOUS_OUTBOX_INDEX} and the README's "Upgrading a deployed stack").
 */
export const OUTBOX_INDEX = {
  name: 'OutboxByStatus',
  partitionKey: 'GSI1PK',
  sortKey: 'GSI1SK',
  projection: { type: 'INCLUDE', nonKeyAttributes: OUTBOX_INDEX_ATTRIBUTES },
} as const;

/**
 * The outbox index of stacks deployed before `OutboxByStatus` (same keys, every attribute). Only
 * the CDK stack names it: kept for one deploy with `-c keepPreviousOutboxIndex=true` when
 * upgrading, because CloudFormation creates or deletes at most one index per table update.
 */
export const PREVIOUS_OUTBOX_INDEX = {
  name: 'GSI1',
  partitionKey: OUTBOX_INDEX.partitionKey,
  sortKey: OUTBOX_INDEX.sortKey,
  projection: { type: 'ALL' },
} as const;

/**
 * The sparse index of outbound messages the reconciler must look at, by when: a PENDING message
 * at its `nextAttemptAt` (rescheduled after a failed attempt, or re-driven), a SENDING one when
 * its claim goes stale. SENT and FAILED messages leave it, so the reconciler reads only what is
 * due (`GSI2SK <= now`), never a scan. A new message is not in it (one index write fewer per
 * message): it is left to the stream, and the reconciler finds one the stream never delivered in
 * the outbox index (PENDING, no `nextAttemptAt`, written more than the stream grace ago).
 * One partition: the reconciler reads it in time order, and it holds only undelivered messages.
 * It projects only the message's reference; the reconciler claims the item itself for the rest.
 */
export const DUE_INDEX = {
  name: 'GSI2',
  partitionKey: 'GSI2PK',
  sortKey: 'GSI2SK',
  projection: { type: 'INCLUDE', nonKeyAttributes: ['entityType', 'leadId', 'confirmationId'] },
} as const;

/** A global secondary index of the table: its name, string keys and projection. */
export interface TableIndex {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  readonly projection:
    | { readonly type: 'ALL' | 'KEYS_ONLY' }
    | { readonly type: 'INCLUDE'; readonly nonKeyAttributes: readonly string[] };
}

/** The table's indexes: what `createTableInput` and the CDK table (`lib/data-construct.ts`) create. */
export const TABLE_INDEXES: readonly TableIndex[] = [OUTBOX_INDEX, DUE_INDEX];

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
 * The CreateTable input matching the CDK table (keys, indexes, stream), for DynamoDB Local and
 * tests. Plain data so this file needs no SDK import; it is structurally a
 * `CreateTableCommandInput`. TTL is set separately (`UpdateTimeToLive`), as in DynamoDB itself.
 */
export function createTableInput(tableName: string, indexes: readonly TableIndex[] = TABLE_INDEXES) {
  const keyAttributes = [
    TABLE_ATTRIBUTES.partitionKey,
    TABLE_ATTRIBUTES.sortKey,
    ...new Set(indexes.flatMap((index) => [index.partitionKey, index.sortKey])),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: keyAttributes.map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
    KeySchema: [
      { AttributeName: TABLE_ATTRIBUTES.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: TABLE_ATTRIBUTES.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: indexes.map(globalSecondaryIndexInput),
    StreamSpecification: { StreamEnabled: true, StreamViewType: STREAM_VIEW_TYPE },
  };
}

/** One index as CreateTable (and UpdateTable's `Create`) take it. */
export function globalSecondaryIndexInput(index: TableIndex) {
  return {
    IndexName: index.name,
    KeySchema: [
      { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
    ],
    Projection:
      index.projection.type === 'INCLUDE'
        ? { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...index.projection.nonKeyAttributes] }
        : { ProjectionType: index.projection.type },
  };
}
