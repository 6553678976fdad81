/** `GET /screeners`: the screeners patients can take. */
import { loadConfig } from '../adapters/config';
import { tableRef } from '../adapters/dynamo';
import { httpHandler, ok } from '../adapters/http-handler';
import { ScreenerRepository } from '../adapters/screener-repository';

const config = loadConfig('list-screeners');
const screeners = new ScreenerRepository(tableRef(config.TABLE_NAME));

export const handler = httpHandler({ functionName: 'list-screeners' }, async () => {
  const all = await screeners.listScreeners();
  return ok({
    screeners: all.map(({ id, condition, title, version }) => ({ id, condition, title, version })),
  });
});
