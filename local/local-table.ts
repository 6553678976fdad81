/**
 * The local runtime's table, as the CDK stack makes it: created on first start, and on later
 * starts (`DATA_DIR` keeps it) brought to the table schema's indexes, so a table made by an older
 * version keeps working. DynamoDB takes one index change per `UpdateTable`, each after the last
 * is ACTIVE, as in AWS.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { createTableInput, globalSecondaryIndexInput, TABLE_ATTRIBUTES, TABLE_INDEXES } from '#functions/table-schema';

/** What `ensureTable` did: created the table, or added and removed which indexes. */
export interface TableChanges {
  created: boolean;
  addedIndexes: string[];
  removedIndexes: string[];
}

/** Creates `tableName`, or gives an existing one exactly the schema's indexes. */
export async function ensureTable(dynamo: DynamoDBClient, tableName: string): Promise<TableChanges> {
  let existing: string[];
  try {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    existing = (Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName ?? '');
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await dynamo.send(new CreateTableCommand(createTableInput(tableName)));
    await dynamo.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TABLE_ATTRIBUTES.expiresAt, Enabled: true },
      }),
    );
    return { created: true, addedIndexes: [], removedIndexes: [] };
  }
  const wanted = new Set(TABLE_INDEXES.map((index) => index.name));
  const changes: TableChanges = { created: false, addedIndexes: [], removedIndexes: [] };
  const definitions = createTableInput(tableName).AttributeDefinitions;
  for (const index of TABLE_INDEXES.filter((candidate) => !existing.includes(candidate.name))) {
    await dynamo.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: definitions,
        GlobalSecondaryIndexUpdates: [{ Create: globalSecondaryIndexInput(index) }],
      }),
    );
    await untilIndexesActive(dynamo, tableName);
    changes.addedIndexes.push(index.name);
  }
  for (const name of existing.filter((candidate) => !wanted.has(candidate))) {
    await dynamo.send(
      new UpdateTableCommand({ TableName: tableName, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: name } }] }),
    );
    await untilIndexesActive(dynamo, tableName);
    changes.removedIndexes.push(name);
  }
  return changes;
}

async function untilIndexesActive(dynamo: DynamoDBClient, tableName: string): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    const busy =
      Table?.TableStatus !== 'ACTIVE' || (Table.GlobalSecondaryIndexes ?? []).some((index) => index.IndexStatus !== 'ACTIVE');
    if (!busy) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`The indexes of ${tableName} did not become ACTIVE within a minute`);
}
