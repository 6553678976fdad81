/**
 * Screeners in the table (`PK = SCREENER`, one item per screener): listed by the form's landing
 * page, read by every screening. Stored documents are re-validated on the way out, so a bad item
 * fails loudly here instead of deep inside the evaluation.
 */
import { PutCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { Screener, ScreenerSummary } from '#core/model';
import { SCREENERS_PARTITION, TABLE_ATTRIBUTES, itemKeys } from '#functions/table-schema';
import * as z from '#core/zod';
import { queryPartition, readStoredItem, storedKeyOf, type StoredItemInput, type TableRef } from './dynamo';

/** The Screener item's reader, beside its writer (`putScreener`): the screener, re-validated. */
const ScreenerItem = /* @__PURE__ */ z.defineSchema(() => z.object({ screener: Screener }));

/** The fields of the screener that the list shows, read from the item by projection (`SUMMARY_PATHS`). */
const ScreenerSummaryItem = /* @__PURE__ */ z.defineSchema(() => z.object({ screener: ScreenerSummary }));
const SUMMARY_PATHS = (['id', 'version', 'condition', 'title'] as const satisfies readonly (keyof ScreenerSummary)[]).map(
  (field) => ['screener', field] as const,
);

export class ScreenerRepository {
  constructor(private readonly table: TableRef) {}

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

/**
 * The screener list's own reader, apart from `ScreenerRepository` so that the function that lists
 * screeners carries (and builds at its cold start) only the summary schema, not the screener's.
 */
export class ScreenerListRepository {
  constructor(private readonly table: TableRef) {}

  /**
   * Every screener as the list shows it, ordered by id: only those fields are read from the table
   * (a projection) and validated, so listing never reads or parses the questions and rules.
   */
  async listScreeners(): Promise<ScreenerSummary[]> {
    const items = await queryPartition(this.table, SCREENERS_PARTITION, SUMMARY_PATHS);
    return items.map((item) => readStoredItem(ScreenerSummaryItem, item, 'Screener', storedKeyOf(item)).screener);
  }
}
