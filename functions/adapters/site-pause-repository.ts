/**
 * Site pauses in the one table: one small partition (`SITE_PAUSES`) holding a `SITE_PAUSE` item
 * per paused (trial, site) or address, read whole by one query per screening. Pausing again is
 * harmless (the first pause's time is kept); resuming deletes the item.
 */
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { PauseDetails, SitePauses } from '#core/ports';
import { normaliseAddress, type SitePause } from '#core/site-pauses';
import * as z from '#core/zod';
import { SITE_PAUSES_PARTITION, TABLE_ATTRIBUTES, itemKeys, type ItemKey } from '#functions/table-schema';
import {
  isConditionalCheckFailed,
  queryPartition,
  readStoredItem,
  storedKeyOf,
  type StoredItemInput,
  type TableRef,
  optionalText,
} from './dynamo';

const PausedByField = /* @__PURE__ */ z.defineSchema(() => z.enum(['site', 'operator', 'bounce']));

/** The Site pause item's reader, beside its writer (`put`). */
const StoredPause = /* @__PURE__ */ z.defineSchema(() =>
  z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('site'),
      trialId: z.string(),
      siteId: z.string(),
      pausedAt: z.string(),
      pausedBy: PausedByField,
      reason: optionalText,
      leadId: optionalText,
    }),
    z.object({
      kind: z.literal('address'),
      address: z.string(),
      pausedAt: z.string(),
      pausedBy: PausedByField,
      reason: optionalText,
      leadId: optionalText,
    }),
  ]),
);

/**
 * Pausing and resuming, which read no pause: apart from `SitePauseRepository` so that the functions
 * that only pause (pause-site, the bounce handling of record-email-events) build no pause reader.
 */
export class SitePauseWriter implements Omit<SitePauses, 'list'> {
  constructor(protected readonly table: TableRef) {}

  /** Pauses a trial's site; returns false when it was already paused (the first pause is kept). */
  pauseSite(trialId: string, siteId: string, details: PauseDetails, now: Date): Promise<boolean> {
    return this.put(itemKeys.sitePause(trialId, siteId), { kind: 'site', trialId, siteId }, details, now);
  }

  /** Pauses an address for every trial it receives leads for; false when it was already paused. */
  pauseAddress(address: string, details: PauseDetails, now: Date): Promise<boolean> {
    const normalised = normaliseAddress(address);
    return this.put(itemKeys.addressPause(normalised), { kind: 'address', address: normalised }, details, now);
  }

  /** Resumes a trial's site; false when it was not paused. */
  resumeSite(trialId: string, siteId: string): Promise<boolean> {
    return this.remove(itemKeys.sitePause(trialId, siteId));
  }

  /** Resumes an address; false when it was not paused. */
  resumeAddress(address: string): Promise<boolean> {
    return this.remove(itemKeys.addressPause(normaliseAddress(address)));
  }

  private async put(
    key: ItemKey,
    identity: { kind: 'site'; trialId: string; siteId: string } | { kind: 'address'; address: string },
    details: PauseDetails,
    now: Date,
  ): Promise<boolean> {
    try {
      await this.table.client.send(
        new PutCommand({
          TableName: this.table.tableName,
          Item: {
            ...key,
            [TABLE_ATTRIBUTES.entityType]: 'SITE_PAUSE',
            ...identity,
            pausedAt: now.toISOString(),
            pausedBy: details.pausedBy,
            ...(details.reason ? { reason: details.reason } : {}),
            ...(details.leadId ? { leadId: details.leadId } : {}),
          } satisfies StoredItemInput<typeof StoredPause>,
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  private async remove(key: ItemKey): Promise<boolean> {
    const result = await this.table.client.send(
      new DeleteCommand({ TableName: this.table.tableName, Key: key, ReturnValues: 'ALL_OLD' }),
    );
    return result.Attributes !== undefined;
  }
}

/** Site pauses, read and written: every screening and referral reads them all. */
export class SitePauseRepository extends SitePauseWriter implements SitePauses {
  /**
   * Every pause (a handful of items).
   *
   * @throws MalformedItemError for a pause that does not read: leaving it out would send leads to
   *   a site that asked for none.
   */
  async list(): Promise<SitePause[]> {
    const items = await queryPartition(this.table, SITE_PAUSES_PARTITION);
    return items.map((item) => readStoredItem(StoredPause, item, 'Site pause', storedKeyOf(item)));
  }
}
