/** `POST /screenings`: wiring of the submit-screening use case (`functions/app/submit-screening.ts`). */
import { submitScreening } from '#app/submit-screening';
import { CatalogRepository } from '#adapters/catalog-repository';
import { loadConfig } from '#adapters/config';
import { tableRef } from '#adapters/dynamo';
import { countScreening, funnelMetrics } from '#adapters/funnel-metrics';
import { created, httpHandler } from '#adapters/http-handler';
import { locatePatient } from '#adapters/postal-codes';
import { ScreenerRepository } from '#adapters/screener-repository';
import { ScreeningRepository } from '#adapters/screening-repository';
import { SitePauseRepository } from '#adapters/site-pause-repository';
import { newScreeningToken } from '#adapters/tokens';
import { SubmitScreeningHeaders, SubmitScreeningRequest, toScreeningResponse } from '#functions/contract/api';

const config = loadConfig('submit-screening');
const table = tableRef(config.TABLE_NAME);
const metrics = funnelMetrics(config.DEPLOYMENT_STAGE);
const catalogs = new CatalogRepository(table);
// One catalog store, so a catalog version is read once per container (screenings show their results from it).
const screenings = new ScreeningRepository(table, { catalogs, screeningTtlDays: config.SCREENING_TTL_DAYS });
const submit = submitScreening({
  screeners: new ScreenerRepository(table),
  catalogs,
  screenings,
  idempotency: screenings.idempotency,
  geocoder: { locatePatient },
  tokens: { newToken: newScreeningToken },
  clock: () => new Date(),
  freshness: { maxRecordAgeDays: config.MAX_RECORD_AGE_DAYS },
  sitePauses: new SitePauseRepository(table),
});

export const handler = httpHandler(
  { functionName: 'submit-screening', body: SubmitScreeningRequest, headers: SubmitScreeningHeaders },
  async (req) => {
    const submitted = await submit(req.body, req.headers['idempotency-key']);
    if (!submitted.replayed) countScreening(metrics, submitted.screening);
    return created(toScreeningResponse(submitted));
  },
);
