/**
 * The DynamoDB document client, created once per process and reused across invocations. The
 * endpoint comes from `AWS_ENDPOINT_URL_DYNAMODB` when set (DynamoDB Local), which the AWS SDK v3
 * reads natively, so no code path differs between AWS, the local runtime and tests.
 */
import { constants as zlibConstants, gunzipSync, gzipSync } from 'node:zlib';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, paginatedBatchGet, paginateQuery } from '@aws-sdk/lib-dynamodb';
import * as z from '#core/zod';
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

/**
 * A stored text attribute that may be absent: DynamoDB has no `undefined`, and items written by
 * older code may hold `null`, so both read as absent (`undefined`). Shared by every reader.
 */
export const optionalText = /* @__PURE__ */ z.defineSchema(() =>
  z.pipe(
    z.nullish(z.string()),
    z.transform((value) => value ?? undefined),
  ),
);

/** A `TableRef` for `tableName` with the shared client. */
export function tableRef(tableName: string, dynamo: DynamoDBDocumentClient = documentClient()): TableRef {
  return { tableName, client: dynamo };
}

/**
 * Every item of one partition, in sort-key order, page after page (a Query returns 1 MB at most).
 * With `projection` (attribute paths such as `['screener', 'title']`), each item holds only those
 * attributes and its keys.
 */
export async function queryPartition(
  table: TableRef,
  partitionKey: string,
  projection?: readonly (readonly string[])[],
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  const names: Record<string, string> = { '#pk': TABLE_ATTRIBUTES.partitionKey };
  let projectionExpression: string | undefined;
  if (projection) {
    // Every path segment goes through a name placeholder: attribute names may be reserved words.
    const placeholders = new Map<string, string>();
    const placeholder = (name: string) => {
      let key = placeholders.get(name);
      if (!key) {
        key = `#p${placeholders.size}`;
        placeholders.set(name, key);
        names[key] = name;
      }
      return key;
    };
    const paths = [[TABLE_ATTRIBUTES.partitionKey], [TABLE_ATTRIBUTES.sortKey], ...projection];
    projectionExpression = paths.map((path) => path.map(placeholder).join('.')).join(', ');
  }
  const pages = paginateQuery(
    { client: table.client },
    {
      TableName: table.tableName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ':pk': partitionKey },
      ...(projectionExpression ? { ProjectionExpression: projectionExpression } : {}),
    },
  );
  for await (const page of pages) items.push(...(page.Items ?? []));
  return items;
}

/** BatchGetItem takes at most this many keys per request. */
const BATCH_GET_LIMIT = 100;
/** Rounds of `UnprocessedKeys` asked for again (with backoff) before a batch read gives up. */
const BATCH_GET_ROUNDS = 6;

/**
 * Items by key with consistent reads (the SDK's `paginatedBatchGet`, 100 keys a request), asking
 * again with backoff for the keys DynamoDB left unprocessed; an item that does not exist is simply
 * absent from the answer.
 *
 * @throws Error when DynamoDB still leaves keys unprocessed after a few rounds: a partial answer
 *   would read as "these items do not exist".
 */
export async function batchGetItems(
  table: TableRef,
  keys: readonly object[],
  projection?: { expression: string; names?: Record<string, string> },
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for (let start = 0; start < keys.length; start += BATCH_GET_LIMIT) {
    const pages = paginatedBatchGet(
      { client: table.client },
      {
        RequestItems: {
          [table.tableName]: {
            Keys: keys.slice(start, start + BATCH_GET_LIMIT).map((key) => ({ ...key })),
            ConsistentRead: true,
            ...(projection ? { ProjectionExpression: projection.expression } : {}),
            ...(projection?.names ? { ExpressionAttributeNames: projection.names } : {}),
          },
        },
      },
    );
    let round = 0;
    for await (const page of pages) {
      items.push(...(page.Responses?.[table.tableName] ?? []));
      const unprocessed = page.UnprocessedKeys?.[table.tableName]?.Keys?.length ?? 0;
      if (unprocessed === 0) continue;
      round += 1;
      if (round > BATCH_GET_ROUNDS)
        throw new Error(`BatchGetItem left ${unprocessed} items unread after ${BATCH_GET_ROUNDS} rounds`);
      await new Promise((wake) => setTimeout(wake, 25 * 2 ** round));
    }
  }
  return items;
}

