/**
 * Screeners in the table (`PK = SCREENER`, one item per screener): listed by the form's landing
 * page, read by every screening. Stored documents are re-validated on the way out, so a bad item
 * fails loudly here instead of deep inside the evaluation.
 */
import { PutCommand, QueryCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { Screener } from '../core/model';
import { SCREENERS_PARTITION, TABLE_ATTRIBUTES, itemKeys } from '../table-schema';
import type { TableRef } from './dynamo';

export class ScreenerRepository {
  constructor(private readonly table: TableRef) {}

  /** Every screener, ordered by id. */
  async listScreeners(): Promise<Screener[]> {
    const screeners: Screener[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.table.client.send(
        new QueryCommand({
          TableName: this.table.tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': TABLE_ATTRIBUTES.partitionKey },
          ExpressionAttributeValues: { ':pk': SCREENERS_PARTITION },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) screeners.push(Screener.parse(item.screener));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return screeners;
  }

  /** One screener, or undefined when there is none with this id. */
  async getScreener(screenerId: string): Promise<Screener | undefined> {
    const result = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: itemKeys.screener(screenerId) }),
    );
    return result.Item ? Screener.parse(result.Item.screener) : undefined;
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
        },
      }),
    );
  }
}
