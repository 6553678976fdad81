/** `DELETE /screenings/{screeningId}` (token): wiring of the erase-screening use case. */
import { eraseScreening } from '#app/erase-screening';
import { loadConfig } from '#adapters/config';
import { tableRef } from '#adapters/dynamo';
import { httpHandler, noContent } from '#adapters/http-handler';
import { logger } from '#adapters/logger';
import { ScreeningRepository } from '#adapters/screening-repository';
import { ScreeningPath } from '#functions/contract/api';

const config = loadConfig('erase-screening');
const erase = eraseScreening({ screenings: new ScreeningRepository(tableRef(config.TABLE_NAME)) });

export const handler = httpHandler(
  { functionName: 'erase-screening', pathParameters: ScreeningPath, auth: 'screening-token' },
  async (req, ctx) => {
    await erase(req.pathParameters.screeningId, req.token);
    logger.info('screening erased', { requestId: ctx.requestId, screeningId: req.pathParameters.screeningId });
    return noContent();
  },
);
