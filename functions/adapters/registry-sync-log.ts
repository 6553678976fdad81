/**
 * The registry sync's own record in the table (`REGISTRY_SYNC`): when it last succeeded and for
 * which conditions, so the next run asks the registry only for what changed since that day.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { RegistrySyncLog } from '#core/ports';
import * as z from '#core/zod';
import { TABLE_ATTRIBUTES, itemKeys } from '#functions/table-schema';
import type { StoredItemInput, TableRef } from './dynamo';

/** The record's reader, beside its writer (`recordSync`). */
const RegistrySyncItem = z.object({ lastSyncedAt: z.string(), conditions: z.optional(z.array(z.string())) });

export class RegistrySyncLogRepository implements RegistrySyncLog {
  constructor(private readonly table: TableRef) {}

  async lastSyncDay(): Promise<string | undefined> {
    const result = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: itemKeys.registrySync(), ConsistentRead: true }),
    );
    const item = RegistrySyncItem.safeParse(result.Item);
    // No record (or one this code cannot read): a full sync, which is always safe.
    return item.success ? item.data.lastSyncedAt.slice(0, 10) : undefined;
  }

  async recordSync(at: Date, conditions: readonly string[]): Promise<void> {
    await this.table.client.send(
      new PutCommand({
        TableName: this.table.tableName,
        Item: {
          ...itemKeys.registrySync(),
          [TABLE_ATTRIBUTES.entityType]: 'REGISTRY_SYNC',
          lastSyncedAt: at.toISOString(),
          conditions: [...conditions],
        } satisfies StoredItemInput<typeof RegistrySyncItem>,
      }),
    );
  }
}
