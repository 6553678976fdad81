/**
 * Replays of `POST /screenings` by Idempotency-Key (see `docs/data-model.md`, "Idempotency
 * record"). The record names a screening already stored and carries its token sealed under a key
 * derived from the Idempotency-Key (`tokens.ts`), so a replay can return the token while the table
 * never holds it in clear. The key itself is stored only as a hash.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { refusals } from '#core/errors';
import type { IdempotencyRequest, IdempotencyStore, SavedScreening, ScreeningRecord } from '#core/ports';
import { TABLE_ATTRIBUTES, itemKeys } from '#functions/table-schema';
import * as z from '#core/zod';
import { isConditionalCheckFailed, nowSeconds, getStoredItem, type StoredItemInput, type TableRef } from './dynamo';
import { sealToken, sha256Hex, unsealToken } from './tokens';

/** How long a client may replay `POST /screenings` with the same Idempotency-Key. */
export const IDEMPOTENCY_WINDOW_HOURS = 24;

/**
 * A stable hash of a request body: object keys sorted at every level, so the same request sent
 * with its keys in another order is still recognised as the same request.
 */
export function requestHash(body: unknown): string {
  return sha256Hex(canonicalJson(body));
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The hash an Idempotency-Key is stored under (the screening keeps it, so erasure can delete the record). */
export function idempotencyKeyHash(key: string): string {
  return sha256Hex(key);
}

/** The Idempotency record's reader, beside its writer (`claimKey`). */
const IdempotencyItem = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    screeningId: z.string(),
    requestHash: z.string(),
    sealedToken: z.string(),
    [TABLE_ATTRIBUTES.expiresAt]: z.number(),
  }),
);

/** Finds a stored screening (with its results shown) by id: what a replay returns. */
export interface StoredScreeningLookup {
  findScreening(screeningId: string): Promise<ScreeningRecord | undefined>;
}

export interface IdempotencyRepositoryOptions {
  now?: () => Date;
}

export class IdempotencyRepository implements IdempotencyStore {
  constructor(
    private readonly table: TableRef,
    private readonly screenings: StoredScreeningLookup,
    private readonly options: IdempotencyRepositoryOptions = {},
  ) {}

  private now(): Date {
    return (this.options.now ?? (() => new Date()))();
  }

  /**
   * The stored result of an earlier request with this Idempotency-Key, if any.
   *
   * @throws DomainError IDEMPOTENCY_KEY_REUSED when the key was used with a different body.
   */
  async findReplay(idempotency: IdempotencyRequest): Promise<SavedScreening | undefined> {
    const key = itemKeys.idempotency(idempotencyKeyHash(idempotency.key));
    const record = await getStoredItem(this.table, key, IdempotencyItem, 'Idempotency');
    if (!record || record.expiresAt <= nowSeconds(this.now())) return undefined;
    if (record.requestHash !== requestHash(idempotency.request)) throw refusals.idempotencyKeyReused();
    const screening = await this.screenings.findScreening(record.screeningId);
    if (!screening) return undefined;
    return { screening, token: unsealToken(record.sealedToken, idempotency.key), replayed: true };
  }

  /**
   * Records that this key's request stored `screeningId` with `token`.
   *
   * @returns false when another request holds the key (and its record has not expired).
   */
  async claimKey(idempotency: IdempotencyRequest, screeningId: string, token: string, now: Date): Promise<boolean> {
    try {
      await this.table.client.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            ...itemKeys.idempotency(idempotencyKeyHash(idempotency.key)),
            [TABLE_ATTRIBUTES.entityType]: 'IDEMPOTENCY',
            screeningId,
            requestHash: requestHash(idempotency.request),
            sealedToken: sealToken(token, idempotency.key),
            [TABLE_ATTRIBUTES.expiresAt]: nowSeconds(now) + IDEMPOTENCY_WINDOW_HOURS * 60 * 60,
          } satisfies StoredItemInput<typeof IdempotencyItem>,
          // An expired record that TTL has not deleted yet may be overwritten.
          ConditionExpression: 'attribute_not_exists(#pk) OR #expiresAt <= :now',
          ExpressionAttributeNames: { '#pk': TABLE_ATTRIBUTES.partitionKey, '#expiresAt': TABLE_ATTRIBUTES.expiresAt },
          ExpressionAttributeValues: { ':now': nowSeconds(now) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }
}
