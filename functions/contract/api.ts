/**
 * The API's request schemas and response shapes (v1), shared by the handlers (which validate
 * with the schemas), the web form (`web/src/api.ts` compiles against these types) and the
 * OpenAPI document. Built from the core's model with the core's zod; no adapter.
 */
import type { ScreenerSummary } from '#core/model';
import type { AuthorizedSiteLead, ErasureReceipt, ReferralSummary, SavedScreening, ScreeningRecord } from '#core/ports';
import { isSafeText, UNSAFE_TEXT_MESSAGE } from '#core/text-safety';
import * as z from '#core/zod';
import { PATIENT_PROGRESS_TEXT, type LeadOutcomeEntry, trialRegistryUrl } from '#core/site-leads';
import type {
  ErasureBody,
  ReferralBody,
  ScreenerBody,
  ScreenerListBody,
  ScreeningBody,
  ScreeningStatusBody,
  SiteLeadBody,
  SiteOutcomeRecordedBody,
  SitePausedBody,
} from './api-responses';

const ScreenerId = /* @__PURE__ */ z.defineSchema(() => z.string().check(z.regex(/^[a-z0-9-]{1,100}$/, 'Not a screener id')));
/** Any id shape is accepted: an unknown id gets the same 403 as a wrong token. */
const ScreeningId = /* @__PURE__ */ z.defineSchema(() => z.string().check(z.minLength(1), z.maxLength(100)));

export const ScreenerPath = /* @__PURE__ */ z.defineSchema(() => z.object({ screenerId: ScreenerId }));
export const ScreeningPath = /* @__PURE__ */ z.defineSchema(() => z.object({ screeningId: ScreeningId }));

export const SubmitScreeningRequest = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    screenerId: ScreenerId,
    // Shapes per question are checked by the core against the screener itself.
    answers: z.record(z.string(), z.unknown()),
  }),
);
export type SubmitScreeningRequest = z.infer<typeof SubmitScreeningRequest>;

export const SubmitScreeningHeaders = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    'idempotency-key': z.optional(
      z.string().check(z.regex(/^[\x21-\x7e]{8,128}$/, 'An Idempotency-Key is 8 to 128 visible ASCII characters')),
    ),
  }),
);

export const CreateReferralRequest = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    trialIds: z.array(z.string().check(z.regex(/^NCT\d{8}$/, 'Not a trial id (NCT followed by 8 digits)'))).check(
      z.minLength(1),
      z.maxLength(10),
      z.refine((ids) => new Set(ids).size === ids.length, 'Each trial may be chosen once'),
    ),
    contact: z.object({
      // Every field here reaches an email: only text that can be delivered later is accepted.
      name: z.string().check(z.trim(), z.minLength(1), z.maxLength(120), z.refine(isSafeText, UNSAFE_TEXT_MESSAGE)),
      email: z.email().check(z.maxLength(254), z.refine(isSafeText, UNSAFE_TEXT_MESSAGE)),
      phone: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(40), z.refine(isSafeText, UNSAFE_TEXT_MESSAGE))),
    }),
    consent: z.object({
      // Only an explicit `true` is consent: false, a string or a missing value is refused.
      shareWithSites: z.literal(true),
      phoneContact: z._default(z.boolean(), false),
      textVersion: z.string().check(z.minLength(1), z.maxLength(200)),
    }),
  }),
);
/** The request as validated (`phoneContact` may be left out of the JSON: it defaults to false). */
export type CreateReferralRequest = z.output<typeof CreateReferralRequest>;

/**
 * Validation failures under these body paths carry a domain code instead of INVALID_REQUEST,
 * first match wins.
 */
export const CREATE_REFERRAL_ISSUE_CODES = [
  ['consent', 'CONSENT_REQUIRED'],
  ['contact', 'INVALID_CONTACT'],
] as const;

/** `GET /screeners` */
export type ScreenerListResponse = z.output<typeof ScreenerListBody>;

/** `GET /screeners/{screenerId}` */
export type ScreenerResponse = z.output<typeof ScreenerBody>;

/** `POST /screenings` → 201 */
export type ScreeningResponse = z.output<typeof ScreeningBody>;

/** `POST /screenings/{screeningId}/referrals` → 202 */
export type ReferralResponse = z.output<typeof ReferralBody>;
export type ReferralLead = ReferralResponse['leads'][number];

/** `GET /screenings/{screeningId}` */
export type ScreeningStatusResponse = z.output<typeof ScreeningStatusBody>;
/** A lead as the patient sees it: delivery status and, once the site said, its progress in plain words. */
export type ScreeningStatusLead = NonNullable<ScreeningStatusResponse['referral']>['leads'][number];

/** `DELETE /screenings/{screeningId}` → 200: which sites had already received the patient's details. */
export type ErasureResponse = z.output<typeof ErasureBody>;

