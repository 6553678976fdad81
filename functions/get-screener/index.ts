/** `GET /screeners/{screenerId}`: one screener with its questions, branching rules and consent text. */
import { getScreener } from '#app/get-screener';
import { loadConfig } from '#adapters/config';
import { tableRef } from '#adapters/dynamo';
import { httpHandler, ok } from '#adapters/http-handler';
import { ScreenerRepository } from '#adapters/screener-repository';
import { ScreenerPath } from '#functions/contract/api';

const config = loadConfig('get-screener');
const get = getScreener({ screeners: new ScreenerRepository(tableRef(config.TABLE_NAME)) });

export const handler = httpHandler({ functionName: 'get-screener', pathParameters: ScreenerPath }, async (req) => ({
  ...ok(await get(req.pathParameters.screenerId)),
  headers: { 'Cache-Control': 'public, max-age=300' },
}));
