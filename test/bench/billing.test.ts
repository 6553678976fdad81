/**
 * How the bench bills a transaction (`bench/billing.ts`), on DynamoDB Local with the project's
 * table schema: table units doubled item by item, index units as for a single write, a condition
 * check billed as a write of the item it reads. And why it must: what DynamoDB Local itself
 * reports for the same transactions is not what AWS bills.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { billedUnits, TransactionBilling, unitsOf } from '../../bench/billing';
import { DUE_INDEX, dueKeys, itemKeys, OUTBOX_INDEX, outboxKeys } from '#functions/table-schema';
import { createTestTable, deleteTestTable } from '#test/setup/table';

type Actions = NonNullable<TransactWriteCommandInput['TransactItems']>;

let tableName: string;
const billing = new TransactionBilling();
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));

beforeAll(async () => {
  tableName = await createTestTable();
  await billing.start();
});

afterAll(async () => {
  await billing.stop();
  await deleteTestTable(tableName);
  documents.destroy();
});

/** A lead-like outbox item of about `bytes` bytes, in both outbox indexes. */
function outboxItem(bytes: number) {
  const leadId = randomUUID();
  const at = new Date().toISOString();
  return {
    ...itemKeys.lead(leadId),
    entityType: 'LEAD',
    leadId,
    status: 'PENDING',
    ...outboxKeys('PENDING', at, leadId),
    ...dueKeys(at, leadId),
    content: 'x'.repeat(bytes),
  };
}

/** Runs `actions` as one transaction; returns what the bench bills and what Local reported. */
async function transact(actions: Actions) {
  const before = await billing.imagesBefore(actions);
  const result = await documents.send(new TransactWriteCommand({ TransactItems: actions, ReturnConsumedCapacity: 'INDEXES' }));
  const bills = await billing.bill(actions, before);
  return { bills, billed: billedUnits(bills), local: unitsOf(result.ConsumedCapacity) };
}

describe('billing a transaction as AWS does', () => {
  it('doubles each item’s table units and bills each index entry once, by what the index projects', async () => {
    const { bills, billed } = await transact([{ Put: { TableName: tableName, Item: outboxItem(1500) } }]);

    // 1.5 KB: 2 units, twice; each index holds a small entry (delivery state, reference): 1 each.
    expect(bills).toEqual([
      { action: 'Put', entityType: 'LEAD', table: 4, indexes: { [OUTBOX_INDEX.name]: 1, [DUE_INDEX.name]: 1 } },
    ]);
    expect(billed).toBe(6);
  });

  it('rounds item by item, where DynamoDB Local rounds the summed size once', async () => {
    const tiny = (id: string) => ({
      Put: { TableName: tableName, Item: { ...itemKeys.disclosure(id), entityType: 'DISCLOSURE' } },
    });

    const { billed, local } = await transact([tiny(randomUUID()), tiny(randomUUID())]);

    expect(billed).toBe(4);
    expect(local).toBe(2);
  });

  it('bills a condition check as a write of the item it reads, which DynamoDB Local leaves out', async () => {
    const checked = outboxItem(1500);
    await documents.send(new PutCommand({ TableName: tableName, Item: checked }));
    const { bills, local } = await transact([
      {
        ConditionCheck: {
          TableName: tableName,
          Key: { PK: checked.PK, SK: checked.SK },
          ConditionExpression: 'attribute_exists(PK)',
        },
      },
      { Put: { TableName: tableName, Item: { ...itemKeys.disclosure(randomUUID()), entityType: 'DISCLOSURE' } } },
    ]);

    expect(bills.map((bill) => [bill.action, bill.table, bill.indexes])).toEqual([
      ['ConditionCheck', 4, {}],
      ['Put', 2, {}],
    ]);
    expect(local).toBe(2);
  });

  it('bills an update on the larger item and two index writes when it moves the index key', async () => {
    const item = outboxItem(1500);
    await documents.send(new PutCommand({ TableName: tableName, Item: item }));
    const now = new Date(Date.now() + 1000).toISOString();
    const moved = outboxKeys('SENDING', now, item.leadId);

    const { bills } = await transact([
      {
        Update: {
          TableName: tableName,
          Key: { PK: item.PK, SK: item.SK },
          UpdateExpression: 'SET #status = :sending, GSI1PK = :pk, GSI1SK = :sk REMOVE content',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':sending': 'SENDING', ':pk': moved.GSI1PK, ':sk': moved.GSI1SK },
        },
      },
    ]);

    // Sized on the 1.5 KB item before the update (2 units, doubled); the due index entry changed
    // only in a projected attribute it does not hold, so it costs nothing.
    expect(bills).toEqual([{ action: 'Update', entityType: 'LEAD', table: 4, indexes: { [OUTBOX_INDEX.name]: 2 } }]);
  });

  it('differs from what DynamoDB Local reports, which doubles the index units too', async () => {
    const { billed, local } = await transact([{ Put: { TableName: tableName, Item: outboxItem(1500) } }]);

    expect(billed).toBe(6);
    expect(local).toBe(8);
  });
});
