/**
 * The API's response bodies (v1) as zod schemas, the one definition of each response: the
 * response types the handlers build and the web form reads (`./api.ts`) are these schemas'
 * `z.output`, and the OpenAPI document (`./openapi.ts`, `docs/openapi.json`) is generated from
 * them. A field a handler sends but no schema lists is caught by
 * `test/integration/api-response-schemas.test.ts`, which validates real responses against the
 * document with no additional properties allowed.
 */
import { LeadStatus, RegistryDate, Screener } from '#core/model';
import { NOT_ELIGIBLE_REASONS, SITE_OUTCOMES } from '#core/site-leads';
import * as z from '#core/zod';

const ScreeningOutcome = /* @__PURE__ */ z.defineSchema(() => z.enum(['urgent_care', 'matches', 'no_matches']));
const CriterionResult = /* @__PURE__ */ z.defineSchema(() => z.enum(['met', 'not_met', 'unknown']));

const CriterionEvaluation = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    id: z.string(),
    kind: z.enum(['inclusion', 'exclusion']),
    text: z.string(),
    result: CriterionResult,
    /** The questions the criterion's rule reads. */
    basedOn: z.readonly(z.array(z.string())),
  }),
);

const NotReferableReason = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    code: z.enum(['INELIGIBLE', 'ON_SITE_ONLY', 'RECORD_STALE', 'NO_SITE_IN_REACH', 'NO_SITE_CONTACT', 'SITE_PAUSED']),
    message: z.string(),
  }),
);

/** Where a study site is. */
const SiteAddress = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    siteId: z.string(),
    facility: z.string(),
    city: z.optional(z.string()),
    state: z.optional(z.string()),
    postalCode: z.optional(z.string()),
    country: z.string(),
  }),
);

const SiteSummary = /* @__PURE__ */ z.defineSchema(() =>
  z.extend(SiteAddress, {
    distanceKm: z.optional(z.number()),
    distanceMiles: z.optional(z.number()),
    reach: z.optional(z.enum(['within_distance', 'any_distance', 'distance_unknown'])),
    acceptsReferrals: z.boolean(),
  }),
);

const RecordFreshness = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    current: z.boolean(),
    basis: z.enum(['registry', 'confirmation', 'none']),
    verified: z.optional(RegistryDate),
    confirmation: z.optional(
      z.object({ by: z.string(), at: z.string(), siteId: z.optional(z.string()), demo: z.optional(z.literal(true)) }),
    ),
    reason: z.optional(z.object({ code: z.literal('RECORD_STALE'), message: z.string() })),
  }),
);

export const TrialResultBody = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    trialId: z.string(),
    title: z.string(),
    summary: z.string(),
    phase: z.optional(z.string()),
    recordDate: z.string(),
    eligibility: z.enum(['eligible', 'possibly_eligible', 'ineligible']),
    criteria: z.array(CriterionEvaluation),
    /** What the form cannot ask: the study team checks it. */
    leftToStudyTeam: z.array(z.string()),
    /** A plain-language summary in the catalog's own words (`summary` is the registry's). */
    plainSummary: z.optional(z.string()),
    nearestSite: z.nullable(SiteSummary),
    /** Whether the patient can ask to be referred to this trial. */
    referable: z.boolean(),
    notReferableReason: z.optional(NotReferableReason),
    studyContact: z.optional(
      z.object({ name: z.optional(z.string()), phone: z.optional(z.string()), email: z.optional(z.string()) }),
    ),
    freshness: z.optional(RecordFreshness),
  }),
);

const TriageReason = /* @__PURE__ */ z.defineSchema(() => z.object({ questionId: z.string(), text: z.string() }));
const PhoneNumber = /* @__PURE__ */ z.defineSchema(() => z.object({ number: z.string(), dial: z.string() }));

export const UrgentCare = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    message: z.string(),
    action: z.string(),
    whatToSay: z.string(),
    numbers: z.object({
      country: z.string(),
      countryName: z.optional(z.string()),
      emergency: z.array(PhoneNumber),
      emergencyDepartment: z.string(),
      urgent: z.optional(z.object({ number: z.string(), dial: z.string(), name: z.string() })),
      urgentText: z.string(),
      note: z.optional(z.string()),
    }),
    reasons: z.array(TriageReason),
  }),
);

