/**
 * Test helper: a uniquely named table with the production key design (from `table-schema.ts`),
 * stream included, on the DynamoDB Local the global setup started. Each test file makes its own,
 * so files can run in any order and in parallel.
 */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { TABLE_ATTRIBUTES, createTableInput } from '#functions/table-schema';

function client(): DynamoDBClient {
  if (!process.env.AWS_ENDPOINT_URL_DYNAMODB) {
    throw new Error(
      'AWS_ENDPOINT_URL_DYNAMODB is not set: DynamoDB Local was not started. Run integration tests through jest ' +
        '(test/setup/global-setup.ts starts it; it needs Java 17+).',
    );
  }
  return new DynamoDBClient({});
}

/** Creates a fresh table named `test-<uuid>` and returns its name. */
export async function createTestTable(): Promise<string> {
  const tableName = `test-${randomUUID()}`;
  const dynamo = client();
  try {
    await dynamo.send(new CreateTableCommand(createTableInput(tableName)));
    await dynamo.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TABLE_ATTRIBUTES.expiresAt, Enabled: true },
      }),
    );
  } finally {
    dynamo.destroy();
  }
  return tableName;
}

/** Deletes a table made by `createTestTable` (DynamoDB Local keeps it in memory until then). */
export async function deleteTestTable(tableName: string): Promise<void> {
  const dynamo = client();
  try {
    await dynamo.send(new DeleteTableCommand({ TableName: tableName }));
  } finally {
    dynamo.destroy();
  }
}
