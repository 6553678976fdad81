/**
 * `DELETE /screenings/{screeningId}` (token): wiring of the erase-screening use case. Answers which
 * sites had already received the patient's details, so the patient knows whom else to ask.
 */
import { eraseScreening } from '#app/erase-screening';
import { ErasureRepository } from '#adapters/erasure-repository';
import { loadConfig } from '#adapters/config';
import { tableRef } from '#adapters/dynamo';
import { httpHandler, ok } from '#adapters/http-handler';
import { logger } from '#adapters/logger';
import { ScreeningPath, toErasureResponse } from '#functions/contract/api';

const config = loadConfig('erase-screening');
const erase = eraseScreening({
  erasures: new ErasureRepository(tableRef(config.TABLE_NAME), { referralRetentionDays: config.REFERRAL_RETENTION_DAYS }),
});

export const handler = httpHandler(
  { functionName: 'erase-screening', pathParameters: ScreeningPath, auth: 'screening-token' },
  async (req, ctx) => {
    const receipt = await erase(req.pathParameters.screeningId, req.token);
    logger.info('screening erased', {
      requestId: ctx.requestId,
      screeningId: req.pathParameters.screeningId,
      sitesDisclosed: receipt.disclosedTo.length,
    });
    return ok(toErasureResponse(receipt));
  },
);
