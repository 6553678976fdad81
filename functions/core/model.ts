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
 *
 * Every schema is wrapped in `/* @__PURE__ *\/ z.defineSchema(...)` (see `zod.ts`): a Lambda
 * bundle keeps only the schemas its function parses, so reading a screener builds no trial
 * schema, and a function that only shares a type with this module builds none.
 */
import { NOT_SURE } from './answers';
import type { RecordFreshness } from './freshness';
import * as z from './zod';

export { NOT_SURE } from './answers';

/** A JsonLogic rule. Its operators are restricted (see `rules.ts`), checked by `catalog lint`. */
export const JsonLogicRule: z.ZodMiniType<unknown> = /* @__PURE__ */ z.defineSchema(() =>
  z.lazy(() =>
    z.union([z.boolean(), z.number(), z.string(), z.null(), z.array(JsonLogicRule), z.record(z.string(), JsonLogicRule)]),
  ),
);
export type JsonLogicRule = unknown;

/**
 * `duration`: a number with the patient's own unit (days, weeks, months or years), answered as an
 * ISO 8601 duration (`P3M`) and read by rules in weeks (see `ruleAnswers`).
 */
export const QuestionType = /* @__PURE__ */ z.defineSchema(() =>
  z.enum(['boolean', 'single', 'multi', 'number', 'duration', 'date', 'postal_code']),
);
export type QuestionType = z.infer<typeof QuestionType>;

export const QuestionOption = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    value: z.string().check(z.regex(/^[a-z0-9_]+$/)),
    label: z.string().check(z.minLength(1)),
    /** An option that excludes the others in a multi question ("None of these"). */
    exclusive: z.optional(z.boolean()),
  }),
);
export type QuestionOption = z.infer<typeof QuestionOption>;

/** The question types that may offer "Not sure" (`notSure: true`). */
export const NOT_SURE_TYPES: readonly QuestionType[] = ['boolean', 'single', 'multi'];

export const Question = /* @__PURE__ */ z.defineSchema(() =>
  z
    .object({
      id: z.string().check(z.regex(/^[a-z][a-z0-9_]*$/)),
      type: QuestionType,
      label: z.string().check(z.minLength(1)),
      help: z.optional(z.string()),
      options: z.optional(z.array(QuestionOption)),
      required: z.boolean(),
      /** JsonLogic over earlier answers; the question applies unless this is definitely false. */
      showIf: z.optional(JsonLogicRule),
      /**
       * A triage question (a red flag): asked right after the country, read by the screener's
       * `triage` rules, which decide whether the patient must get emergency care now or see a
       * doctor soon. Its "yes" alone decides nothing: the rules do.
       */
      redFlag: z.optional(z.literal(true)),
      /**
       * The question offers "Not sure" (answer `NOT_SURE`, the whole answer whatever the type), which
       * every rule reading it treats as unknown. Only boolean, single and multi questions offer it.
       */
      notSure: z.optional(z.literal(true)),
      min: z.optional(z.number()),
      max: z.optional(z.number()),
      /**
       * Unit shown beside a number input ("years", "out of 10"). For a duration, `min` and `max`
       * are in weeks, the unit its rules read.
       */
      unit: z.optional(z.string()),
      /**
       * Why the question is asked although no screening rule reads it (it routes the patient, or
       * the site needs it). `catalog lint` fails on a question that no rule reads without this.
       */
      informational: z.optional(z.string().check(z.minLength(1))),
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
    ),
);
export type Question = z.infer<typeof Question>;

export const ConsentText = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    /** Stable version id of this exact text (sha-256 prefix), sent back with the referral. */
    version: z.string().check(z.minLength(1)),
    shareWithSites: z.string().check(z.minLength(1)),
    phoneContact: z.string().check(z.minLength(1)),
  }),
);
export type ConsentText = z.infer<typeof ConsentText>;

