/**
 * `POST /site/leads/{leadId}/pause-site` (lead page link token): wiring of the pause-site use
 * case. A new pause alerts the operator (the `SitesPaused` metric's alarm, and a warning log
 * line), who resumes it with `trial-screener sites resume`.
 */
import { pauseSite } from '#app/pause-site';
import { loadConfig } from '#adapters/config';
import { tableRef } from '#adapters/dynamo';
import { httpHandler, ok } from '#adapters/http-handler';
import { logger } from '#adapters/logger';
import { SiteLeadRepository } from '#adapters/site-lead-repository';
import { SITE_METRIC_NAMES, countNow, siteMetrics } from '#adapters/site-metrics';
import { SitePauseWriter } from '#adapters/site-pause-repository';
import { toSitePausedResponse } from '#functions/contract/api';
import { PauseSiteRequest, SiteLeadPath } from '#functions/contract/site-lead-requests';

const config = loadConfig('pause-site');
const table = tableRef(config.TABLE_NAME);
const pause = pauseSite({
  siteLeads: new SiteLeadRepository(table),
  sitePauses: new SitePauseWriter(table),
  clock: () => new Date(),
});

export const handler = httpHandler(
  { functionName: 'pause-site', pathParameters: SiteLeadPath, body: PauseSiteRequest, auth: 'site-link' },
  async (req, ctx) => {
    const paused = await pause(req.pathParameters.leadId, req.token, req.body);
    if (paused.newlyPaused) {
      const { leadId, linkId: link, trialId, siteId } = paused;
      logger.warn('site paused from its lead page: no new leads until the operator resumes it', {
        requestId: ctx.requestId,
        leadId,
        link,
        trialId,
        siteId,
      });
      countNow(siteMetrics(config.DEPLOYMENT_STAGE), SITE_METRIC_NAMES.sitePaused);
    }
    return ok(toSitePausedResponse(paused));
  },
);
