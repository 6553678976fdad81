/**
 * `npm start` keeps its table in DATA_DIR: a table made by an older version (the outbox index
 * `GSI1` projecting every attribute) is brought to the schema's indexes on the next start, and its
 * messages are found through the new index.
 *
 * On a DynamoDB Local of its own, as `npm start` has: on the suite's shared instance, busy with
 * every other file's tables, an index build once stayed CREATING for over a minute.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
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
import { findFreePort, type RunningDynamoDbLocal, startDynamoDbLocal } from '#local/dynamodb-local';

let dynamoDbLocal: RunningDynamoDbLocal;
let dynamo: DynamoDBClient;
let documents: DynamoDBDocumentClient;
const tables: string[] = [];

beforeAll(async () => {
  dynamoDbLocal = await startDynamoDbLocal({ port: await findFreePort() });
  dynamo = new DynamoDBClient({ endpoint: dynamoDbLocal.endpoint });
  documents = DynamoDBDocumentClient.from(dynamo);
}, 60_000);

afterAll(async () => {
  dynamo?.destroy();
  await dynamoDbLocal?.stop();
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