/** Where a clinical rule comes from: a guideline, a patient leaflet, the seed article. */
export const ClinicalSource = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    title: z.string().check(z.minLength(1)),
    url: z.string().check(z.minLength(1)),
  }),
);
export type ClinicalSource = z.infer<typeof ClinicalSource>;

/** The two triage tiers above "none" (see `triage.ts`). */
export const TriageLevel = /* @__PURE__ */ z.defineSchema(() => z.enum(['emergency', 'see_doctor_soon']));
export type TriageLevel = z.infer<typeof TriageLevel>;

/**
 * One red-flag rule: when `when` (JsonLogic over the answers, three-valued) is true, the sign is
 * present and the patient gets `level`. Each rule cites its sources beside it.
 */
export const TriageRule = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    id: z.string().check(z.regex(/^[a-z][a-z0-9_]*$/)),
    level: TriageLevel,
    /** The question that asks about the sign; a reason given to the patient names it. */
    questionId: z.string().check(z.minLength(1)),
    /** The sign in a clinician's words (the README's table lists every one). */
    sign: z.string().check(z.minLength(1)),
    when: JsonLogicRule,
    /** The reason in the patient's words ("It is newly hard to pass urine."). */
    reason: z.string().check(z.minLength(1)),
    /** Emergency rules: what to tell the emergency service ("I have back pain and I cannot pass urine."). */
    tellThem: z.optional(z.string().check(z.minLength(1))),
    /** See-a-doctor rules: the doctor should be contacted today rather than within a few days. */
    contactToday: z.optional(z.literal(true)),
    sources: z.array(ClinicalSource).check(z.minLength(1)),
  }),
);
export type TriageRule = z.infer<typeof TriageRule>;

/** What the screener list (`GET /screeners`) shows of a screener: the first fields of `Screener`. */
const screenerSummaryShape = () => ({
  id: z.string().check(z.regex(/^[a-z0-9-]+$/)),
  version: z.string().check(z.minLength(1)),
  condition: z.string().check(z.minLength(1)),
  title: z.string().check(z.minLength(1)),
});

/**
 * A screener as the list shows it. Its own schema, not a pick of `Screener`, so the function that
 * lists screeners reads and validates these fields alone and builds none of the question schemas.
 */
export const ScreenerSummary = /* @__PURE__ */ z.defineSchema(() => z.object(screenerSummaryShape()));
export type ScreenerSummary = z.infer<typeof ScreenerSummary>;

export const Screener = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    ...screenerSummaryShape(),
    locale: z._default(z.string(), 'en'),
    intro: z.string().check(z.minLength(1)),
    estimatedMinutes: z.number().check(z.int(), z.positive()),
    /** Non-urgent advice shown to everyone who is not sent to urgent care. */
    generalAdvice: z.string().check(z.minLength(1)),
    questions: z.array(Question).check(z.minLength(1)),
    /** The red-flag rules, emergency and see-a-doctor-soon, in the order their reasons are given. */
    triage: z.array(TriageRule),
    /** Shown with the patient's own country's numbers when an emergency rule applies. */
    urgentCare: z.object({
      message: z.string().check(z.minLength(1)),
    }),
    /** The see-a-doctor-soon tier's message: within a few days, or today. */
    medicalAdvice: z.object({
      soon: z.string().check(z.minLength(1)),
      today: z.string().check(z.minLength(1)),
    }),
    consent: ConsentText,
  }),
);
export type Screener = z.infer<typeof Screener>;

/** An answer value; the question's type decides which shape is valid. */
export type AnswerValue = boolean | string | string[] | number;
export type Answers = Record<string, AnswerValue>;

export const TrialStatus = /* @__PURE__ */ z.defineSchema(() =>
  z.enum([
    'RECRUITING',
    'NOT_YET_RECRUITING',
    'ENROLLING_BY_INVITATION',
    'ACTIVE_NOT_RECRUITING',
    'COMPLETED',
    'SUSPENDED',
    'TERMINATED',
    'WITHDRAWN',
    'UNKNOWN',
  ]),
);
export type TrialStatus = z.infer<typeof TrialStatus>;

