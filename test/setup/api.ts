/**
 * Integration-test harness: a fresh table seeded with screeners and a catalog, and a client that
 * sends requests through the real handlers as API Gateway events (routes from the manifest,
 * the same code path as the local runtime).
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Screener, Trial } from '#core/model';
import { CatalogRepository } from '#adapters/catalog-repository';
import { tableRef, type TableRef } from '#adapters/dynamo';
import { ScreenerRepository } from '#adapters/screener-repository';
import { apiRoutes, invokeRoute, matchRoute } from '#local/api-routes';
import { DocumentedResponses } from './documented-responses';
import { createTestTable } from './table';

/** The origin the test API allows for CORS. */
export const TEST_ORIGIN = 'http://localhost:5173';

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON, or undefined for an empty body. */
  body: any;
}

export interface RequestOptions {
  /** Sent as JSON with Content-Type: application/json unless `rawBody` is given. */
  body?: unknown;
  /** Sent as is (for malformed or oversized bodies). */
  rawBody?: string;
  headers?: Record<string, string>;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
}

export interface TestApi {
  tableName: string;
  table: TableRef;
  request(method: string, path: string, options?: RequestOptions): Promise<ApiResponse>;
  /** Every item in the table (for "nothing was written" assertions). */
  items(): Promise<Record<string, any>[]>;
  /** The items of one entity type. */
  itemsOf(entityType: string): Promise<Record<string, any>[]>;
}

export interface TestApiOptions {
  screeners?: Screener[];
  /** Loaded as the current catalog; omit `catalogVersion` to use a fixed test version. */
  trials?: Trial[];
  catalogVersion?: string;
  /** Leave the catalog unloaded (no `CATALOG/CURRENT` pointer). */
  withoutCatalog?: boolean;
}

let started = false;

/**
 * Creates a table, points the handlers at it and seeds it. Call once per test file, in
 * `beforeAll`: handlers read their configuration on first import, as in a Lambda cold start.
 */
export async function startTestApi(options: TestApiOptions = {}): Promise<TestApi> {
  if (started) throw new Error('startTestApi runs once per test file: handlers keep the first table, as a warm Lambda would');
  started = true;
  const tableName = await createTestTable();
  process.env.TABLE_NAME = tableName;
  process.env.ALLOWED_ORIGINS = TEST_ORIGIN;
  const table = tableRef(tableName);

  const screenerRepository = new ScreenerRepository(table);
  for (const screener of options.screeners ?? []) await screenerRepository.putScreener(screener);
  if (!options.withoutCatalog) {
    await new CatalogRepository(table).writeCatalog(options.catalogVersion ?? 'test-catalog-1', options.trials ?? []);
  }

  const routes = apiRoutes();
  const documented = new DocumentedResponses();
  const items = async () => {
    const all: Record<string, any>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await table.client.send(
        new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey, ConsistentRead: true }),
      );
      all.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return all;
  };

  return {
    tableName,
    table,
    items,
    itemsOf: async (entityType) => (await items()).filter((item) => item.entityType === entityType),
    async request(method, path, requestOptions = {}) {
      const [pathname, search] = path.split('?', 2);
      const match = matchRoute(routes, method, pathname!);
      if (match.kind !== 'route') throw new Error(`No route for ${method} ${pathname} in the manifest`);
      const headers: Record<string, string> = { ...requestOptions.headers };
      let body = requestOptions.rawBody;
      if (body === undefined && requestOptions.body !== undefined) {
        body = JSON.stringify(requestOptions.body);
        headers['Content-Type'] ??= 'application/json';
      }
      if (requestOptions.token !== undefined) headers.Authorization = `Bearer ${requestOptions.token}`;
      const result = await invokeRoute(match.route, {
        method,
        path: pathname!,
        query: new URLSearchParams(search ?? ''),
        headers,
        body,
        pathParameters: match.pathParameters,
      });
      const response = {
        status: result.statusCode,
        headers: Object.fromEntries(
          Object.entries(result.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]),
        ),
        body: result.body ? JSON.parse(result.body) : undefined,
      };
      // Every response must be what docs/openapi.json says (no field it does not list).
      const problems = documented.problems(match.route.spec.name, response.status, response.body);
      if (problems.length > 0) throw new Error(`Response not as documented in docs/openapi.json:\n${problems.join('\n')}`);
      return response;
    },
  };
}
