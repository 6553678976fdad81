/**
 * Eligibility: a patient's answers against every recruiting trial for the screener.
 *
 * `prepareCatalog` does the expensive work once per catalog load (compiling every criterion rule,
 * deriving the registry's structured limits as criteria, building each criterion's three possible
 * results, and one flat table per screener of every criterion's rule); `evaluateScreening` is the
 * per-request hot path: `decideCriteria` evaluates each distinct rule once, then reads every
 * criterion's value through that table into one byte per criterion and one per trial, and only the
 * results a screening returns pick their criteria's prepared result objects.
 */
import { ruleAnswers } from './answers';
import { createRuleCompiler, MET, NOT_MET, UNKNOWN } from './compile-rule';
import type { CompiledRule, RuleCompiler, RuleProgram, RuleValues } from './compile-rule';
import { countryFromRegistryName } from './countries';
import { assessFreshness, DEFAULT_MAX_RECORD_AGE_DAYS, isOffered, type FreshnessPolicy } from './freshness';
import { nearestRecruitingSite, recruitingSites } from './geo';
import type { PatientLocation, RecruitingSite } from './geo';
import type {
  Answers,
  CriterionEvaluation,
  CriterionResult,
  Eligibility,
  JsonLogicRule,
  Screener,
  ScreeningEvaluation,
  SiteSummary,
  StructuredEligibility,
  Trial,
  TrialResult,
} from './model';
import { decideReferability } from './referability';
import { triage } from './triage';

/** A criterion ready to evaluate: its rule compiled once. */
export interface PreparedCriterion {
  id: string;
  kind: 'inclusion' | 'exclusion';
  text: string;
  rule: CompiledRule;
  /** The question ids the rule reads (`basedOn` of every result), derived once here. */
  basedOn: readonly string[];
}

/**
 * A criterion's three possible results, built once per catalog load and indexed by the rule's
 * `OutcomeCode` (not met, met, unknown). Frozen: every screening that gets a result shares it.
 */
export type CriterionOutcomes = readonly [notMet: CriterionEvaluation, met: CriterionEvaluation, unknown: CriterionEvaluation];

/** A trial with its criteria (structured ones first, then authored ones) compiled. */
export interface PreparedTrial {
  trial: Trial;
  criteria: PreparedCriterion[];
  /** Each criterion's rule slot (`CompiledRule.slot`), in criterion order: what a screening reads. */
  ruleSlots: Int32Array;
  /** Each criterion's results (`CriterionOutcomes`), three per criterion in criterion order. */
  outcomes: readonly CriterionEvaluation[];
  /** The trial's recruiting sites, prepared for `nearestRecruitingSite`. */
  sites: RecruitingSite[];
  /** The questions the trial's criteria read, plus age and sex: what a study site is told. */
  qualifyingQuestionIds: ReadonlySet<string>;
}

/** A catalog version ready for screening. */
export interface PreparedCatalog {
  version: string;
  trials: PreparedTrial[];
  byId: Map<string, PreparedTrial>;
  /** The compiler of the trials' rules. */
  rules: RuleCompiler;
  /** Per screener id, what a screening on it evaluates (`ScreenerPlan`). */
  screeners: ReadonlyMap<string, ScreenerPlan>;
}

/**
 * What a screening on one screener evaluates, prepared once per catalog: the offered trials it
 * screens, the distinct rules of their criteria as one program (each evaluated once per screening,
 * and nothing else: not the rules of closed trials), and every criterion's rule slot in one flat
 * table, trial after trial, so a screening reads them in one pass over contiguous memory.
 */
export interface ScreenerPlan {
  /** The offered trials the screener screens, in catalog order. */
  trials: readonly PreparedTrial[];
  program: RuleProgram;
  /** Each criterion's rule slot (`CompiledRule.slot`), the criteria of `trials[0]` first. */
  criterionSlots: Int32Array;
  /** Where each trial's criteria start in `criterionSlots`; one more entry, the table's length, last. */
  criteriaStart: Int32Array;
}

/** A trial's eligibility as one byte (`ScreeningCriteria.eligibility`), in the order results are shown. */
export const ELIGIBLE = 0;
export const POSSIBLY_ELIGIBLE = 1;
export const INELIGIBLE = 2;
export type EligibilityCode = typeof ELIGIBLE | typeof POSSIBLY_ELIGIBLE | typeof INELIGIBLE;
/** The eligibility of each `EligibilityCode`. */
export const ELIGIBILITIES: readonly Eligibility[] = ['eligible', 'possibly_eligible', 'ineligible'];

