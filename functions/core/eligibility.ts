/**
 * Eligibility: a patient's answers against every recruiting trial for the screener.
 *
 * `prepareCatalog` does the expensive work once per catalog load (compiling every criterion rule,
 * deriving the registry's structured limits as criteria, and building each criterion's three
 * possible results); `evaluateScreening` is the per-request hot path: it evaluates each distinct
 * rule once (`evaluateRules`), then each trial only reads its criteria's values and picks their
 * prepared results, so a screening builds no object per criterion.
 */
import { ruleAnswers } from './answers';
import { createRuleCompiler, MET, NOT_MET, UNKNOWN } from './compile-rule';
import type { CompiledRule, OutcomeCode, RuleCompiler, RuleProgram, RuleValues } from './compile-rule';
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
  /**
   * Per screener id, the distinct rules of the recruiting trials it screens, as one program: a
   * screening evaluates each of them once and nothing else (not the rules of closed trials).
   */
  programs: ReadonlyMap<string, RuleProgram>;
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
  const byScreener = new Map<string, CompiledRule[]>();
  for (const { trial, criteria } of prepared) {
    if (trial.status !== 'RECRUITING') continue;
    for (const screenerId of trial.screenerIds) {
      const screened = byScreener.get(screenerId) ?? [];
      byScreener.set(screenerId, screened);
      for (const criterion of criteria) screened.push(criterion.rule);
    }
  }
  const programs = new Map([...byScreener].map(([screenerId, screened]) => [screenerId, rules.program(screened)] as const));
  return { version, trials: prepared, byId: new Map(prepared.map((trial) => [trial.trial.nctId, trial])), rules, programs };
}

/**
 * Evaluates, for one screening, every distinct rule of the recruiting trials `screenerId` screens,
 * each once: the values `evaluateCriteria` reads. A missing or "not sure" answer is unknown to
 * every rule that reads it, inside the compiled rules themselves.
 */
export function evaluateRules(catalog: PreparedCatalog, screenerId: string, answers: Answers): RuleValues {
  return (catalog.programs.get(screenerId) ?? NO_RULES).evaluate(answers);
}

const NO_RULES: RuleProgram = { evaluate: () => new Uint8Array(0) };

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
  const values = evaluateRules(catalog, screener.id, ruleAnswers(screener, answers));
  const ranked: RankedResult[] = [];
  for (const prepared of catalog.trials) {
    const { trial } = prepared;
    if (!isOffered(trial) || !trial.screenerIds.includes(screener.id)) continue;
    const result = evaluateTrial(prepared, values, location, freshness);
    // A study whose record is not current comes after those that are, in each group.
    const rank = ELIGIBILITY_ORDER[result.eligibility] * 2 + (result.freshness?.current ? 0 : 1);
    ranked.push({ result, eligibilityRank: rank, distance: distanceForSorting(result, location) });
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

/**
 * One prepared trial's criteria from a screening's rule values (`evaluateRules`; the per-trial core
 * of `evaluateScreening`, without sites): each criterion met, not met or unknown, and the trial
 * `ineligible` if any is not met, else `possibly_eligible` if any is unknown, else `eligible`.
 * The criterion results are the catalog's prepared, frozen ones: read them, never change them.
 */
export function evaluateCriteria(prepared: PreparedTrial, values: RuleValues): CriteriaEvaluation {
  const { ruleSlots, outcomes } = prepared;
  const criteria = new Array<CriterionEvaluation>(ruleSlots.length);
  let anyNotMet = false;
  let anyUnknown = false;
  for (let i = 0; i < ruleSlots.length; i++) {
    const code = values[ruleSlots[i]!] as OutcomeCode;
    if (code === NOT_MET) anyNotMet = true;
    else if (code === UNKNOWN) anyUnknown = true;
    criteria[i] = outcomes[i * 3 + code]!;
  }
  return { eligibility: anyNotMet ? 'ineligible' : anyUnknown ? 'possibly_eligible' : 'eligible', criteria };
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

function evaluateTrial(
  prepared: PreparedTrial,
  values: RuleValues,
  location: PatientLocation,
  policy: FreshnessPolicy,
): TrialResult {
  const { eligibility, criteria } = evaluateCriteria(prepared, values);
  const nearestSite = nearestRecruitingSite(prepared.trial, location, prepared.sites);
  return presentTrialResult(prepared, { eligibility, criteria }, nearestSite, policy);
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

const ELIGIBILITY_ORDER: Record<Eligibility, number> = { eligible: 0, possibly_eligible: 1, ineligible: 2 };

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