/**
 * A stored item that does not read as its shape. The message names the item's kind, its key and
 * the paths that did not read, never a value (an item can hold health data, and this message can
 * reach a log).
 */
export class MalformedItemError extends Error {
  override readonly name = 'MalformedItemError';

  constructor(
    readonly itemKind: string,
    readonly key: string,
    readonly paths: readonly string[],
  ) {
    super(`The stored ${itemKind} item ${key} does not read as one (at ${paths.join(', ')}); it was left as it is`);
  }
}

/** An item's key for a message (`PK SK`): the key attributes are strings wherever this table writes them. */
export function storedKeyOf(item: Record<string, unknown>): string {
  const parts = [item[TABLE_ATTRIBUTES.partitionKey], item[TABLE_ATTRIBUTES.sortKey]];
  return parts.filter((part) => typeof part === 'string').join(' ') || '(no key)';
}

/**
 * Reads a stored item with its zod reader.
 *
 * @throws MalformedItemError naming the paths that did not read (never the values).
 */
export function readStoredItem<S extends z.ZodMiniType>(reader: S, item: unknown, itemKind: string, key: string): z.output<S> {
  const parsed = z.safeParse(reader, item);
  if (parsed.success) return parsed.data;
  throw new MalformedItemError(itemKind, key, issuePaths(parsed.error));
}

/**
 * What a writer must put in an item for `reader` to read it back (`satisfies` this on the item a
 * writer builds, so the compiler holds writer and reader to one shape); keys and other attributes
 * may come beside it.
 */
export type StoredItemInput<S extends z.ZodMiniType> = z.input<S> & { [attribute: string]: unknown };

/**
 * One item by key (consistent read), read with `reader`, or undefined when there is none.
 *
 * @throws MalformedItemError when the stored item does not read.
 */
export async function getStoredItem<S extends z.ZodMiniType>(
  table: TableRef,
  key: { PK: string; SK: string },
  reader: S,
  itemKind: string,
): Promise<z.output<S> | undefined> {
  const result = await table.client.send(new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }));
  return result.Item ? readStoredItem(reader, result.Item, itemKind, `${key.PK} ${key.SK}`) : undefined;
}

/** The distinct paths of a zod error's issues (`(item)` for the item itself): where, never what. */
export function issuePaths(error: z.core.$ZodError): string[] {
  return [...new Set(error.issues.map((issue) => issue.path.map(String).join('.') || '(item)'))];
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

/**
 * A JSON value gzip-compressed, for one Binary attribute. AWS's own guidance for large items
 * ("Best practices for storing large items and attributes", Compressing large attribute values:
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-use-s3-too.html) is to
 * compress long text with GZIP or similar into a Binary attribute; a Binary value counts its raw
 * bytes toward the item's size ("DynamoDB item sizes and formats",
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html),
 * and the size is what each write is billed on (1 KB steps). Only for content that no key,
 * index, condition, filter or projection names: compressed, it is not useful for any of those.
 */
export function compressJson(value: unknown): Uint8Array {
  return gzipSync(JSON.stringify(value), { level: zlibConstants.Z_BEST_COMPRESSION });
}

/**
 * The value `compressJson` stored, or undefined when the attribute is not a gzip of JSON text
 * (corrupt or of another shape: the caller's reader then fails, naming paths; the bytes are
 * never logged). The gzip trailer's CRC-32 catches damaged bytes.
 */
export function decompressJson(value: unknown): unknown {
  if (!(value instanceof Uint8Array)) return undefined;
  try {
    return JSON.parse(gunzipSync(value).toString('utf8'));
  } catch {
    return undefined;
  }
}