/**
 * One screening's decisions for every offered trial of a screener (`decideCriteria`): each
 * criterion's outcome and each trial's eligibility, by position, as bytes. These are the ids and
 * values the stored record and the response need; `criteriaOf` joins a trial's criteria to their
 * prepared result objects (texts and all) only for the results that are returned.
 */
export interface ScreeningCriteria {
  /** The screener's offered trials (`ScreenerPlan.trials`). */
  trials: readonly PreparedTrial[];
  /** Where each trial's criteria start in `codes` (`ScreenerPlan.criteriaStart`). */
  criteriaStart: Int32Array;
  /** Each criterion's `OutcomeCode` (0 not met, 1 met, 2 unknown), trial after trial. */
  codes: Uint8Array;
  /** Each trial's `EligibilityCode`. */
  eligibility: Uint8Array;
}

/** Question ids the structured criteria read; part of the screener contract. */
const AGE = 'age';
const SEX = 'sex';
/** The questions the registry's structured limits (age, sex) are evaluated on. */
export const STRUCTURED_CRITERIA_QUESTION_IDS: readonly string[] = [AGE, SEX];

/**
 * Prepares a catalog version for screening: compiles every criterion rule once and derives the
 * structured criteria from each trial's registry eligibility (`age-min` "You are 18 or older",
 * `age-max` "You are 65 or younger", `sex` "This study is for women" / "for men").
 *
 * Throws, naming the trial and criterion, when a rule uses an unsupported operator: a bad catalog
 * must fail when it is loaded, not give wrong answers to patients.
 */
export function prepareCatalog(version: string, trials: Trial[]): PreparedCatalog {
  // One compiler per catalog: criteria written alike share one compiled rule and one value per
  // screening, and rules differing only in their limits share one generated function.
  const rules = createRuleCompiler();
  const prepared = trials.map((trial) => prepareTrial(trial, rules));
  const byScreener = new Map<string, PreparedTrial[]>();
  for (const trial of prepared) {
    if (!isOffered(trial.trial)) continue;
    for (const screenerId of new Set(trial.trial.screenerIds)) {
      const screened = byScreener.get(screenerId) ?? [];
      byScreener.set(screenerId, screened);
      screened.push(trial);
    }
  }
  const screeners = new Map([...byScreener].map(([screenerId, screened]) => [screenerId, planFor(screened, rules)] as const));
  return { version, trials: prepared, byId: new Map(prepared.map((trial) => [trial.trial.nctId, trial])), rules, screeners };
}

function planFor(trials: readonly PreparedTrial[], rules: RuleCompiler): ScreenerPlan {
  const criteriaStart = new Int32Array(trials.length + 1);
  for (let t = 0; t < trials.length; t++) criteriaStart[t + 1] = criteriaStart[t]! + trials[t]!.ruleSlots.length;
  const criterionSlots = new Int32Array(criteriaStart[trials.length]!);
  for (let t = 0; t < trials.length; t++) criterionSlots.set(trials[t]!.ruleSlots, criteriaStart[t]!);
  const program = rules.program(trials.flatMap((trial) => trial.criteria.map((criterion) => criterion.rule)));
  return { trials, program, criterionSlots, criteriaStart };
}

const NO_TRIALS: ScreenerPlan = {
  trials: [],
  program: { evaluate: () => new Uint8Array(0) },
  criterionSlots: new Int32Array(0),
  criteriaStart: new Int32Array(1),
};

/**
 * Decides, for one screening, every criterion of every offered trial `screenerId` screens: each
 * distinct rule of their criteria evaluated once (a missing or "not sure" answer is unknown to every
 * rule that reads it, inside the compiled rules themselves), then each criterion's value read through the
 * screener's flat table, and each trial `ineligible` if any criterion is not met, else
 * `possibly_eligible` if any is unknown, else `eligible`. `answers` are as rules read them
 * (`ruleAnswers`). Builds no object per criterion or trial: see `criteriaOf`.
 */
