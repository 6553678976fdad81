/**
 * `GET /site/leads/{leadId}` (lead page link token): the lead for its site, with its outcome
 * history. Every view is counted on the lead and logged with the link's id, never patient data.
 */
import { indexPauses } from '#core/site-pauses';
import { loadConfig } from '#adapters/config';
import { tableRef } from '#adapters/dynamo';
import { httpHandler, ok } from '#adapters/http-handler';
import { logger } from '#adapters/logger';
import { SiteLeadRepository, toSiteLeadView } from '#adapters/site-lead-repository';
import { SITE_METRIC_NAMES, countNow, siteMetrics } from '#adapters/site-metrics';
import { SitePauseRepository } from '#adapters/site-pause-repository';
import { SiteLeadPath } from '#functions/contract/site-lead-requests';

const config = loadConfig('get-site-lead');
const table = tableRef(config.TABLE_NAME);
const leads = new SiteLeadRepository(table);
const pauses = new SitePauseRepository(table);

export const handler = httpHandler(
  { functionName: 'get-site-lead', pathParameters: SiteLeadPath, auth: 'site-link' },
  async (req, ctx) => {
    const now = new Date();
    const authorized = await leads.authorize(req.pathParameters.leadId, req.token, now);
    const { lead, linkId } = authorized;
    await leads.recordView(lead.leadId, linkId, now);
    const paused = indexPauses(await pauses.list());
    logger.info('site lead viewed', { requestId: ctx.requestId, leadId: lead.leadId, link: linkId });
    countNow(siteMetrics(), SITE_METRIC_NAMES.leadViewed);
    return ok(
      toSiteLeadView(authorized, paused.isSitePaused(lead.trialId, lead.siteId) || paused.isAddressPaused(lead.recipient.email)),
    );
  },
);
