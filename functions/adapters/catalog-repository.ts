/**
 * The trial catalog in the table: one item per trial under `CATALOG#<version>`, and a pointer
 * (`CATALOG/CURRENT`) to the version in use. A load writes every trial of the new version first
 * and flips the pointer last, so readers never see a half-written catalog.
 *
 * Readers keep prepared catalogs (rules compiled once per version, see core `prepareCatalog`) in
 * memory, re-read the pointer at most every `pointerTtlMs`, and load trials only when it moves.
 */
import { BatchWriteCommand, PutCommand, type BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { prepareCatalog, type PreparedCatalog } from '#core/eligibility';
import { refusals } from '#core/errors';
import { Trial } from '#core/model';
import { TABLE_ATTRIBUTES, catalogPartition, itemKeys } from '#functions/table-schema';
import * as z from '#core/zod';
import { queryPartition, getStoredItem, readStoredItem, storedKeyOf, type StoredItemInput, type TableRef } from './dynamo';

/** The catalog pointer item's reader, beside its writer (`writeCatalog`). */
const CatalogPointerItem = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    version: z.string(),
    trialCount: z.int().check(z.nonnegative()),
    loadedAt: z.string(),
  }),
);
/** The catalog pointer item's data. */
export type CatalogPointer = z.output<typeof CatalogPointerItem>;

/** A catalog trial item's reader, beside its writer (`writeCatalog`): the trial, re-validated. */
const CatalogTrialItem = /* @__PURE__ */ z.defineSchema(() => z.object({ trial: Trial }));

/** One table's requests of a BatchWriteItem, as the SDK types them (and returns the unprocessed ones). */
type WriteRequests = NonNullable<BatchWriteCommandInput['RequestItems']>[string];

/** BatchWriteItem takes at most 25 requests. */
const BATCH_SIZE = 25;
/** Versions kept prepared in memory: the current one plus recent ones that referrals may need. */
const MAX_CACHED_VERSIONS = 3;

export class CatalogRepository {
  private readonly prepared = new Map<string, Promise<PreparedCatalog | undefined>>();
  private pointer: { value: CatalogPointer | undefined; readAt: number } | undefined;

  constructor(
    private readonly table: TableRef,
    private readonly options: { pointerTtlMs?: number; now?: () => number } = {},
  ) {}

  /**
   * The catalog in use, prepared for evaluation.
   *
   * @throws DomainError CATALOG_NOT_LOADED when no catalog was ever loaded into this table.
   */
  async getCurrentCatalog(): Promise<PreparedCatalog> {
    const pointer = await this.currentPointer();
    // A catalog loaded with no trials is valid (nothing recruiting): it has no trial items to read.
    if (pointer && pointer.trialCount === 0) return prepareCatalog(pointer.version, []);
    const catalog = pointer ? await this.getCatalogVersion(pointer.version) : undefined;
    if (!catalog) {
      throw refusals.catalogNotLoaded();
    }
    return catalog;
  }

  /** A given catalog version (a referral uses the version its screening was evaluated against). */
  async getCatalogVersion(version: string): Promise<PreparedCatalog | undefined> {
    let entry = this.prepared.get(version);
    if (!entry) {
      entry = this.loadVersion(version);
      this.prepared.set(version, entry);
      // Forget a failed load so the next request retries it.
      entry.catch(() => this.prepared.delete(version));
      while (this.prepared.size > MAX_CACHED_VERSIONS) {
        const oldest = this.prepared.keys().next().value as string;
        this.prepared.delete(oldest);
      }
    } else {
      // Re-insert to keep the map ordered by recent use.
      this.prepared.delete(version);
      this.prepared.set(version, entry);
    }
    const catalog = await entry;
    if (!catalog) this.prepared.delete(version);
    return catalog;
  }

  /** The pointer as stored (no cache): for operators and the seed. */
  async readPointer(): Promise<CatalogPointer | undefined> {
    const pointer = await getStoredItem(this.table, itemKeys.catalogPointer(), CatalogPointerItem, 'Catalog pointer');
    if (!pointer) return undefined;
    const { version, trialCount, loadedAt } = pointer;
    return { version, trialCount, loadedAt };
  }

  /**
   * Writes every trial of `version`, then points the catalog at it. The flip is conditioned on
   * the pointer not having moved since this load began, so two concurrent loads cannot
   * interleave; loading the version already current rewrites its trials and changes nothing else.
   */
  async writeCatalog(version: string, trials: Trial[], now: Date = new Date()): Promise<CatalogPointer> {
    if (!/^[A-Za-z0-9._-]+$/.test(version)) throw new Error('A catalog version is letters, digits, dot, dash or underscore');
    const previous = await this.readPointer();

    const items = trials.map((trial) => ({
      PutRequest: {
        Item: {
          ...itemKeys.catalogTrial(version, trial.nctId),
          [TABLE_ATTRIBUTES.entityType]: 'CATALOG_TRIAL',
          trial: Trial.parse(trial),
        } satisfies StoredItemInput<typeof CatalogTrialItem>,
      },
    }));
    for (let start = 0; start < items.length; start += BATCH_SIZE) {
      await this.batchWrite(items.slice(start, start + BATCH_SIZE));
    }

    const pointer: CatalogPointer = { version, trialCount: trials.length, loadedAt: now.toISOString() };
    await this.table.client.send(
      new PutCommand({
        TableName: this.table.tableName,
        Item: {
          ...itemKeys.catalogPointer(),
          [TABLE_ATTRIBUTES.entityType]: 'CATALOG_POINTER',
          ...pointer,
        } satisfies StoredItemInput<typeof CatalogPointerItem>,
        ...(previous
          ? {
              ConditionExpression: '#version = :previous',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':previous': previous.version },
            }
          : {
              ConditionExpression: 'attribute_not_exists(#pk)',
              ExpressionAttributeNames: { '#pk': TABLE_ATTRIBUTES.partitionKey },
            }),
      }),
    );
    this.pointer = { value: pointer, readAt: this.now() };
    return pointer;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private async currentPointer(): Promise<CatalogPointer | undefined> {
    const ttl = this.options.pointerTtlMs ?? 30_000;
    if (this.pointer && this.now() - this.pointer.readAt < ttl) return this.pointer.value;
    const value = await this.readPointer();
    this.pointer = { value, readAt: this.now() };
    return value;
  }

  private async loadVersion(version: string): Promise<PreparedCatalog | undefined> {
    const partition = catalogPartition(version);
    const items = await queryPartition(this.table, partition);
    if (items.length === 0) return undefined;
    const trials = items.map((item) => readStoredItem(CatalogTrialItem, item, 'Catalog trial', storedKeyOf(item)).trial);
    return prepareCatalog(version, trials);
  }

  private async batchWrite(requests: WriteRequests): Promise<void> {
    let pending = requests;
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt > 8) throw new Error('DynamoDB kept throttling the catalog write; try the load again');
      if (attempt > 0) await new Promise((wake) => setTimeout(wake, 50 * 2 ** attempt));
      const result = await this.table.client.send(new BatchWriteCommand({ RequestItems: { [this.table.tableName]: pending } }));
      pending = result.UnprocessedItems?.[this.table.tableName] ?? [];
    }
  }
}
