/**
 * Screenings and their tokens (see `docs/data-model.md`, "Screening"). The token is stored as a
 * hash (`tokens.ts`); a wrong token and an unknown screening look the same. The results are
 * stored by id and value against the catalog version they were evaluated against
 * (`core/stored-results.ts`) and shown again from it. The Screening item's writer
 * (`createScreening`) and its reader (`ScreeningItem`) are both here; the referral and the
 * erasure read the item through `readScreeningItem`.
 */
import { randomUUID } from 'node:crypto';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { refusals } from '#core/errors';
import { DEFAULT_MAX_RECORD_AGE_DAYS } from '#core/freshness';
import type {
  CatalogStore,
  IdempotencyRequest,
  NewScreening,
  SavedScreening,
  ScreeningRecord,
  ScreeningStore,
} from '#core/ports';
import { presentStoredResults, storeResults, type StoredTrialResult } from '#core/stored-results';
import * as z from '#core/zod';
import { MedicalAdvice as MedicalAdviceBody, UrgentCare as UrgentCareBody } from '#functions/contract/api-responses';
import { TABLE_ATTRIBUTES, itemKeys } from '#functions/table-schema';
import { CatalogRepository } from './catalog-repository';
import { expiresAfterDays, nowSeconds, getStoredItem, readStoredItem, type StoredItemInput, type TableRef } from './dynamo';
import { IdempotencyRepository, idempotencyKeyHash } from './idempotency-repository';
import { sha256Hex, tokenMatches } from './tokens';

export interface ScreeningRepositoryOptions {
  /**
   * The catalog versions a screening's results are stored against and shown from (they are
   * stored by id and value, `core/stored-results.ts`); share the use case's store so a version
   * is read once per container.
   */
  catalogs?: CatalogStore;
  screeningTtlDays?: number;
  now?: () => Date;
}

const DEFAULT_SCREENING_TTL_DAYS = 30;

export class ScreeningRepository implements ScreeningStore {
  private readonly catalogs: CatalogStore;
  /** The Idempotency-Key records of this repository's screenings (the submit use case's `IdempotencyStore`). */
  readonly idempotency: IdempotencyRepository;

  constructor(
    private readonly table: TableRef,
    private readonly options: ScreeningRepositoryOptions = {},
  ) {
    this.catalogs = options.catalogs ?? new CatalogRepository(table);
    this.idempotency = new IdempotencyRepository(table, this, { now: () => this.now() });
  }

  private now(): Date {
    return (this.options.now ?? (() => new Date()))();
  }

  /**
   * Stores a new screening with a fresh token, then the idempotency record when the client sent
   * a key. Two single-item writes, not a transaction: a transaction bills every item twice, and the
   * order keeps them consistent. The idempotency record only ever names a screening already
   * stored; a screening whose record was never written (the function stopped in between) is
   * returned to nobody and expires with its TTL. A concurrent request with the same key loses
   * the race on the record, removes its own screening and receives the winner's result.
   */
  async createScreening(input: NewScreening, token: string, idempotency?: IdempotencyRequest): Promise<SavedScreening> {
    const now = this.now();
    const screeningId = randomUUID();
    const keyHash = idempotency ? idempotencyKeyHash(idempotency.key) : undefined;
    const item = {
      ...itemKeys.screening(screeningId),
      [TABLE_ATTRIBUTES.entityType]: 'SCREENING',
      screeningId,
      screenerId: input.screenerId,
      screenerVersion: input.screenerVersion,
      catalogVersion: input.catalogVersion,
      maxRecordAgeDays: input.maxRecordAgeDays,
      tokenHash: sha256Hex(token),
      answers: input.answers,
      outcome: input.outcome,
      redFlags: input.redFlags,
      // By id and value: the texts are the catalog version's (see `core/stored-results.ts`).
      results: JSON.stringify(await this.storedResults(input)),
      ...(input.urgentCare ? { urgentCare: input.urgentCare } : {}),
      ...(input.medicalAdvice ? { medicalAdvice: input.medicalAdvice } : {}),
      createdAt: now.toISOString(),
      [TABLE_ATTRIBUTES.expiresAt]: expiresAfterDays(now, this.options.screeningTtlDays ?? DEFAULT_SCREENING_TTL_DAYS),
      referred: false,
      ...(keyHash ? { idempotencyKeyHash: keyHash } : {}),
    } satisfies StoredItemInput<typeof ScreeningItem>;

    await this.table.client.send(
      new PutCommand({
        TableName: this.table.tableName,
        Item: item,
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': TABLE_ATTRIBUTES.partitionKey },
      }),
    );
    if (idempotency && !(await this.idempotency.claimKey(idempotency, screeningId, token, now))) {
      // Another request with this key won: its screening is the one, this one goes.
      await this.table.client.send(new DeleteCommand({ TableName: this.table.tableName, Key: itemKeys.screening(screeningId) }));
      const replay = await this.idempotency.findReplay(idempotency);
      if (replay) return replay;
      throw new Error('The Idempotency-Key is held by another request whose screening is gone');
    }
    return { screening: { ...recordOf(ScreeningItem.parse(item)), results: input.results }, token, replayed: false };
  }

  /**
   * The screening `token` authorises.
   *
   * @throws DomainError TOKEN_INVALID for a wrong token, an unknown or an expired screening alike.
   */
  async authorizeScreening(screeningId: string, token: string): Promise<ScreeningRecord> {
    const item = await readScreeningItem(this.table, screeningId);
    // Compared before looking at whether the item exists: the same work either way.
    const matches = tokenMatches(token, item?.tokenHash);
    if (!item || !matches || item.expiresAt <= nowSeconds(this.now())) {
      throw refusals.invalidToken();
    }
    return this.toRecord(item);
  }

