/**
 * The screener list (`GET /screeners`) reads each Screener item by projection: the fields the list
 * shows and the item's keys, validated with the summary schema, never the questions and rules.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { MalformedItemError, documentClient, tableRef, type TableRef } from '#adapters/dynamo';
import { ScreenerListRepository, ScreenerRepository } from '#adapters/screener-repository';
import { itemKeys } from '#functions/table-schema';
import { aScreener } from '#test/factories/screener';
import { createTestTable, deleteTestTable } from '#test/setup/table';

let tableName: string;
let table: TableRef;

beforeAll(async () => {
  tableName = await createTestTable();
  table = tableRef(tableName, documentClient());
});

afterAll(async () => {
  await deleteTestTable(tableName);
});

describe('the screener list', () => {
  it("holds each screener's id, version, condition and title and nothing else of it", async () => {
    const screener = aScreener();
    await new ScreenerRepository(table).putScreener(screener);

    const listed = await new ScreenerListRepository(table).listScreeners();

    expect(listed).toEqual([
      { id: screener.id, version: screener.version, condition: screener.condition, title: screener.title },
    ]);
  });

  it('asks the table for those fields and the keys alone, not the questions', async () => {
    const client = documentClient();
    const queries: { ProjectionExpression?: string; ExpressionAttributeNames?: Record<string, string> }[] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        queries.push(args.input as (typeof queries)[number]);
        return next(args);
      },
      { step: 'initialize', name: 'recordQueries' },
    );

    await new ScreenerListRepository(tableRef(tableName, client)).listScreeners();

    const [query] = queries;
    const names = query?.ExpressionAttributeNames ?? {};
    const projected = (query?.ProjectionExpression ?? '').split(', ').map((path) =>
      path
        .split('.')
        .map((placeholder) => names[placeholder])
        .join('.'),
    );
    expect(projected.sort()).toEqual(['PK', 'SK', 'screener.condition', 'screener.id', 'screener.title', 'screener.version']);
  });

  it('refuses a screener whose listed title is empty, naming that path', async () => {
    const screener = { ...aScreener(), id: 'untitled', title: '' };
    await table.client.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...itemKeys.screener(screener.id), entityType: 'SCREENER', version: screener.version, screener },
      }),
    );

    const error = await new ScreenerListRepository(table).listScreeners().catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(MalformedItemError);
    expect((error as MalformedItemError).paths).toEqual(['screener.title']);
  });
});
