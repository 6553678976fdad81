/**
 * The DynamoDB document client, created once per process and reused across invocations. The
 * endpoint comes from `AWS_ENDPOINT_URL_DYNAMODB` when set (DynamoDB Local), which the AWS SDK v3
 * reads natively, so no code path differs between AWS, the local runtime and tests.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE_ATTRIBUTES } from '#functions/table-schema';

let client: DynamoDBDocumentClient | undefined;

/** The shared document client (undefined attributes are dropped rather than rejected). */
export function documentClient(): DynamoDBDocumentClient {
  client ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return client;
}

/** A table and the client to reach it: what every repository is built from. */
export interface TableRef {
  tableName: string;
  client: DynamoDBDocumentClient;
}

/** A `TableRef` for `tableName` with the shared client. */
export function tableRef(tableName: string, dynamo: DynamoDBDocumentClient = documentClient()): TableRef {
  return { tableName, client: dynamo };
}

/** Every item of one partition, in sort-key order, page after page (a Query returns 1 MB at most). */
export async function queryPartition(table: TableRef, partitionKey: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': TABLE_ATTRIBUTES.partitionKey },
        ExpressionAttributeValues: { ':pk': partitionKey },
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** Epoch seconds `days` after `from`: the TTL attribute's format. */
export function expiresAfterDays(from: Date, days: number): number {
  return Math.floor(from.getTime() / 1000) + days * 24 * 60 * 60;
}

/** Whether an error is DynamoDB refusing a transaction, with the per-item cancellation reasons. */
export function cancellationReasons(error: unknown): (string | undefined)[] | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const named = error as { name?: string; CancellationReasons?: { Code?: string }[] };
  if (named.name !== 'TransactionCanceledException') return undefined;
  return (named.CancellationReasons ?? []).map((reason) => reason.Code);
}
