/**
 * Create a referral: the patient's chosen trials, contact details and explicit consent become one
 * referral and one pending lead per (trial, site), stored at once. Urgent-care screenings are
 * refused whatever the request says; so are a second referral and an outdated consent text.
 */
import { countryFromAnswer } from '#core/countries';
import { refusals } from '#core/errors';
import type { FreshnessPolicy } from '#core/freshness';
import type {
  CatalogStore,
  Clock,
  PatientContact,
  PhoneNumbers,
  ReferralStore,
  ReferralSummary,
  ScreenerStore,
  ScreeningStore,
} from '#core/ports';
import { assertStillReferable, planReferral } from '#core/referral';
import { applySitePauses, indexPauses, leadRecipientIn, refusePausedSites, type SitePauseStore } from '#core/site-pauses';

export interface CreateReferralPorts {
  screeners: ScreenerStore;
  catalogs: CatalogStore;
  screenings: ScreeningStore;
  referrals: ReferralStore;
  phoneNumbers: PhoneNumbers;
  clock: Clock;
  /** The freshness rule's setting (`MAX_RECORD_AGE_DAYS`). */
  freshness: Pick<FreshnessPolicy, 'maxRecordAgeDays'>;
  /** Sites that take no new leads: a referral to one is refused (none without it). */
  sitePauses?: SitePauseStore;
}

export interface CreateReferralRequest {
  trialIds: string[];
  contact: { name: string; email: string; phone?: string | undefined };
  consent: { shareWithSites: true; phoneContact: boolean; textVersion: string };
}

export function createReferral(ports: CreateReferralPorts) {
  /**
   * @throws DomainError TOKEN_INVALID, REFERRAL_NOT_ALLOWED (urgent care), REFERRAL_EXISTS,
   *   CONSENT_TEXT_OUTDATED, INVALID_CONTACT, TRIAL_NOT_REFERABLE, TRIAL_CLOSED (changed since the screening)
   */
  return async (screeningId: string, token: string, request: CreateReferralRequest): Promise<ReferralSummary> => {
    const screening = await ports.screenings.authorizeScreening(screeningId, token);
    if (screening.outcome === 'urgent_care') throw refusals.urgentCare();
    if (screening.referred) throw refusals.referralExists();

    const screener = await ports.screeners.getScreener(screening.screenerId);
    if (!screener) throw refusals.screenerGone();
    if (request.consent.textVersion !== screener.consent.version) throw refusals.consentTextOutdated();

    const contact = patientContact(ports.phoneNumbers, request.contact, countryFromAnswer(screening.answers.country)?.iso2);
    if (request.consent.phoneContact && !contact.phone) throw refusals.phoneRequiredForPhoneContact();

    const catalog = await ports.catalogs.getCatalogVersion(screening.catalogVersion);
    if (!catalog) throw refusals.catalogReplaced();
    // A site paused since the screening takes no lead either.
    const results = ports.sitePauses
      ? applySitePauses(screening.results, indexPauses(await ports.sitePauses.list()), leadRecipientIn(catalog))
      : screening.results;
    refusePausedSites(results, request.trialIds);
    const plans = planReferral({
      screener,
      outcome: screening.outcome,
      results,
      answers: screening.answers,
      catalog,
      trialIds: request.trialIds,
    });
    // The screening's catalog may be old: the chosen sites must still be open, and their records
    // current, in the catalog in use now.
    assertStillReferable(plans, await ports.catalogs.getCurrentCatalog(), {
      maxRecordAgeDays: ports.freshness.maxRecordAgeDays,
      now: ports.clock(),
    });

    return ports.referrals.createReferral({
      screeningId: screening.screeningId,
      token,
      contact,
      consent: { phoneContact: request.consent.phoneContact, textVersion: request.consent.textVersion },
      trialIds: request.trialIds,
      plans,
    });
  };
}

/** The contact as stored: the phone number, when given, normalised to E.164. */
function patientContact(
  phoneNumbers: PhoneNumbers,
  contact: CreateReferralRequest['contact'],
  countryIso2: string | undefined,
): PatientContact {
  if (contact.phone === undefined) return { name: contact.name, email: contact.email };
  const phone = phoneNumbers.toE164(contact.phone, countryIso2);
  if (!phone) throw refusals.invalidPhone();
  return { name: contact.name, email: contact.email, phone };
}
