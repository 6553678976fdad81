/**
 * Submit a screening: validate the answers against the screener, triage them once (emergency: the
 * urgent-care answer with the patient's own country's numbers; see a doctor soon: the advice
 * stored with the results; none), match
 * every recruiting trial, and store the screening with a fresh token. A client's Idempotency-Key
 * makes a retry return the first result (same screening, same token); the same key with another
 * request is refused.
 */
import { matchTrials, prepareCatalog, type PreparedCatalog } from '#core/eligibility';
import { DomainError, refusals } from '#core/errors';
import { patientLocationFromAnswers } from '#core/geo';
import type { FreshnessPolicy } from '#core/freshness';
import type { Screener } from '#core/model';
import type {
  CatalogStore,
  Clock,
  Geocoder,
  IdempotencyStore,
  SavedScreening,
  ScreenerStore,
  ScreeningStore,
  TokenSource,
} from '#core/ports';
import { validateAnswers } from '#core/screener';
import { applySitePauses, indexPauses, leadRecipientIn, type SitePauseStore } from '#core/site-pauses';
import { careAdviceFor, triage } from '#core/triage';

export interface SubmitScreeningPorts {
  screeners: ScreenerStore;
  catalogs: CatalogStore;
  screenings: ScreeningStore;
  idempotency: IdempotencyStore;
  geocoder: Geocoder;
  tokens: TokenSource;
  clock: Clock;
  /** The freshness rule's setting (`MAX_RECORD_AGE_DAYS`): older records are shown, never matched. */
  freshness: Pick<FreshnessPolicy, 'maxRecordAgeDays'>;
  /** Sites that take no new leads; shown in results as not taking referrals (none without it). */
  sitePauses?: SitePauseStore;
}

export interface SubmitScreeningRequest {
  screenerId: string;
  /** As sent: each answer's shape is checked against the screener here. */
  answers: Record<string, unknown>;
}

export interface SubmittedScreening extends SavedScreening {
  /** The screener it was answered on. */
  screener: Screener;
}

export function submitScreening(ports: SubmitScreeningPorts) {
  /** @throws DomainError SCREENER_NOT_FOUND, INVALID_ANSWERS, IDEMPOTENCY_KEY_REUSED, CATALOG_NOT_LOADED */
  return async (request: SubmitScreeningRequest, idempotencyKey?: string): Promise<SubmittedScreening> => {
    const screener = await ports.screeners.getScreener(request.screenerId);
    if (!screener) throw refusals.screenerNotFound();

    const validation = validateAnswers(screener, request.answers);
    if (!validation.ok) throw refusals.invalidAnswers(validation.issues);
    const answers = validation.answers;

    const idempotency = idempotencyKey ? { key: idempotencyKey, request } : undefined;
    if (idempotency) {
      const replay = await ports.idempotency.findReplay(idempotency);
      if (replay) return { ...replay, screener };
    }

    const triaged = triage(screener, answers);
    const urgent = triaged.level === 'emergency';
    const catalog = await catalogFor(ports.catalogs, urgent);
    const evaluation = urgent
      ? { outcome: 'urgent_care' as const, redFlags: triaged.redFlags, results: [] }
      : matchTrials(
          screener,
          catalog,
          answers,
          patientLocationFromAnswers(answers, await ports.geocoder.locatePatient(answers)),
          {
            maxRecordAgeDays: ports.freshness.maxRecordAgeDays,
            now: ports.clock(),
          },
        );

    const saved = await ports.screenings.createScreening(
      {
        screenerId: screener.id,
        screenerVersion: screener.version,
        catalogVersion: catalog.version,
        maxRecordAgeDays: ports.freshness.maxRecordAgeDays,
        answers,
        outcome: evaluation.outcome,
        redFlags: evaluation.redFlags,
        results:
          urgent || !ports.sitePauses
            ? evaluation.results
            : applySitePauses(evaluation.results, indexPauses(await ports.sitePauses.list()), leadRecipientIn(catalog)),
        ...careAdviceFor(screener, triaged, answers),
      },
      ports.tokens.newToken(),
      idempotency,
    );
    return { ...saved, screener };
  };
}

/**
 * The current catalog. Urgent care never depends on it: a patient with a red flag gets the
 * urgent-care answer even before any catalog was loaded.
 */
async function catalogFor(catalogs: CatalogStore, urgent: boolean): Promise<PreparedCatalog> {
  try {
    return await catalogs.getCurrentCatalog();
  } catch (error) {
    if (urgent && error instanceof DomainError && error.code === 'CATALOG_NOT_LOADED') return prepareCatalog('none', []);
    throw error;
  }
}
