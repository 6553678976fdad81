/**
 * The domain model shared by the API, the delivery pipeline, the CLI and the web form.
 *
 * The zod schemas here are the boundary checks for the data files (screeners, trials, criteria)
 * and for stored documents read back by the Lambda functions; the TypeScript types are inferred
 * from them so the two can never disagree.
 *
 * Written with `zod/mini` (functions instead of methods, `z.optional(x)` for `x.optional()`): the
 * same validation and messages as classic zod, but its schema objects are cheaper to build, and
 * these are built when every Lambda function that reads a screener or trial starts cold.
 */
import { NOT_SURE } from './answers';
import * as z from './zod';

export { NOT_SURE } from './answers';

/** A JsonLogic rule. Its operators are restricted (see `rules.ts`), checked by `catalog lint`. */
export const JsonLogicRule: z.ZodMiniType<unknown> = z.lazy(() =>
  z.union([z.boolean(), z.number(), z.string(), z.null(), z.array(JsonLogicRule), z.record(z.string(), JsonLogicRule)]),
);
export type JsonLogicRule = unknown;

export const QuestionType = z.enum(['boolean', 'single', 'multi', 'number', 'date', 'postal_code']);
export type QuestionType = z.infer<typeof QuestionType>;

export const QuestionOption = z.object({
  value: z.string().check(z.regex(/^[a-z0-9_]+$/)),
  label: z.string().check(z.minLength(1)),
  /** An option that excludes the others in a multi question ("None of these"). */
  exclusive: z.optional(z.boolean()),
});
export type QuestionOption = z.infer<typeof QuestionOption>;

/** The question types that may offer "Not sure" (`notSure: true`). */
export const NOT_SURE_TYPES: readonly QuestionType[] = ['boolean', 'single', 'multi'];

export const Question = z
  .object({
    id: z.string().check(z.regex(/^[a-z][a-z0-9_]*$/)),
    type: QuestionType,
    label: z.string().check(z.minLength(1)),
    help: z.optional(z.string()),
    options: z.optional(z.array(QuestionOption)),
    required: z.boolean(),
    /** JsonLogic over earlier answers; the question applies unless this is definitely false. */
    showIf: z.optional(JsonLogicRule),
    /** A boolean question whose "yes" means the patient must seek urgent care now. */
    redFlag: z.optional(z.literal(true)),
    /**
     * The question offers "Not sure" (answer `NOT_SURE`, the whole answer whatever the type), which
     * every rule reading it treats as unknown. Only boolean, single and multi questions offer it.
     */
    notSure: z.optional(z.literal(true)),
    min: z.optional(z.number()),
    max: z.optional(z.number()),
    /** Unit shown beside a number input ("years", "weeks", "miles"). */
    unit: z.optional(z.string()),
  })
  .check(
    z.refine((question) => !question.notSure || NOT_SURE_TYPES.includes(question.type), {
      error: `"notSure" is offered only by ${NOT_SURE_TYPES.join(', ')} questions`,
      path: ['notSure'],
    }),
    // "not_sure" is the answer itself, so an option may not use it as its value.
    z.refine((question) => !(question.options ?? []).some((option) => option.value === NOT_SURE), {
      error: `"${NOT_SURE}" is reserved for the "Not sure" answer; set "notSure": true instead of an option`,
      path: ['options'],
    }),
  );
export type Question = z.infer<typeof Question>;

export const ConsentText = z.object({
  /** Stable version id of this exact text (sha-256 prefix), sent back with the referral. */
  version: z.string().check(z.minLength(1)),
  shareWithSites: z.string().check(z.minLength(1)),
  phoneContact: z.string().check(z.minLength(1)),
});
export type ConsentText = z.infer<typeof ConsentText>;

export const Screener = z.object({
  id: z.string().check(z.regex(/^[a-z0-9-]+$/)),
  version: z.string().check(z.minLength(1)),
  condition: z.string().check(z.minLength(1)),
  title: z.string().check(z.minLength(1)),
  locale: z._default(z.string(), 'en'),
  intro: z.string().check(z.minLength(1)),
  estimatedMinutes: z.number().check(z.int(), z.positive()),
  /** Non-urgent advice shown to everyone who is not sent to urgent care. */
  generalAdvice: z.string().check(z.minLength(1)),
  questions: z.array(Question).check(z.minLength(1)),
  urgentCare: z.object({
    message: z.string().check(z.minLength(1)),
    emergencyNumbers: z.string().check(z.minLength(1)),
  }),
  consent: ConsentText,
});
export type Screener = z.infer<typeof Screener>;

/** An answer value; the question's type decides which shape is valid. */
export type AnswerValue = boolean | string | string[] | number;
export type Answers = Record<string, AnswerValue>;