  /** A stored screening with its results shown, by id alone (an idempotent replay's), or undefined. */
  async findScreening(screeningId: string): Promise<ScreeningRecord | undefined> {
    const item = await readScreeningItem(this.table, screeningId);
    return item ? this.toRecord(item) : undefined;
  }

  /** The results by id and value, against the catalog version they were evaluated against. */
  private async storedResults(input: NewScreening): Promise<StoredTrialResult[]> {
    if (input.results.length === 0) return [];
    const catalog = await this.catalogs.getCatalogVersion(input.catalogVersion);
    if (!catalog)
      throw new Error(`Catalog ${input.catalogVersion} is gone: the screening's results cannot be stored by reference`);
    return storeResults(input.results, catalog);
  }

  /** A stored screening with its results shown again from its catalog version, as at its own time. */
  private async toRecord(item: StoredScreening): Promise<ScreeningRecord> {
    const record = recordOf(item);
    const stored = readStoredItem(
      StoredResults,
      parseJson(item.results),
      'Screening',
      `${itemKeys.screening(item.screeningId).PK} (results)`,
    );
    if (stored.length === 0) return record;
    const catalog = await this.catalogs.getCatalogVersion(record.catalogVersion);
    if (!catalog) return record;
    return {
      ...record,
      results: presentStoredResults(stored, catalog, {
        maxRecordAgeDays: record.maxRecordAgeDays,
        now: new Date(record.createdAt),
      }),
    };
  }
}

/**
 * The Screening item (consistent read), read with its reader, or undefined when there is none.
 *
 * @throws MalformedItemError when the stored item does not read as a screening.
 */
export function readScreeningItem(table: TableRef, screeningId: string): Promise<StoredScreening | undefined> {
  return readScreeningFields(table, screeningId, ScreeningItem);
}

/**
 * The Screening item (consistent read) read with a reader of a few of its fields (built with
 * `z.objectOf(screeningAccessFields)`), which checks only those, or undefined when there is none.
 *
 * @throws MalformedItemError when those fields do not read.
 */
export function readScreeningFields<S extends z.ZodMiniType>(
  table: TableRef,
  screeningId: string,
  reader: S,
): Promise<z.output<S> | undefined> {
  return getStoredItem(table, itemKeys.screening(screeningId), reader, 'Screening');
}

/** The stored results' shape (`core/stored-results.ts`), checked on every read (here and by the funnel report's reader). */
const StoredSite = /* @__PURE__ */ z.defineSchema(() =>
  z.union([
    z.tuple([z.number(), z.enum(['w', 'a', 'u', '-'])]),
    z.tuple([z.number(), z.enum(['w', 'a', 'u', '-']), z.number(), z.number()]),
  ]),
);
export const StoredResults = /* @__PURE__ */ z.defineSchema(() =>
  z.array(z.tuple([z.string(), z.string().check(z.regex(/^[012]*$/)), z.nullable(StoredSite)])),
);

/**
 * The Screening item's reader, beside its writer (`createScreening`): every field checked, so a
 * malformed item fails loudly here rather than as a wrong answer later. Its results (a JSON
 * string, `StoredResults`) are shown from the catalog by `toRecord`; the funnel report reads a
 * projection of it (`z.pick`).
 */
/**
 * The Screening item's fields that decide who may open or erase it: erasure's reader
 * (`erasure-repository.ts`) is built from these alone, so it builds none of the screening's content.
 */
export const screeningAccessFields = {
  tokenHash: () => z.string(),
  referred: () => z.boolean(),
  /** The hash of the Idempotency-Key it was submitted with, so erasure deletes that record too. */
  idempotencyKeyHash: () => z.optional(z.string()),
};

/**
 * The rest of the Screening item: what was asked, answered and advised. A function rather than an
 * object, so a bundle that never builds the whole item drops it (a computed key would keep it).
 */
const screeningContentFields = () => ({
  screeningId: () => z.string(),
  screenerId: () => z.string(),
  screenerVersion: () => z.string(),
  catalogVersion: () => z.string(),
  maxRecordAgeDays: () => z._default(z.number(), DEFAULT_MAX_RECORD_AGE_DAYS),
  answers: () => z.record(z.string(), z.union([z.boolean(), z.string(), z.array(z.string()), z.number()])),
  outcome: () => z.enum(['urgent_care', 'matches', 'no_matches']),
  redFlags: () => z._default(z.array(z.string()), []),
  results: () => z._default(z.string(), '[]'),
  urgentCare: () => z.optional(UrgentCareBody),
  medicalAdvice: () => z.optional(MedicalAdviceBody),
  createdAt: () => z.string(),
  [TABLE_ATTRIBUTES.expiresAt]: () => z.number(),
});

export const ScreeningItem = /* @__PURE__ */ z.defineSchema(() =>
  z.objectOf({ ...screeningContentFields(), ...screeningAccessFields }),
);
export type StoredScreening = z.output<typeof ScreeningItem>;

/** The screening's own fields; its results are shown from the catalog by `toRecord`. */
function recordOf(item: StoredScreening): ScreeningRecord {
  const { urgentCare, medicalAdvice, tokenHash: _hash, idempotencyKeyHash: _key, results: _results, ...fields } = item;
  return {
    ...fields,
    results: [],
    ...(urgentCare ? { urgentCare } : {}),
    ...(medicalAdvice ? { medicalAdvice } : {}),
  };
}

/** JSON text as a value; text that is not JSON reads as undefined (and then fails its reader). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
