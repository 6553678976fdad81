/**
 * `POST /site/leads/{leadId}/outcomes` (lead page link token): wiring of the record-site-outcome
 * use case. The log line names the lead, the link and the outcome, never the note or the patient.
 */
import { recordSiteOutcome } from '#app/record-site-outcome';
import { loadConfig } from '#adapters/config';
import { tableRef } from '#adapters/dynamo';
import { created, httpHandler } from '#adapters/http-handler';
import { logger } from '#adapters/logger';
import { SiteLeadRepository } from '#adapters/site-lead-repository';
import { SITE_METRIC_NAMES, countNow, outcomeMetricName, siteMetrics } from '#adapters/site-metrics';
import { toSiteOutcomeResponse } from '#functions/contract/api';
import { RecordOutcomeRequest, SiteLeadPath } from '#functions/contract/site-lead-requests';

const config = loadConfig('record-site-outcome');
const record = recordSiteOutcome({ siteLeads: new SiteLeadRepository(tableRef(config.TABLE_NAME)), clock: () => new Date() });

export const handler = httpHandler(
  { functionName: 'record-site-outcome', pathParameters: SiteLeadPath, body: RecordOutcomeRequest, auth: 'site-link' },
  async (req, ctx) => {
    const result = await record(req.pathParameters.leadId, req.token, req.body);
    const { leadId, linkId, recorded } = result;
    logger.info('site outcome recorded', { requestId: ctx.requestId, leadId, link: linkId, outcome: recorded.outcome });
    countNow(siteMetrics(config.DEPLOYMENT_STAGE), SITE_METRIC_NAMES.outcomeRecorded, outcomeMetricName(recorded.outcome));
    return created(toSiteOutcomeResponse(result));
  },
);
