/**
 * The API's response bodies (v1) as zod schemas: what the OpenAPI document (`./openapi.ts`,
 * `docs/openapi.json`) describes. The response types the handlers build (`./api.ts`) are checked
 * against these at compile time, so the document cannot describe less than a response carries
 * of the fields listed here.
 */
import { LeadStatus, RegistryDate, Screener } from '#core/model';
import * as z from '#core/zod';

const ScreeningOutcome = z.enum(['urgent_care', 'matches', 'no_matches']);
const CriterionResult = z.enum(['met', 'not_met', 'unknown']);

const CriterionEvaluation = z.object({
  id: z.string(),
  kind: z.enum(['inclusion', 'exclusion']),
  text: z.string(),
  result: CriterionResult,
  /** The questions the criterion's rule reads. */
  basedOn: z.readonly(z.array(z.string())),
});

const NotReferableReason = z.object({
  code: z.enum(['INELIGIBLE', 'ON_SITE_ONLY', 'RECORD_STALE', 'NO_SITE_IN_REACH', 'NO_SITE_CONTACT', 'SITE_PAUSED']),
  message: z.string(),
});

const SiteSummary = z.object({
  siteId: z.string(),
  facility: z.string(),
  city: z.optional(z.string()),
  state: z.optional(z.string()),
  postalCode: z.optional(z.string()),
  country: z.string(),
  distanceKm: z.optional(z.number()),
  distanceMiles: z.optional(z.number()),
  reach: z.optional(z.enum(['within_distance', 'any_distance', 'distance_unknown'])),
  acceptsReferrals: z.boolean(),
});

const RecordFreshness = z.object({
  current: z.boolean(),
  basis: z.enum(['registry', 'confirmation', 'none']),
  verified: z.optional(RegistryDate),
  confirmation: z.optional(
    z.object({ by: z.string(), at: z.string(), siteId: z.optional(z.string()), demo: z.optional(z.literal(true)) }),
  ),
  reason: z.optional(z.object({ code: z.literal('RECORD_STALE'), message: z.string() })),
});

export const TrialResultBody = z.object({
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
});

const TriageReason = z.object({ questionId: z.string(), text: z.string() });
const PhoneNumber = z.object({ number: z.string(), dial: z.string() });

export const UrgentCare = z.object({
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
});

export const MedicalAdvice = z.object({
  level: z.literal('see_doctor_soon'),
  message: z.string(),
  reasons: z.array(TriageReason),
});

export const ScreenerListBody = z.object({
  screeners: z.array(z.object({ id: z.string(), condition: z.string(), title: z.string(), version: z.string() })),
});

export const ScreenerBody = Screener;

export const ScreeningBody = z.object({
  screeningId: z.string(),
  token: z.string(),
  outcome: ScreeningOutcome,
  urgentCare: z.optional(UrgentCare),
  medicalAdvice: z.optional(MedicalAdvice),
  catalogVersion: z.string(),
  results: z.array(TrialResultBody),
});

const ReferralLead = z.object({ leadId: z.string(), trialId: z.string(), siteId: z.string(), status: LeadStatus });

export const ReferralBody = z.object({ referralId: z.string(), leads: z.array(ReferralLead) });

export const ScreeningStatusBody = z.object({
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
        }),
      ),
    }),
  ),
});

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.optional(z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() }))),
    requestId: z.optional(z.string()),
  }),
});