export const TrialStatus = z.enum([
  'RECRUITING',
  'NOT_YET_RECRUITING',
  'ENROLLING_BY_INVITATION',
  'ACTIVE_NOT_RECRUITING',
  'COMPLETED',
  'SUSPENDED',
  'TERMINATED',
  'WITHDRAWN',
  'UNKNOWN',
]);
export type TrialStatus = z.infer<typeof TrialStatus>;

export const Contact = z.object({
  name: z.optional(z.string()),
  email: z.optional(z.string()),
  phone: z.optional(z.string()),
});
export type Contact = z.infer<typeof Contact>;

export const GeoPoint = z.object({ lat: z.number().check(z.gte(-90), z.lte(90)), lon: z.number().check(z.gte(-180), z.lte(180)) });
export type GeoPoint = z.infer<typeof GeoPoint>;

export const Site = z.object({
  /** Stable within the trial: derived from facility + city + postal code at import. */
  siteId: z.string().check(z.minLength(1)),
  facility: z.string(),
  city: z.optional(z.string()),
  state: z.optional(z.string()),
  postalCode: z.optional(z.string()),
  /** Country name as the registry writes it ("United States", "Norway"). */
  country: z.string(),
  status: TrialStatus,
  geo: z.optional(GeoPoint),
  contact: z.optional(Contact),
});
export type Site = z.infer<typeof Site>;

export const CriterionKind = z.enum(['inclusion', 'exclusion']);

export const ScreeningCriterion = z.object({
  id: z.string().check(z.regex(/^[a-z0-9-]+$/)),
  /** Where it comes from in the registry record. */
  kind: CriterionKind,
  /** Plain-language requirement, written so "met" means the patient satisfies it. */
  text: z.string().check(z.minLength(1)),
  /** JsonLogic over answers; true means the requirement is satisfied. */
  rule: JsonLogicRule,
});
export type ScreeningCriterion = z.infer<typeof ScreeningCriterion>;

/** Structured eligibility from the registry record, evaluated as criteria too. */
export const StructuredEligibility = z.object({
  minAgeYears: z.nullable(z.number()),
  maxAgeYears: z.nullable(z.number()),
  sex: z.enum(['ALL', 'FEMALE', 'MALE']),
  healthyVolunteers: z.boolean(),
});
export type StructuredEligibility = z.infer<typeof StructuredEligibility>;

export const Trial = z.object({
  nctId: z.string().check(z.regex(/^NCT\d{8}$/)),
  title: z.string().check(z.minLength(1)),
  officialTitle: z.optional(z.string()),
  /** Plain-language summary shown to patients. */
  summary: z.string().check(z.minLength(1)),
  conditions: z.array(z.string()),
  keywords: z._default(z.array(z.string()), []),
  /** Screener ids this trial is screened by. */
  screenerIds: z.array(z.string()).check(z.minLength(1)),
  status: TrialStatus,
  phase: z.optional(z.string()),
  eligibility: StructuredEligibility,
  /** Verbatim free-text criteria from the registry, for authors and reviewers. */
  eligibilityText: z._default(z.string(), ''),
  criteria: z.array(ScreeningCriterion),
  sites: z.array(Site),
  centralContact: z.optional(Contact),
  /** When the registry record was downloaded or last updated (ISO date): shown with the trial. */
  recordDate: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)),
  source: z.optional(z.object({ format: z.enum(['ctgov-v2-json', 'ctgov-classic-xml']), file: z.string() })),
});
export type Trial = z.infer<typeof Trial>;

export type CriterionResult = 'met' | 'not_met' | 'unknown';
export type Eligibility = 'eligible' | 'possibly_eligible' | 'ineligible';
export type ScreeningOutcome = 'urgent_care' | 'matches' | 'no_matches';

export interface CriterionEvaluation {
  id: string;
  kind: 'inclusion' | 'exclusion';
  text: string;
  result: CriterionResult;
}

/** The site a patient would be referred to for a trial. */
export interface SiteSummary {
  siteId: string;
  facility: string;
  city?: string;
  state?: string;
  postalCode?: string;
  country: string;
  /** Straight-line distance; absent when the patient's or the site's location is unknown. */
  distanceKm?: number;
  distanceMiles?: number;
  /** Whether a lead can be sent: the site or the trial has a contact email. */
  acceptsReferrals: boolean;
}

export interface TrialResult {
  trialId: string;
  title: string;
  summary: string;
  phase?: string;
  recordDate: string;
  eligibility: Eligibility;
  criteria: CriterionEvaluation[];
  /** Nearest recruiting site within the patient's travel distance, or null: "no site near you". */
  nearestSite: SiteSummary | null;
  /** How to contact the study when no site can take a referral. */
  studyContact?: { name?: string; phone?: string; email?: string };
}

export interface ScreeningEvaluation {
  outcome: ScreeningOutcome;
  redFlags: string[];
  results: TrialResult[];
}

export const LeadStatus = z.enum(['PENDING', 'SENDING', 'SENT', 'FAILED']);
export type LeadStatus = z.infer<typeof LeadStatus>;
