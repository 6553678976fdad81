/** `GET /screenings/{screeningId}` (token): wiring of the get-screening use case. */
import { getScreening } from '#app/get-screening';
import { loadConfig } from '#adapters/config';
import { tableRef } from '#adapters/dynamo';
import { httpHandler, ok } from '#adapters/http-handler';
import { ReferralRepository } from '#adapters/referral-repository';
import { ScreeningRepository } from '#adapters/screening-repository';
import { ScreeningPath, toScreeningStatusResponse } from '#functions/contract/api';

const config = loadConfig('get-screening');
const table = tableRef(config.TABLE_NAME);
const get = getScreening({ screenings: new ScreeningRepository(table), referrals: new ReferralRepository(table) });

export const handler = httpHandler(
  { functionName: 'get-screening', pathParameters: ScreeningPath, auth: 'screening-token' },
  async (req) => ok(toScreeningStatusResponse(await get(req.pathParameters.screeningId, req.token))),
);
