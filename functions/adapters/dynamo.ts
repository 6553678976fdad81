/**
 * The DynamoDB document client, created once per process and reused across invocations. The
 * endpoint comes from `AWS_ENDPOINT_URL_DYNAMODB` when set (DynamoDB Local), which the AWS SDK v3
 * reads natively, so no code path differs between AWS, the local runtime and tests.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
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

/**
 * Items by key with one consistent BatchGet (at most 100 keys), re-asking for the keys DynamoDB
 * left unprocessed (a few tries); an item that does not exist is simply absent from the answer.
 */
export async function batchGetItems(
  table: TableRef,
  keys: readonly object[],
  projection: { expression: string; names?: Record<string, string> },
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let pending: Record<string, unknown>[] = keys.map((key) => ({ ...key }));
  for (let attempt = 0; pending.length > 0 && attempt < 5; attempt += 1) {
    const result = await table.client.send(
      new BatchGetCommand({
        RequestItems: {
          [table.tableName]: {
            Keys: pending,
            ConsistentRead: true,
            ProjectionExpression: projection.expression,
            ...(projection.names ? { ExpressionAttributeNames: projection.names } : {}),
          },
        },
      }),
    );
    items.push(...(result.Responses?.[table.tableName] ?? []));
    pending = result.UnprocessedKeys?.[table.tableName]?.Keys ?? [];
  }
  return items;
}

/** Epoch seconds of `now`: what the TTL attribute is compared with. */
export function nowSeconds(now: Date): number {
  return Math.floor(now.getTime() / 1000);
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

/** Whether an error is DynamoDB refusing a single-item write whose condition did not hold. */
export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
