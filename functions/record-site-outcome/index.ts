/**
 * `POST /site/leads/{leadId}/outcomes` (lead page link token): the site records what happened
 * (`{outcome, reason?, note?}`). The entry names the link that recorded it; the log line names
 * the lead, the link and the outcome, never the note or the patient.
 */
import { loadConfig } from '#adapters/config';
import { tableRef } from '#adapters/dynamo';
import { created, httpHandler } from '#adapters/http-handler';
import { logger } from '#adapters/logger';
import { SiteLeadRepository, invalidSiteLink } from '#adapters/site-lead-repository';
import { SITE_METRIC_NAMES, countNow, outcomeMetricName, siteMetrics } from '#adapters/site-metrics';
import type { SiteOutcomeRecorded } from '#core/site-leads';
import { RecordOutcomeRequest, SiteLeadPath } from '#functions/contract/site-lead-requests';

const config = loadConfig('record-site-outcome');
const leads = new SiteLeadRepository(tableRef(config.TABLE_NAME));

export const handler = httpHandler(
  { functionName: 'record-site-outcome', pathParameters: SiteLeadPath, body: RecordOutcomeRequest, auth: 'site-link' },
  async (req, ctx) => {
    const now = new Date();
    const { lead, linkId } = await leads.authorize(req.pathParameters.leadId, req.token, now);
    const recorded = await leads.recordOutcome(lead.leadId, linkId, req.body, now);
    // Erased between the check and the write: the lead is gone, like an unknown one.
    if (!recorded) throw invalidSiteLink();
    logger.info('site outcome recorded', {
      requestId: ctx.requestId,
      leadId: lead.leadId,
      link: linkId,
      outcome: recorded.outcome,
    });
    countNow(siteMetrics(), SITE_METRIC_NAMES.outcomeRecorded, outcomeMetricName(recorded.outcome));
    const response: SiteOutcomeRecorded = { recorded, outcomes: [...lead.outcomes, recorded] };
    return created(response);
  },
);
