/** `DELETE /screenings/{screeningId}` (token): erases the screening, its referral and its leads. */
import * as z from '../core/zod';
import { loadConfig } from '../adapters/config';
import { tableRef } from '../adapters/dynamo';
import { httpHandler, noContent } from '../adapters/http-handler';
import { logger } from '../adapters/logger';
import { ScreeningRepository } from '../adapters/screening-repository';

const config = loadConfig('erase-screening');
const screenings = new ScreeningRepository(tableRef(config.TABLE_NAME));

export const handler = httpHandler(
  {
    functionName: 'erase-screening',
    pathParameters: z.object({ screeningId: z.string().check(z.minLength(1), z.maxLength(100)) }),
    auth: 'screening-token',
  },
  async (req, ctx) => {
    await screenings.eraseScreening(req.pathParameters.screeningId, req.token);
    logger.info('screening erased', { requestId: ctx.requestId, screeningId: req.pathParameters.screeningId });
    return noContent();
  },
);
