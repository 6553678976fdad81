/** `GET /screeners`: the screeners patients can take. */
import { loadConfig } from '#adapters/config';
import { tableRef } from '#adapters/dynamo';
import { httpHandler, ok } from '#adapters/http-handler';
import { ScreenerListRepository } from '#adapters/screener-repository';
import { toScreenerListResponse } from '#functions/contract/api';

const config = loadConfig('list-screeners');
const screeners = new ScreenerListRepository(tableRef(config.TABLE_NAME));

export const handler = httpHandler({ functionName: 'list-screeners' }, async () =>
  ok(toScreenerListResponse(await screeners.listScreeners())),
);