export function decideCriteria(catalog: PreparedCatalog, screenerId: string, answers: Answers): ScreeningCriteria {
  const { trials, program, criterionSlots, criteriaStart } = catalog.screeners.get(screenerId) ?? NO_TRIALS;
  const codes = new Uint8Array(criterionSlots.length);
  const eligibility = new Uint8Array(trials.length);
  decide(program.evaluate(answers), criterionSlots, criteriaStart, codes, eligibility);
  return { trials, criteriaStart, codes, eligibility };
}

/**
 * The pass over the flat table, apart from `decideCriteria`: a loop that runs long enough for V8 to
 * optimise it while it runs, in a function that does nothing else (optimised mid-loop beside the
 * result object's construction, it was thrown away at that construction on every screening).
 */
function decide(
  values: RuleValues,
  criterionSlots: Int32Array,
  criteriaStart: Int32Array,
  codes: Uint8Array,
  eligibility: Uint8Array,
): void {
  // Module constants read once into locals: read in the loop, each was a module-variable load with
  // its initialisation check, per trial.
  const notMetBit = 1 << NOT_MET;
  const unknownBit = 1 << UNKNOWN;
  const [eligible, possiblyEligible, ineligible] = [ELIGIBLE, POSSIBLY_ELIGIBLE, INELIGIBLE];
  let c = 0;
  for (let t = 0; t < eligibility.length; t++) {
    // One bit per outcome code seen among the trial's criteria.
    let seen = 0;
    for (const end = criteriaStart[t + 1]!; c < end; c++) {
      const code = values[criterionSlots[c]!]!;
      codes[c] = code;
      seen |= 1 << code;
    }
    eligibility[t] = seen & notMetBit ? ineligible : seen & unknownBit ? possiblyEligible : eligible;
  }
}

/**
 * The `index`th trial of a screening's decisions (`decideCriteria`) with its criteria's results:
 * the catalog's prepared, frozen result objects (read them, never change them), one array built.
 */
export function criteriaOf(decided: ScreeningCriteria, index: number): CriteriaEvaluation {
  const { outcomes } = decided.trials[index]!;
  const start = decided.criteriaStart[index]!;
  const criteria = new Array<CriterionEvaluation>(decided.criteriaStart[index + 1]! - start);
  for (let i = 0; i < criteria.length; i++) criteria[i] = outcomes[i * 3 + decided.codes[start + i]!]!;
  return { eligibility: ELIGIBILITIES[decided.eligibility[index]!]!, criteria };
}

/**
 * Evaluates a screening: red flags first (any red flag means `urgent_care` and no matching at
 * all), then every offered trial (`RECRUITING`, not an unreviewed draft) screened by this
 * screener, each with its record's freshness under `freshness` (`core/freshness.ts`). Trials
 * with any other status are never offered.
 *
 * A trial is `ineligible` if any criterion is not met, else `possibly_eligible` if any is unknown
 * (an unanswered or "not sure" answer is never "met"), else `eligible`. Each result says whether
 * the patient can be referred to it, and if not why (`decideReferability`). Results come
 * eligible first, then possibly eligible, then ineligible, each current records first, then
 * nearest first. The outcome is `matches` when some trial is referable.
 */
export function evaluateScreening(
  screener: Screener,
  catalog: PreparedCatalog,
  answers: Answers,
  location: PatientLocation,
  freshness: FreshnessPolicy = { maxRecordAgeDays: DEFAULT_MAX_RECORD_AGE_DAYS, now: new Date() },
): ScreeningEvaluation {
  const triaged = triage(screener, answers);
  if (triaged.level === 'emergency') return { outcome: 'urgent_care', redFlags: triaged.redFlags, results: [] };
  return matchTrials(screener, catalog, answers, location, freshness);
}

/**
 * Matches a screening without red flags against every `RECRUITING` trial its screener screens
 * (`evaluateScreening` after triage; the submit use case triages once itself and calls this).
 */
