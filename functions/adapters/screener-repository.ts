/**
 * Screeners in the table (`PK = SCREENER`, one item per screener): listed by the form's landing
 * page, read by every screening. Stored documents are re-validated on the way out, so a bad item
 * fails loudly here instead of deep inside the evaluation.
 */
import { PutCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { Screener } from '#core/model';
import { SCREENERS_PARTITION, TABLE_ATTRIBUTES, itemKeys } from '#functions/table-schema';
import * as z from '#core/zod';
import { queryPartition, readStoredItem, storedKeyOf, type StoredItemInput, type TableRef } from './dynamo';

/** The Screener item's reader, beside its writer (`putScreener`): the screener, re-validated. */
const ScreenerItem = /* @__PURE__ */ z.defineSchema(() => z.object({ screener: Screener }));

export class ScreenerRepository {
  constructor(private readonly table: TableRef) {}

  /** Every screener, ordered by id. */
  async listScreeners(): Promise<Screener[]> {
    const items = await queryPartition(this.table, SCREENERS_PARTITION);
    return items.map((item) => readStoredItem(ScreenerItem, item, 'Screener', storedKeyOf(item)).screener);
  }

  /** One screener, or undefined when there is none with this id. */
  async getScreener(screenerId: string): Promise<Screener | undefined> {
    const key = itemKeys.screener(screenerId);
    const result = await this.table.client.send(new GetCommand({ TableName: this.table.tableName, Key: key }));
    return result.Item ? readStoredItem(ScreenerItem, result.Item, 'Screener', `${key.PK} ${key.SK}`).screener : undefined;
  }

  /** Creates or replaces a screener (seed and `screeners load`). */
  async putScreener(screener: Screener, now: Date = new Date()): Promise<void> {
    await this.table.client.send(
      new PutCommand({
        TableName: this.table.tableName,
        Item: {
          ...itemKeys.screener(screener.id),
          [TABLE_ATTRIBUTES.entityType]: 'SCREENER',
          screener,
          version: screener.version,
          updatedAt: now.toISOString(),
        } satisfies StoredItemInput<typeof ScreenerItem>,
      }),
    );
  }
}
