/**
 * `POST /site/leads/{leadId}/pause-site` (lead page link token): "Stop sending leads to this
 * site". Pauses the lead's (trial, site): no new leads, and screenings say the site is not taking
 * referrals. The operator is alerted (the `SitesPaused` metric's alarm, and a warning log line)
 * and resumes it with `trial-screener sites resume`.
 */
import { loadConfig } from '#adapters/config';
import { tableRef } from '#adapters/dynamo';
import { httpHandler, ok } from '#adapters/http-handler';
import { logger } from '#adapters/logger';
import { SiteLeadRepository } from '#adapters/site-lead-repository';
import { SITE_METRIC_NAMES, countNow, siteMetrics } from '#adapters/site-metrics';
import { SitePauseRepository } from '#adapters/site-pause-repository';
import { PauseSiteRequest, SiteLeadPath } from '#functions/contract/site-lead-requests';

const config = loadConfig('pause-site');
const table = tableRef(config.TABLE_NAME);
const leads = new SiteLeadRepository(table);
const pauses = new SitePauseRepository(table);

export const handler = httpHandler(
  { functionName: 'pause-site', pathParameters: SiteLeadPath, body: PauseSiteRequest, auth: 'site-link' },
  async (req, ctx) => {
    const now = new Date();
    const { lead, linkId } = await leads.authorize(req.pathParameters.leadId, req.token, now);
    const newlyPaused = await pauses.pauseSite(
      lead.trialId,
      lead.siteId,
      { pausedBy: 'site', reason: req.body.reason, leadId: lead.leadId },
      now,
    );
    if (newlyPaused) {
      logger.warn('site paused from its lead page: no new leads until the operator resumes it', {
        requestId: ctx.requestId,
        leadId: lead.leadId,
        link: linkId,
        trialId: lead.trialId,
        siteId: lead.siteId,
      });
      countNow(siteMetrics(), SITE_METRIC_NAMES.sitePaused);
    }
    return ok({ sitePaused: true, trialId: lead.trialId, siteId: lead.siteId });
  },
);