/** `GET /site/leads/{leadId}`: what the lead page shows. */
export type SiteLeadResponse = z.output<typeof SiteLeadBody>;

/** `POST /site/leads/{leadId}/outcomes` → 201: the new entry and the whole history after it. */
export type SiteOutcomeResponse = z.output<typeof SiteOutcomeRecordedBody>;

/** `POST /site/leads/{leadId}/pause-site` */
export type SitePausedResponse = z.output<typeof SitePausedBody>;

export function toErasureResponse(receipt: ErasureReceipt): ErasureResponse {
  return {
    erased: true,
    erasedAt: receipt.erasedAt,
    disclosedTo: receipt.disclosedTo.map(({ trialId, siteId, facility, status, sentAt }) => ({
      trialId,
      siteId,
      facility,
      status,
      sentAt,
    })),
  };
}

export function toScreenerListResponse(screeners: ScreenerSummary[]): ScreenerListResponse {
  return { screeners: screeners.map(({ id, condition, title, version }) => ({ id, condition, title, version })) };
}

export function toScreeningResponse({ screening, token }: SavedScreening): ScreeningResponse {
  return {
    screeningId: screening.screeningId,
    token,
    outcome: screening.outcome,
    ...careAdviceOf(screening),
    catalogVersion: screening.catalogVersion,
    results: screening.results,
  };
}

export function toReferralResponse(referral: ReferralSummary): ReferralResponse {
  return {
    referralId: referral.referralId,
    leads: referral.leads.map(({ leadId, trialId, siteId, status }) => ({ leadId, trialId, siteId, status })),
  };
}

export function toScreeningStatusResponse({
  screening,
  referral,
}: {
  screening: ScreeningRecord;
  referral?: ReferralSummary;
}): ScreeningStatusResponse {
  return {
    screeningId: screening.screeningId,
    screenerId: screening.screenerId,
    outcome: screening.outcome,
    createdAt: screening.createdAt,
    catalogVersion: screening.catalogVersion,
    ...careAdviceOf(screening),
    results: screening.results,
    ...(referral ? { referral: { createdAt: referral.createdAt, leads: referral.leads.map(withProgress) } } : {}),
  };
}

/** The site's latest outcome in the patient's words ("The study team has contacted you."). */
function withProgress({ latestOutcome, ...lead }: ReferralSummary['leads'][number]): ScreeningStatusLead {
  return latestOutcome
    ? {
        ...lead,
        progress: { outcome: latestOutcome.outcome, text: PATIENT_PROGRESS_TEXT[latestOutcome.outcome], at: latestOutcome.at },
      }
    : lead;
}

/** The urgent-care message or the see-a-doctor advice a screening was stored with, as shown then. */
function careAdviceOf(screening: ScreeningRecord): Pick<ScreeningResponse, 'urgentCare' | 'medicalAdvice'> {
  return {
    ...(screening.urgentCare ? { urgentCare: screening.urgentCare } : {}),
    ...(screening.medicalAdvice ? { medicalAdvice: screening.medicalAdvice } : {}),
  };
}

/** `GET /site/leads/{leadId}`: the lead page's view of the lead its link opened. */
export function toSiteLeadResponse({
  lead,
  linkExpiresAt,
  sitePaused,
}: AuthorizedSiteLead & { sitePaused: boolean }): SiteLeadResponse {
  return {
    leadId: lead.leadId,
    referredAt: lead.createdAt,
    trial: { ...lead.trial, url: trialRegistryUrl(lead.trial.nctId) },
    site: { siteId: lead.siteId, ...lead.site },
    patient: {
      name: lead.contact.name,
      email: lead.contact.email,
      phone: lead.contact.phone,
      phoneContact: lead.consent.phoneContact,
    },
    consent: { acceptedAt: lead.consent.acceptedAt, textVersion: lead.consent.textVersion },
    qualifyingAnswers: lead.qualifyingAnswers,
    criteriaMet: lead.criteriaMet,
    leftToStudyTeam: [...new Set([...(lead.screening?.criteriaUnknown ?? []), ...(lead.screening?.leftToStudyTeam ?? [])])],
    outcomes: lead.outcomes,
    sitePaused,
    linkExpiresAt,
  };
}

/** `POST /site/leads/{leadId}/outcomes` → 201: the entry and the whole history after it. */
export function toSiteOutcomeResponse(result: { recorded: LeadOutcomeEntry; outcomes: LeadOutcomeEntry[] }): SiteOutcomeResponse {
  return { recorded: result.recorded, outcomes: result.outcomes };
}

/** `POST /site/leads/{leadId}/pause-site` */
export function toSitePausedResponse(paused: { trialId: string; siteId: string }): SitePausedResponse {
  return { sitePaused: true, trialId: paused.trialId, siteId: paused.siteId };
}