export function matchTrials(
  screener: Screener,
  catalog: PreparedCatalog,
  answers: Answers,
  location: PatientLocation,
  freshness: FreshnessPolicy = { maxRecordAgeDays: DEFAULT_MAX_RECORD_AGE_DAYS, now: new Date() },
): ScreeningEvaluation {
  // Durations in weeks; "not sure" stays as it is and every rule reads it as unknown.
  const decided = decideCriteria(catalog, screener.id, ruleAnswers(screener, answers));
  const ranked = new Array<RankedResult>(decided.trials.length);
  for (let index = 0; index < ranked.length; index++) {
    const prepared = decided.trials[index]!;
    const nearestSite = nearestRecruitingSite(prepared.trial, location, prepared.sites);
    const result = presentTrialResult(prepared, criteriaOf(decided, index), nearestSite, freshness);
    // A study whose record is not current comes after those that are, in each group.
    const rank = decided.eligibility[index]! * 2 + (result.freshness?.current ? 0 : 1);
    ranked[index] = { result, eligibilityRank: rank, distance: distanceForSorting(result, location) };
  }
  // The sort keys are computed once per trial above, not once per comparison: a sort makes
  // about n log n comparisons, which at thousands of trials cost more than the criteria.
  ranked.sort(compareRanked);
  const results = ranked.map(({ result }) => result);

  // Only a trial the patient can be referred to is a match (a stale record, an on-site-only
  // study or one out of reach is shown, with why and whom to ask, but never counted).
  const matches = results.some((result) => result.referable);
  return { outcome: matches ? 'matches' : 'no_matches', redFlags: [], results };
}

/** One trial's criteria evaluated, and the eligibility they give. */
export interface CriteriaEvaluation {
  eligibility: Eligibility;
  criteria: CriterionEvaluation[];
}

// ---------------------------------------------------------------------------------------------

function prepareTrial(trial: Trial, rules: RuleCompiler): PreparedTrial {
  const criteria: PreparedCriterion[] = [];
  for (const criterion of structuredCriteria(trial.eligibility)) criteria.push(prepareCriterion(trial, criterion, rules));
  for (const criterion of trial.criteria) criteria.push(prepareCriterion(trial, criterion, rules));

  const qualifyingQuestionIds = new Set<string>([AGE, SEX]);
  for (const criterion of criteria) for (const variable of criterion.rule.variables) qualifyingQuestionIds.add(variable);
  return {
    trial,
    criteria,
    ruleSlots: Int32Array.from(criteria, (criterion) => criterion.rule.slot),
    outcomes: criteria.flatMap(criterionOutcomes),
    sites: recruitingSites(trial),
    qualifyingQuestionIds,
  };
}

/** The three results a criterion can have, in `OutcomeCode` order. */
function criterionOutcomes({ id, kind, text, basedOn }: PreparedCriterion): CriterionOutcomes {
  const outcome = (result: CriterionResult): CriterionEvaluation => Object.freeze({ id, kind, text, result, basedOn });
  const outcomes: CriterionEvaluation[] = [];
  outcomes[NOT_MET] = outcome('not_met');
  outcomes[MET] = outcome('met');
  outcomes[UNKNOWN] = outcome('unknown');
  return outcomes as unknown as CriterionOutcomes;
}

interface CriterionSource {
  id: string;
  kind: 'inclusion' | 'exclusion';
  text: string;
  rule: JsonLogicRule;
}

function prepareCriterion(trial: Trial, criterion: CriterionSource, rules: RuleCompiler): PreparedCriterion {
  try {
    const rule = rules.compile(criterion.rule);
    return { id: criterion.id, kind: criterion.kind, text: criterion.text, rule, basedOn: rule.variables };
  } catch (error) {
    throw new Error(`Trial ${trial.nctId}, criterion ${criterion.id}: ${(error as Error).message}`);
  }
}

/** The registry's structured limits as criteria over the screener's `age` and `sex` answers. */
function structuredCriteria(eligibility: StructuredEligibility): CriterionSource[] {
  const criteria: CriterionSource[] = [];
  if (eligibility.minAgeYears !== null && eligibility.minAgeYears > 0) {
    criteria.push({
      id: 'age-min',
      kind: 'inclusion',
      text: `You are ${describeAge(eligibility.minAgeYears)} or older`,
      rule: { '>=': [{ var: AGE }, eligibility.minAgeYears] },
    });
  }
  if (eligibility.maxAgeYears !== null) {
    criteria.push({
      id: 'age-max',
      kind: 'inclusion',
      text: `You are ${describeAge(eligibility.maxAgeYears)} or younger`,
      rule: { '<=': [{ var: AGE }, eligibility.maxAgeYears] },
    });
  }
  if (eligibility.sex !== 'ALL') {
    const female = eligibility.sex === 'FEMALE';
    criteria.push({
      id: 'sex',
      kind: 'inclusion',
      text: female ? 'This study is for women' : 'This study is for men',
      rule: { '==': [{ var: SEX }, female ? 'female' : 'male'] },
    });
  }
  return criteria;
}

