/**
 * `POST /screenings`: validates the answers, triages red flags, evaluates every recruiting trial
 * and stores the screening with a fresh token. Honours an `Idempotency-Key` header: a replay gets
 * the first response (same screening, same token); the same key with another body is refused.
 */
import { countryFromAnswer } from '../core/countries';
import { evaluateScreening, prepareCatalog, type PreparedCatalog } from '../core/eligibility';
import { DomainError } from '../core/errors';
import { patientLocationFromAnswers } from '../core/geo';
import type { Answers, GeoPoint, Screener } from '../core/model';
import { validateAnswers } from '../core/screener';
import { triageRedFlags } from '../core/triage';
import * as z from '../core/zod';
import { CatalogRepository } from '../adapters/catalog-repository';
import { loadConfig } from '../adapters/config';
import { tableRef } from '../adapters/dynamo';
import { created, httpHandler } from '../adapters/http-handler';
import { locatePatient } from '../adapters/postal-codes';
import { ScreenerRepository } from '../adapters/screener-repository';
import { ScreeningRepository, requestHash, type SavedScreening } from '../adapters/screening-repository';
import { newScreeningToken } from '../adapters/tokens';

const config = loadConfig('submit-screening');
const table = tableRef(config.TABLE_NAME);
const screeners = new ScreenerRepository(table);
const catalogs = new CatalogRepository(table);
const screenings = new ScreeningRepository(table, { screeningTtlDays: config.SCREENING_TTL_DAYS });

const SubmitScreeningRequest = z.object({
  screenerId: z.string().check(z.regex(/^[a-z0-9-]{1,100}$/, 'Not a screener id')),
  // Shapes per question are checked by the core against the screener itself.
  answers: z.record(z.string(), z.unknown()),
});

const SubmitScreeningHeaders = z.object({
  'idempotency-key': z.optional(
    z.string().check(z.regex(/^[\x21-\x7e]{8,128}$/, 'An Idempotency-Key is 8 to 128 visible ASCII characters')),
  ),
});

export const handler = httpHandler(
  { functionName: 'submit-screening', body: SubmitScreeningRequest, headers: SubmitScreeningHeaders },
  async (req) => {
    const screener = await screeners.getScreener(req.body.screenerId);
    if (!screener) throw new DomainError('SCREENER_NOT_FOUND', 'There is no screener with this id.');

    const validation = validateAnswers(screener, req.body.answers);
    if (!validation.ok) {
      throw new DomainError('INVALID_ANSWERS', 'Some answers are missing or not valid.', validation.issues);
    }
    const answers = validation.answers;

    const key = req.headers['idempotency-key'];
    const idempotency = key ? { key, requestHash: requestHash(req.body) } : undefined;
    if (idempotency) {
      const replay = await screenings.findReplay(idempotency);
      if (replay) return created(toScreeningResponse(replay, screener));
    }

    const urgent = triageRedFlags(screener, answers).length > 0;
    const catalog = await catalogFor(urgent);
    const point = urgent ? undefined : await locatePatient(answers);
    const evaluation = evaluateScreening(screener, catalog, answers, patientLocationFromAnswers(answers, point), {
      maxRecordAgeDays: config.MAX_RECORD_AGE_DAYS,
      now: new Date(),
    });

    const saved = await screenings.createScreening(
      {
        screenerId: screener.id,
        screenerVersion: screener.version,
        catalogVersion: catalog.version,
        answers,
        outcome: evaluation.outcome,
        redFlags: evaluation.redFlags,
        results: evaluation.results,
      },
      newScreeningToken(),
      idempotency,
    );
    return created(toScreeningResponse(saved, screener));
  },
);

/**
 * The current catalog. Urgent care never depends on it: a patient with a red flag gets the
 * urgent-care answer even before any catalog was loaded.
 */
async function catalogFor(urgent: boolean): Promise<PreparedCatalog> {
  try {
    return await catalogs.getCurrentCatalog();
  } catch (error) {
    if (urgent && error instanceof DomainError && error.code === 'CATALOG_NOT_LOADED') return prepareCatalog('none', []);
    throw error;
  }
}

function toScreeningResponse({ screening, token }: SavedScreening, screener: Screener) {
  return {
    screeningId: screening.screeningId,
    token,
    outcome: screening.outcome,
    ...(screening.outcome === 'urgent_care' ? { urgentCare: screener.urgentCare } : {}),
    catalogVersion: screening.catalogVersion,
    results: screening.results,
  };
}
