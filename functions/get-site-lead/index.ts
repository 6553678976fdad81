/**
 * `GET /site/leads/{leadId}` (lead page link token): wiring of the view-site-lead use case. Every
 * view is counted on the lead and logged with the link's id, never patient data.
 */
import { viewSiteLead } from '#app/view-site-lead';
import { loadConfig } from '#adapters/config';
import { tableRef } from '#adapters/dynamo';
import { httpHandler, ok } from '#adapters/http-handler';
import { logger } from '#adapters/logger';
import { SiteLeadRepository } from '#adapters/site-lead-repository';
import { SITE_METRIC_NAMES, countNow, siteMetrics } from '#adapters/site-metrics';
import { SitePauseRepository } from '#adapters/site-pause-repository';
import { toSiteLeadResponse } from '#functions/contract/api';
import { SiteLeadPath } from '#functions/contract/site-lead-requests';

const config = loadConfig('get-site-lead');
const table = tableRef(config.TABLE_NAME);
const view = viewSiteLead({
  siteLeads: new SiteLeadRepository(table),
  sitePauses: new SitePauseRepository(table),
  clock: () => new Date(),
});

export const handler = httpHandler(
  { functionName: 'get-site-lead', pathParameters: SiteLeadPath, auth: 'site-link' },
  async (req, ctx) => {
    const viewed = await view(req.pathParameters.leadId, req.token);
    logger.info('site lead viewed', { requestId: ctx.requestId, leadId: viewed.lead.leadId, link: viewed.linkId });
    countNow(siteMetrics(config.DEPLOYMENT_STAGE), SITE_METRIC_NAMES.leadViewed);
    return ok(toSiteLeadResponse(viewed));
  },
);
