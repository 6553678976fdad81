/**
 * `npm start` keeps its table in DATA_DIR: a table made by an older version (the outbox index
 * `GSI1` projecting every attribute) is brought to the schema's indexes on the next start, and its
 * messages are found through the new index.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTable } from '#local/local-table';
import {
  createTableInput,
  DUE_INDEX,
  itemKeys,
  OUTBOX_INDEX,
  outboxKeys,
  PREVIOUS_OUTBOX_INDEX,
  TABLE_INDEXES,
} from '#functions/table-schema';
import { deleteTestTable } from '#test/setup/table';

const dynamo = new DynamoDBClient({});
const documents = DynamoDBDocumentClient.from(dynamo);
const tables: string[] = [];

afterAll(async () => {
  for (const table of tables) await deleteTestTable(table);
  dynamo.destroy();
});

async function indexNames(tableName: string): Promise<string[]> {
  const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
  return (Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName ?? '').sort();
}

describe('the local table', () => {
  it('is created with the schema’s indexes on a first start', async () => {
    const tableName = `test-${randomUUID()}`;
    tables.push(tableName);

    expect(await ensureTable(dynamo, tableName)).toEqual({ created: true, addedIndexes: [], removedIndexes: [] });
    expect(await indexNames(tableName)).toEqual(TABLE_INDEXES.map((index) => index.name).sort());
  });

  it('made by an older version gets the new outbox index, loses the old one and still finds its messages', async () => {
    const tableName = `test-${randomUUID()}`;
    tables.push(tableName);
    await dynamo.send(new CreateTableCommand(createTableInput(tableName, [PREVIOUS_OUTBOX_INDEX, DUE_INDEX])));
    const leadId = randomUUID();
    const at = new Date().toISOString();
    await documents.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...itemKeys.lead(leadId), entityType: 'LEAD', leadId, status: 'PENDING', ...outboxKeys('PENDING', at, leadId) },
      }),
    );

    const changes = await ensureTable(dynamo, tableName);

    expect(changes).toEqual({ created: false, addedIndexes: [OUTBOX_INDEX.name], removedIndexes: [PREVIOUS_OUTBOX_INDEX.name] });
    expect(await indexNames(tableName)).toEqual(TABLE_INDEXES.map((index) => index.name).sort());
    const { Items } = await documents.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: OUTBOX_INDEX.name,
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': 'OUTBOX#PENDING' },
      }),
    );
    expect(Items).toEqual([expect.objectContaining({ leadId, status: 'PENDING' })]);
    // Two index changes, each awaited until ACTIVE (ensureTable allows a minute each): a loaded
    // machine's DynamoDB Local can take longer than the default 30 s for both.
  }, 150_000);

  it('that already matches the schema is left as it is', async () => {
    const tableName = tables[0]!;

    expect(await ensureTable(dynamo, tableName)).toEqual({ created: false, addedIndexes: [], removedIndexes: [] });
  });
});
