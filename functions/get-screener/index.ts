/** `GET /screeners/{screenerId}`: one screener with its questions, branching rules and consent text. */
import { DomainError } from '../core/errors';
import * as z from '../core/zod';
import { loadConfig } from '../adapters/config';
import { tableRef } from '../adapters/dynamo';
import { httpHandler, ok } from '../adapters/http-handler';
import { ScreenerRepository } from '../adapters/screener-repository';

const config = loadConfig('get-screener');
const screeners = new ScreenerRepository(tableRef(config.TABLE_NAME));

export const handler = httpHandler(
  {
    functionName: 'get-screener',
    pathParameters: z.object({ screenerId: z.string().check(z.regex(/^[a-z0-9-]{1,100}$/, 'Not a screener id')) }),
  },
  async (req) => {
    const screener = await screeners.getScreener(req.pathParameters.screenerId);
    if (!screener) throw new DomainError('SCREENER_NOT_FOUND', 'There is no screener with this id.');
    return { ...ok(screener), headers: { 'Cache-Control': 'public, max-age=300' } };
  },
);
