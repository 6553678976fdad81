/** `GET /screenings/{screeningId}` (token): the results and each lead's delivery status. */
import * as z from '../core/zod';
import { loadConfig } from '../adapters/config';
import { tableRef } from '../adapters/dynamo';
import { httpHandler, ok } from '../adapters/http-handler';
import { ScreeningRepository } from '../adapters/screening-repository';

const config = loadConfig('get-screening');
const screenings = new ScreeningRepository(tableRef(config.TABLE_NAME));

export const handler = httpHandler(
  {
    functionName: 'get-screening',
    // Any id shape is accepted: an unknown id gets the same 403 as a wrong token.
    pathParameters: z.object({ screeningId: z.string().check(z.minLength(1), z.maxLength(100)) }),
    auth: 'screening-token',
  },
  async (req) => {
    const screening = await screenings.authorizeScreening(req.pathParameters.screeningId, req.token);
    const referral = screening.referred ? await screenings.getReferral(screening.screeningId) : undefined;
    return ok({
      screeningId: screening.screeningId,
      screenerId: screening.screenerId,
      outcome: screening.outcome,
      createdAt: screening.createdAt,
      catalogVersion: screening.catalogVersion,
      results: screening.results,
      ...(referral ? { referral: { createdAt: referral.createdAt, leads: referral.leads } } : {}),
    });
  },
);