export const Contact = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    name: z.optional(z.string()),
    email: z.optional(z.string()),
    phone: z.optional(z.string()),
  }),
);
export type Contact = z.infer<typeof Contact>;

export const GeoPoint = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    lat: z.number().check(z.gte(-90), z.lte(90)),
    lon: z.number().check(z.gte(-180), z.lte(180)),
  }),
);
export type GeoPoint = z.infer<typeof GeoPoint>;

export const Site = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
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
  }),
);
export type Site = z.infer<typeof Site>;

export const CriterionKind = /* @__PURE__ */ z.defineSchema(() => z.enum(['inclusion', 'exclusion']));

export const ScreeningCriterion = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    id: z.string().check(z.regex(/^[a-z0-9-]+$/)),
    /** Where it comes from in the registry record. */
    kind: CriterionKind,
    /** Plain-language requirement, written so "met" means the patient satisfies it. */
    text: z.string().check(z.minLength(1)),
    /** JsonLogic over answers; true means the requirement is satisfied. */
    rule: JsonLogicRule,
  }),
);
export type ScreeningCriterion = z.infer<typeof ScreeningCriterion>;

/** Structured eligibility from the registry record, evaluated as criteria too. */
export const StructuredEligibility = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    minAgeYears: z.nullable(z.number()),
    maxAgeYears: z.nullable(z.number()),
    sex: z.enum(['ALL', 'FEMALE', 'MALE']),
    healthyVolunteers: z.boolean(),
  }),
);
export type StructuredEligibility = z.infer<typeof StructuredEligibility>;

/**
 * A registry date as the registry gives it: a full ISO date, or a month (`2020-07`) when the
 * sponsor entered only a month. Month precision is kept, never padded to a made-up day.
 */
export const RegistryDate = /* @__PURE__ */ z.defineSchema(() => z.string().check(z.regex(/^\d{4}-\d{2}(-\d{2})?$/)));
export type RegistryDate = z.infer<typeof RegistryDate>;

/** Whether a registry date happened or is a plan (v2 `ESTIMATED`, classic `Anticipated`). */
export const RegistryDateType = /* @__PURE__ */ z.defineSchema(() => z.enum(['ACTUAL', 'ANTICIPATED']));
export type RegistryDateType = z.infer<typeof RegistryDateType>;

/**
 * The dates in a registry record that tell whether it can be trusted (v2 `statusModule`:
 * `lastUpdatePostDateStruct`, `statusVerifiedDate`, `startDateStruct`,
 * `primaryCompletionDateStruct`, `completionDateStruct`; classic `last_update_posted`,
 * `verification_date`, `start_date`, `primary_completion_date`, `completion_date`).
 */
export const RecordDates = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    lastUpdated: z.optional(RegistryDate),
    verified: z.optional(RegistryDate),
    start: z.optional(RegistryDate),
    primaryCompletion: z.optional(RegistryDate),
    primaryCompletionType: z.optional(RegistryDateType),
    completion: z.optional(RegistryDate),
    completionType: z.optional(RegistryDateType),
  }),
);
export type RecordDates = z.infer<typeof RecordDates>;

/**
 * An operator's statement that they checked with the study (or one site) that it is recruiting:
 * who, when, and why. It counts for `maxRecordAgeDays` from `at`, like a registry verification.
 */
export const RecruitmentConfirmation = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    /** The site confirmed; absent when the whole study was confirmed with its central contact. */
    siteId: z.optional(z.string().check(z.minLength(1))),
    by: z.string().check(z.minLength(1), z.maxLength(200)),
    /** ISO timestamp. */
    at: z.iso.datetime(),
    note: z.optional(z.string().check(z.maxLength(1000))),
    /**
     * A confirmation made up by the local demo (`npm start`), not by a person with the site:
     * results show it as a demo so nobody mistakes the old records for current ones.
     */
    demo: z.optional(z.literal(true)),
  }),
);
export type RecruitmentConfirmation = z.infer<typeof RecruitmentConfirmation>;