function describeAge(years: number): string {
  // The registry allows limits in months or weeks ("6 Months"); whole years read best otherwise.
  return Number.isInteger(years) ? String(years) : `${Math.round(years * 12)} months`;
}

/**
 * A trial's result as the patient sees it, from what the screening decided (each criterion's
 * result and the nearest site) and the catalog: everything else (texts, the record's freshness at
 * the screening's time, whom to contact) follows from those. A stored screening keeps only the
 * decisions and is shown again through this same function (`core/stored-results.ts`).
 */
export function presentTrialResult(
  prepared: PreparedTrial,
  { eligibility, criteria }: CriteriaEvaluation,
  nearestSite: SiteSummary | null,
  policy: FreshnessPolicy,
): TrialResult {
  const { trial } = prepared;
  const freshness = assessFreshness(trial, nearestSite?.siteId, policy);

  const result: TrialResult = {
    trialId: trial.nctId,
    title: trial.title,
    summary: trial.summary,
    recordDate: trial.recordDate,
    eligibility,
    criteria,
    leftToStudyTeam: trial.leftToStudyTeam,
    nearestSite,
    ...decideReferability({ trial, eligibility, nearestSite, freshness }),
    freshness,
  };
  if (trial.phase !== undefined) result.phase = trial.phase;
  if (trial.plainSummary !== undefined) result.plainSummary = trial.plainSummary;
  // Whom to ask, whenever the form cannot send the request itself (and the trial may fit).
  if (!nearestSite?.acceptsReferrals || !freshness.current || (!result.referable && eligibility !== 'ineligible')) {
    const studyContact = studyContactFor(trial, nearestSite);
    if (studyContact) result.studyContact = studyContact;
  }
  return result;
}

type StudyContact = NonNullable<TrialResult['studyContact']>;

/**
 * How to reach the study when no site can take a referral: the trial's central contact, or else
 * the phone of the nearest site's own contact.
 */
function studyContactFor(trial: Trial, nearestSite: SiteSummary | null): StudyContact | undefined {
  const central = contactFields(trial.centralContact);
  if (central) return central;
  if (nearestSite === null) return undefined;
  const site = trial.sites.find((candidate) => candidate.siteId === nearestSite.siteId);
  return contactFields(site?.contact);
}

function contactFields(contact: Trial['centralContact']): StudyContact | undefined {
  if (!contact) return undefined;
  const fields: StudyContact = {};
  if (contact.name?.trim()) fields.name = contact.name;
  if (contact.phone?.trim()) fields.phone = contact.phone;
  if (contact.email?.trim()) fields.email = contact.email;
  return fields.phone || fields.email ? fields : undefined;
}

/** A trial's result with its sort keys. */
interface RankedResult {
  result: TrialResult;
  eligibilityRank: number;
  distance: number;
}

/**
 * Eligible first, then possibly, then ineligible; within each, nearest first, then sites of
 * unknown distance in the patient's country (postal codes are not geocoded everywhere), then
 * other sites of unknown distance, then trials with no site within reach. Ties keep catalog order
 * (the sort is stable).
 */
function compareRanked(a: RankedResult, b: RankedResult): number {
  return a.eligibilityRank - b.eligibilityRank || a.distance - b.distance;
}

const UNKNOWN_DISTANCE_SAME_COUNTRY = Number.MAX_SAFE_INTEGER - 2;
const UNKNOWN_DISTANCE_ELSEWHERE = Number.MAX_SAFE_INTEGER - 1;
const OUT_OF_REACH = Number.MAX_SAFE_INTEGER;

function distanceForSorting({ nearestSite }: TrialResult, location: PatientLocation): number {
  if (nearestSite === null) return OUT_OF_REACH;
  if (nearestSite.distanceKm !== undefined) return nearestSite.distanceKm;
  const sameCountry =
    location.countryIso2 !== undefined && countryFromRegistryName(nearestSite.country)?.iso2 === location.countryIso2;
  return sameCountry ? UNKNOWN_DISTANCE_SAME_COUNTRY : UNKNOWN_DISTANCE_ELSEWHERE;
}