export const MedicalAdvice = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    level: z.literal('see_doctor_soon'),
    message: z.string(),
    reasons: z.array(TriageReason),
  }),
);

export const ScreenerListBody = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    screeners: z.array(z.object({ id: z.string(), condition: z.string(), title: z.string(), version: z.string() })),
  }),
);

export const ScreenerBody = Screener;

export const ScreeningBody = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    screeningId: z.string(),
    token: z.string(),
    outcome: ScreeningOutcome,
    urgentCare: z.optional(UrgentCare),
    medicalAdvice: z.optional(MedicalAdvice),
    catalogVersion: z.string(),
    results: z.array(TrialResultBody),
  }),
);

const ReferralLead = /* @__PURE__ */ z.defineSchema(() =>
  z.object({ leadId: z.string(), trialId: z.string(), siteId: z.string(), status: LeadStatus }),
);

export const ReferralBody = /* @__PURE__ */ z.defineSchema(() =>
  z.object({ referralId: z.string(), leads: z.array(ReferralLead) }),
);

export const ScreeningStatusBody = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    screeningId: z.string(),
    screenerId: z.string(),
    outcome: ScreeningOutcome,
    createdAt: z.string(),
    catalogVersion: z.string(),
    urgentCare: z.optional(UrgentCare),
    medicalAdvice: z.optional(MedicalAdvice),
    results: z.array(TrialResultBody),
    referral: z.optional(
      z.object({
        createdAt: z.string(),
        leads: z.array(
          z.object({
            leadId: z.string(),
            trialId: z.string(),
            siteId: z.string(),
            status: LeadStatus,
            updatedAt: z.string(),
            /** Once the site recorded an outcome: the latest, in the patient's words. */
            progress: z.optional(z.object({ outcome: z.enum(SITE_OUTCOMES), text: z.string(), at: z.string() })),
          }),
        ),
      }),
    ),
  }),
);

export const ErasureBody = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    erased: z.literal(true),
    erasedAt: z.string(),
    /** The sites that had already received (or may have received) the patient's details. */
    disclosedTo: z.array(
      z.object({
        trialId: z.string(),
        siteId: z.string(),
        facility: z.optional(z.string()),
        status: z.enum(['SENT', 'POSSIBLY_SENT']),
        sentAt: z.optional(z.string()),
      }),
    ),
  }),
);

/** One outcome a site recorded, as its lead page shows it. */
const LeadOutcomeEntry = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    outcome: z.enum(SITE_OUTCOMES),
    reason: z.optional(z.enum(NOT_ELIGIBLE_REASONS)),
    /** The site's short note; for the site and operators, never shown to the patient. */
    note: z.optional(z.string()),
    at: z.string(),
    /** Which link recorded it (its id), never the token. */
    link: z.string(),
  }),
);

export const SiteLeadBody = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    leadId: z.string(),
    referredAt: z.string(),
    trial: z.object({ nctId: z.string(), title: z.string(), url: z.string() }),
    site: SiteAddress,
    patient: z.object({ name: z.string(), email: z.string(), phone: z.optional(z.string()), phoneContact: z.boolean() }),
    consent: z.object({ acceptedAt: z.string(), textVersion: z.string() }),
    qualifyingAnswers: z.array(z.object({ question: z.string(), answer: z.string() })),
    criteriaMet: z.array(z.string()),
    /** What the form could not check and the study team still must. */
    leftToStudyTeam: z.array(z.string()),
    /** Oldest first; notes included (the site's own). */
    outcomes: z.array(LeadOutcomeEntry),
    /** Whether this site is paused (takes no new leads). */
    sitePaused: z.boolean(),
    /** When the link that opened the page stops working (ISO). */
    linkExpiresAt: z.string(),
  }),
);

export const SiteOutcomeRecordedBody = /* @__PURE__ */ z.defineSchema(() =>
  z.object({ recorded: LeadOutcomeEntry, outcomes: z.array(LeadOutcomeEntry) }),
);

export const SitePausedBody = /* @__PURE__ */ z.defineSchema(() =>
  z.object({ sitePaused: z.literal(true), trialId: z.string(), siteId: z.string() }),
);

export const ErrorBody = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.optional(z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() }))),
      requestId: z.optional(z.string()),
    }),
  }),
);