export const TrialReview = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    status: z.enum(['draft', 'approved']),
    by: z.optional(z.string()),
    at: z.optional(z.iso.datetime()),
  }),
);
export type TrialReview = z.infer<typeof TrialReview>;

export const Trial = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
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
    /**
     * What the registry's criteria require that the form cannot ask, in plain words: the study
     * team checks these ("The study team will also check: ..."). Authored with the criteria.
     */
    leftToStudyTeam: z._default(z.array(z.string()), []),
    /** An optional summary in our own plain words (the registry summary is the study team's). */
    plainSummary: z.optional(z.string().check(z.minLength(1))),
    /**
     * Set when the study only enrols patients on site (for example those who come to its emergency
     * department): the reason, in plain words. Such a trial is shown, never referable.
     */
    onSiteOnly: z.optional(z.string().check(z.minLength(1))),
    sites: z.array(Site),
    centralContact: z.optional(Contact),
    /** When the registry record was downloaded or last updated (ISO date): shown with the trial. */
    recordDate: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)),
    /**
     * The registry's own dates that say whether the record can be trusted today (see
     * `core/freshness.ts`). Absent in records imported before they were kept: such a trial is
     * treated as unverified, never as current.
     */
    recordDates: z.optional(RecordDates),
    /** INTERVENTIONAL, OBSERVATIONAL or EXPANDED_ACCESS (v2 `designModule.studyType`). */
    studyType: z.optional(z.enum(['INTERVENTIONAL', 'OBSERVATIONAL', 'EXPANDED_ACCESS'])),
    /**
     * Whether an operator has reviewed the trial. A trial that came in from a registry sync with no
     * authored criteria is a `draft` and is never offered until `catalog review --approve`. Absent
     * for trials whose criteria were authored and reviewed in the repository.
     */
    review: z.optional(TrialReview),
    /** Operators' confirmations with the study site that the trial is recruiting (`trials confirm`). */
    confirmations: z.optional(z.array(RecruitmentConfirmation)),
    source: z.optional(z.object({ format: z.enum(['ctgov-v2-json', 'ctgov-classic-xml']), file: z.string() })),
  }),
);
export type Trial = z.infer<typeof Trial>;

export type CriterionResult = 'met' | 'not_met' | 'unknown';
export type Eligibility = 'eligible' | 'possibly_eligible' | 'ineligible';
export type ScreeningOutcome = 'urgent_care' | 'matches' | 'no_matches';

export interface CriterionEvaluation {
  id: string;
  kind: 'inclusion' | 'exclusion';
  text: string;
  result: CriterionResult;
  /** The question ids its rule reads, derived from the rule when the catalog is compiled. */
  basedOn: readonly string[];
}

/**
 * Why a trial cannot be referred: `INELIGIBLE` (an answer rules it out), `ON_SITE_ONLY` (it
 * enrols only on site), `NO_SITE_IN_REACH` (no recruiting site within the travel distance),
 * `NO_SITE_CONTACT` (the nearest site and the study have no email for leads), `RECORD_STALE`
 * (the record is not current: `core/freshness.ts`), `SITE_PAUSED` (the site paused referrals: `core/site-pauses.ts`).
 */
export type NotReferableCode =
  | 'INELIGIBLE'
  | 'ON_SITE_ONLY'
  | 'RECORD_STALE'
  | 'NO_SITE_IN_REACH'
  | 'NO_SITE_CONTACT'
  | 'SITE_PAUSED';

export interface NotReferableReason {
  code: NotReferableCode;
  /** Plain words for the patient. */
  message: string;
}

