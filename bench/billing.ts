/**
 * What AWS bills for a `TransactWriteItems`, measured action by action on DynamoDB Local.
 *
 * DynamoDB Local's own figure for a transaction is not the bill (measured on its 2026-05-28 release, see
 * `test/bench/billing.test.ts`): it doubles the index arms too, rounds the table arm once on the
 * summed size of all the items instead of item by item, and sizes a `ConditionCheck` as nothing.
 * AWS bills (sources in `bench/cost.ts`, `BILLING_RULES`):
 *
 * - table: 2 write request units per 1 KB of each item, rounded up item by item, on the larger of
 *   the item before and after the write; a `ConditionCheck` is billed as a write of the item it
 *   reads;
 * - each index the write changes: what the same write costs outside a transaction (one write per
 *   1 KB of the projected entry, two when the index key moves), not doubled.
 *
 * So each action is replayed, on its own and outside a transaction, on a shadow table with the
 * same schema that holds the item as it was before the transaction; DynamoDB Local's
 * `ReturnConsumedCapacity: 'INDEXES'` for that single write (which follows AWS's single-item rules:
 * per item, on the larger image, index entries by projection) gives the table and index units,
 * and the table arm is doubled.
 */
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, type ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { createTableInput, TABLE_ATTRIBUTES } from '#functions/table-schema';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
type Item = Record<string, unknown>;

/** The billed write units of one action of a transaction. */
export interface ActionBill {
  action: 'Put' | 'Update' | 'Delete' | 'ConditionCheck';
  /** The item's `entityType` (before or after the write). */
  entityType: string;
  /** Billed table units: twice the units of the same write outside a transaction. */
  table: number;
  /** Billed units per index this action changed (absent: unchanged, costs nothing). */
  indexes: Record<string, number>;
}

/** Sum of a ConsumedCapacity list's units (what DynamoDB reports, table and indexes). */
export function unitsOf(capacity: ConsumedCapacity | ConsumedCapacity[] | undefined): number {
  if (!capacity) return 0;
  const list = Array.isArray(capacity) ? capacity : [capacity];
  return list.reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
}

/** Units per index from a ConsumedCapacity (`INDEXES`), table under `table`. */
export function unitsByIndex(capacity: ConsumedCapacity | ConsumedCapacity[] | undefined): Record<string, number> {
  const byIndex: Record<string, number> = {};
  const list = capacity ? (Array.isArray(capacity) ? capacity : [capacity]) : [];
  for (const entry of list) {
    if (entry.Table?.CapacityUnits) byIndex.table = (byIndex.table ?? 0) + entry.Table.CapacityUnits;
    for (const [name, index] of Object.entries(entry.GlobalSecondaryIndexes ?? {}))
      if (index.CapacityUnits) byIndex[name] = (byIndex[name] ?? 0) + index.CapacityUnits;
  }
  return byIndex;
}

/** The total of a bill: every action's table and index units. */
export function billedUnits(bills: readonly ActionBill[]): number {
  return bills.reduce((sum, bill) => sum + bill.table + Object.values(bill.indexes).reduce((a, b) => a + b, 0), 0);
}

function keyOf(action: TransactItem): { tableName: string; key: Item } {
  if (action.Put) {
    const item = action.Put.Item as Item;
    return {
      tableName: action.Put.TableName as string,
      key: { PK: item[TABLE_ATTRIBUTES.partitionKey], SK: item[TABLE_ATTRIBUTES.sortKey] },
    };
  }
  const operation = action.Update ?? action.Delete ?? action.ConditionCheck;
  if (!operation?.Key || !operation.TableName) throw new Error('A transaction action without a key');
  return { tableName: operation.TableName, key: operation.Key as Item };
}

/** Replays transactions action by action on a shadow table (see the module comment). */
export class TransactionBilling {
  private readonly shadowName = `bench-billing-shadow-${Date.now()}`;
  private readonly raw = new DynamoDBClient({});
  private readonly client = DynamoDBDocumentClient.from(this.raw, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });

  async start(): Promise<void> {
    await this.raw.send(new CreateTableCommand(createTableInput(this.shadowName)));
  }

  async stop(): Promise<void> {
    await this.raw.send(new DeleteTableCommand({ TableName: this.shadowName })).catch(() => undefined);
    this.raw.destroy();
  }

  /** The items the actions touch, as they are now (read before the transaction runs). */
  async imagesBefore(actions: readonly TransactItem[]): Promise<(Item | undefined)[]> {
    return Promise.all(
      actions.map(async (action) => {
        const { tableName, key } = keyOf(action);
        const result = await this.client.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
        return result.Item;
      }),
    );
  }

  /** What AWS bills for `actions` (already committed), given the items as they were before. */
  async bill(actions: readonly TransactItem[], before: readonly (Item | undefined)[]): Promise<ActionBill[]> {
    const bills: ActionBill[] = [];
    for (const [index, action] of actions.entries()) {
      const { key } = keyOf(action);
      const image = before[index];
      if (image) await this.client.send(new PutCommand({ TableName: this.shadowName, Item: image }));
      const shadow = { TableName: this.shadowName, ReturnConsumedCapacity: 'INDEXES' as const };
      let capacity: ConsumedCapacity | undefined;
      let after: Item | undefined;
      let kind: ActionBill['action'];
      if (action.Put) {
        kind = 'Put';
        after = action.Put.Item as Item;
        capacity = (await this.client.send(new PutCommand({ ...action.Put, ...shadow }))).ConsumedCapacity;
      } else if (action.Update) {
        kind = 'Update';
        const result = await this.client.send(new UpdateCommand({ ...action.Update, ...shadow, ReturnValues: 'ALL_NEW' }));
        capacity = result.ConsumedCapacity;
        after = result.Attributes;
      } else if (action.Delete) {
        kind = 'Delete';
        capacity = (await this.client.send(new DeleteCommand({ ...action.Delete, ...shadow }))).ConsumedCapacity;
      } else {
        kind = 'ConditionCheck';
        // Billed as a write of the item it reads: the units of writing that item, table only.
        if (!image) throw new Error('A condition check on an item that does not exist passed');
        await this.client.send(new DeleteCommand({ TableName: this.shadowName, Key: key }));
        const put = await this.client.send(new PutCommand({ ...shadow, Item: image }));
        const tableUnits = put.ConsumedCapacity?.Table?.CapacityUnits ?? 0;
        capacity = { CapacityUnits: tableUnits, Table: { CapacityUnits: tableUnits } };
      }
      await this.client.send(new DeleteCommand({ TableName: this.shadowName, Key: key }));
      const { table = 0, ...indexes } = unitsByIndex(capacity);
      bills.push({
        action: kind,
        entityType: String((after ?? image)?.[TABLE_ATTRIBUTES.entityType] ?? 'unknown'),
        table: 2 * table,
        indexes,
      });
    }
    return bills;
  }
}
