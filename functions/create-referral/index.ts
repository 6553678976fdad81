/** `POST /screenings/{screeningId}/referrals` (token): wiring of the create-referral use case. */
import { createReferral } from '#app/create-referral';
import { CatalogRepository } from '#adapters/catalog-repository';
import { loadConfig } from '#adapters/config';
import { tableRef } from '#adapters/dynamo';
import { countReferral, funnelMetrics } from '#adapters/funnel-metrics';
import { accepted, httpHandler } from '#adapters/http-handler';
import { logger } from '#adapters/logger';
import { phoneNumbers } from '#adapters/phone-numbers';
import { ReferralRepository } from '#adapters/referral-repository';
import { ScreenerRepository } from '#adapters/screener-repository';
import { ScreeningRepository } from '#adapters/screening-repository';
import { SitePauseRepository } from '#adapters/site-pause-repository';
import { CREATE_REFERRAL_ISSUE_CODES, CreateReferralRequest, ScreeningPath, toReferralResponse } from '#functions/contract/api';

const config = loadConfig('create-referral');
const table = tableRef(config.TABLE_NAME);
const metrics = funnelMetrics(config.DEPLOYMENT_STAGE);
const catalogs = new CatalogRepository(table);
// One catalog store, so a catalog version is read once per container (screenings show their results from it).
const screenings = new ScreeningRepository(table, { catalogs });
const refer = createReferral({
  screeners: new ScreenerRepository(table),
  catalogs,
  screenings,
  referrals: new ReferralRepository(table, { referralRetentionDays: config.REFERRAL_RETENTION_DAYS }),
  phoneNumbers,
  clock: () => new Date(),
  freshness: { maxRecordAgeDays: config.MAX_RECORD_AGE_DAYS },
  sitePauses: new SitePauseRepository(table),
});

export const handler = httpHandler(
  {
    functionName: 'create-referral',
    pathParameters: ScreeningPath,
    body: CreateReferralRequest,
    auth: 'screening-token',
    issueCodes: CREATE_REFERRAL_ISSUE_CODES,
  },
  async (req, ctx) => {
    const referral = await refer(req.pathParameters.screeningId, req.token, req.body);
    logger.info('referral created', {
      requestId: ctx.requestId,
      screeningId: req.pathParameters.screeningId,
      referralId: referral.referralId,
      leadCount: referral.leads.length,
    });
    countReferral(metrics, referral.leads.length);
    return accepted(toReferralResponse(referral));
  },
);