export type SiteReach = 'within_distance' | 'any_distance' | 'distance_unknown';

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
  /**
   * How the site relates to the patient's travel limit: `within_distance` (a known distance within
   * it), `any_distance` (the patient will travel any distance), or `distance_unknown` (the
   * distance cannot be computed, so it is never called near: the patient decides). Absent in
   * screenings stored before it was recorded.
   */
  reach?: SiteReach;
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
  /** What the form cannot ask and the study team will also check, in plain words. */
  leftToStudyTeam: string[];
  /** Our plain-language summary, when the catalog has one (`summary` is the registry's). */
  plainSummary?: string;
  /** Nearest recruiting site within the patient's travel distance, or null: "no site near you". */
  nearestSite: SiteSummary | null;
  /** Whether the patient can ask to be referred to this trial through the form. */
  referable: boolean;
  /** Why not, when `referable` is false. */
  notReferableReason?: NotReferableReason;
  /** How to contact the study when no site can take a referral, or its record is not current. */
  studyContact?: { name?: string; phone?: string; email?: string };
  /**
   * Whether the registry record (or an operator's confirmation) shows the trial recruiting today
   * at `nearestSite` (`core/freshness.ts`). Not current means no lead: the patient is told why.
   */
  freshness?: RecordFreshness;
}

/** Why a triage tier applies, in the patient's words, and the question it comes from. */
export interface TriageReason {
  questionId: string;
  text: string;
}

/** A phone number as shown (`"116 117"`) and as dialled (`"116117"`, for a `tel:` link). */
export interface PhoneNumber {
  number: string;
  dial: string;
}

/** The emergency and urgent routes of one country (or of "another country"), with their sources. */
export interface CareNumbers {
  /** The screener's country answer (`"no"`), or `"other"`. */
  country: string;
  /** "Norway"; absent for another country. */
  countryName?: string;
  /** The emergency numbers, the first the one to call (`113`); empty: "your local emergency number". */
  emergency: PhoneNumber[];
  /** "emergency department (akuttmottak)" */
  emergencyDepartment: string;
  /** The urgent, not emergency, number (`116 117`), when the country has one. */
  urgent?: PhoneNumber & { name: string };
  /** How to reach a doctor urgently, in a sentence. */
  urgentText: string;
  /** Something the patient must know about how this country's system works. */
  note?: string;
}

/** The emergency tier's answer: `outcome: "urgent_care"`, only the patient's own country's numbers. */
export interface UrgentCare {
  message: string;
  /** "Go to the nearest A&E (emergency department) now, or call 999." */
  action: string;
  /** "I have back pain and I cannot pass urine properly. This is new." */
  whatToSay: string;
  numbers: CareNumbers;
  reasons: TriageReason[];
}

/** The see-a-doctor-soon tier: the screening goes on, and this is shown first with the results. */
export interface MedicalAdvice {
  level: 'see_doctor_soon';
  message: string;
  reasons: TriageReason[];
}

/** The triage decision: one function (`triage`) decides it, the server and the form alike. */
export interface Triage {
  level: TriageLevel | 'none';
  /** The reasons of the tier decided (emergency reasons for an emergency). */
  reasons: TriageReason[];
  /** The ids of the emergency rules that apply. */
  emergencyRules: string[];
  /** The questions of those rules, each once: what a screening records as its red flags. */
  redFlags: string[];
  /** See-a-doctor reasons call for contact today (a "not sure" to an emergency question, a fever). */
  contactToday: boolean;
}

export interface ScreeningEvaluation {
  outcome: ScreeningOutcome;
  /** The questions of the emergency signs found (empty unless `urgent_care`). */
  redFlags: string[];
  results: TrialResult[];
}

export const LeadStatus = /* @__PURE__ */ z.defineSchema(() => z.enum(['PENDING', 'SENDING', 'SENT', 'FAILED', 'BOUNCED']));
export type LeadStatus = z.infer<typeof LeadStatus>;
