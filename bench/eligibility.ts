/**
 * Benchmark 1, the eligibility engine: one screening against catalogs of 100, 1,000 and 10,000
 * generated trials of 10 criteria each, for
 *
 * - our engine: `prepareCatalog`'s compiled three-valued rules producing per-criterion results
 *   (`met` / `not_met` / `unknown` with id, kind and text, as the API returns them);
 * - the same through `evaluateScreening` end to end (adds red-flag triage, nearest site, ordering);
 * - hand-written TypeScript producing the same per-criterion results (the practical limit), alone
 *   and with the same nearest-site and ordering work;
 * - `json-rules-engine` with equivalent rules.
 *
 * Every implementation is built once per catalog (not timed) and shares one function among
 * criteria written alike. Each is warmed up for `warmupMs` first, then they run interleaved, round
 * by round, so they see the same machine noise; each figure is the median time per screening of a
 * warm process (the very first screening is recorded apart), and the harness checks that all of
 * them produce the same per-criterion results before it reports any time.
 */
import { resolve } from 'node:path';
import type { Engine } from 'json-rules-engine';
import { evaluateCriteria, evaluateRules, evaluateScreening, prepareCatalog, type PreparedCatalog } from '../functions/core/eligibility';
import { nearestRecruitingSite, patientLocationFromAnswers, recruitingSites, type PatientLocation, type RecruitingSite } from '../functions/core/geo';
import type {
  Answers,
  CriterionEvaluation,
  CriterionResult,
  Eligibility,
  Screener,
  ScreeningCriterion,
  Site,
  SiteSummary,
  Trial,
} from '../functions/core/model';
import { readCatalogFiles } from '../functions/adapters/catalog-files';
import { geocodePostalCode } from '../functions/adapters/postal-geocoder';
import { adultWithChronicBackPain } from '../test/factories/screener';
import { handWrittenCriterion, rulesEngineFor, type CriterionPosition, type HandWrittenCriterion } from './rule-implementations';
import { median, nowMs } from './stats';

export const CRITERIA_PER_TRIAL = 10;
/** The registry's structured limits become two of each trial's ten criteria (age-min, age-max). */
const AUTHORED_PER_TRIAL = CRITERIA_PER_TRIAL - 2;

export interface EligibilityOptions {
  repositoryRoot: string;
  sizes: readonly number[];
  /** Interleaved rounds per size; the figure is the median over them. */
  rounds: number;
  /** Each timed sample repeats a screening until it takes at least this long (timer resolution). */
  minSampleMs: number;
  /**
   * Before sampling, each implementation screens for at least this long (and at least 3 times), so
   * the figures are those of a warm process, as a function serves screenings after its first ones.
   */
  warmupMs: number;
  /** json-rules-engine is slow: stop sampling it at a size once its samples took this long. */
  rulesEngineBudgetMs: number;
}

export interface EligibilityRow {
  trials: number;
  criteriaPerTrial: number;
  /** Median milliseconds per screening. */
  engineMs: number;
  handWrittenMs: number;
  rulesEngineMs: number;
  rulesEngineSamples: number;
  evaluateScreeningMs: number;
  handWrittenFullMs: number;
  /** The patient of `partialAnswers`: some rules read unanswered questions, so they are unknown. */
  partialEngineMs: number;
  partialHandWrittenMs: number;
  /**
   * The first screening of the catalog, before any warm-up (one sample each, so noisy): the
   * engine's compiled rules are new functions V8 has not run yet; the hand-written functions
   * are new closures of code that earlier sizes may already have warmed.
   */
  firstEngineMs: number;
  firstHandWrittenMs: number;
  /** Per-criterion results of every implementation were identical (checked before timing). */
  resultsAgree: boolean;
  /** How many criteria of each result the complete-answer patient got, from our engine. */
  resultCounts: Record<CriterionResult, number>;
  partialUnknownCriteria: number;
}

export interface EligibilityReport {
  /** How long each implementation screened before sampling (see `EligibilityOptions`). */
  warmupMs: number;
  /** Real criteria whose shape the generator uses (those with a hand-written equivalent). */
  criteriaPool: number;
  realCriteria: number;
  rows: EligibilityRow[];
}

interface CatalogCriterion {
  id: string;
  kind: 'inclusion' | 'exclusion';
  text: string;
  rule: unknown;
}

/** Per-criterion results of one trial, as every implementation produces them. */
interface TrialCriteria {
  trialId: string;
  eligibility: Eligibility;
  criteria: CriterionEvaluation[];
}

/** A deterministic generator (mulberry32), so every run screens the same catalog. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` recruiting trials of ten criteria each: the registry limits (age-min, age-max) plus
 * eight criteria drawn from the real authored criteria, each with one or two real sites.
 */
export function generateTrials(count: number, pool: readonly ScreeningCriterion[], sites: readonly Site[], seed = 42): Trial[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const trials: Trial[] = [];
  for (let i = 0; i < count; i++) {
    const chosen = new Set<number>();
    while (chosen.size < Math.min(AUTHORED_PER_TRIAL, pool.length)) chosen.add(Math.floor(random() * pool.length));
    const criteria = [...chosen].map((index, n) => ({ ...pool[index]!, id: `${pool[index]!.id}-${n}` }));
    trials.push({
      nctId: `NCT9${String(i).padStart(7, '0')}`,
      title: `Generated lower back pain study ${i}`,
      summary: 'A generated study for the eligibility benchmark.',
      conditions: ['Low Back Pain'],
      keywords: [],
      screenerIds: ['lower-back-pain'],
      status: 'RECRUITING',
      eligibility: { minAgeYears: 18 + (i % 5), maxAgeYears: 60 + (i % 20), sex: 'ALL', healthyVolunteers: false },
      eligibilityText: '',
      criteria,
      sites: random() < 0.5 ? [pick(sites)] : [pick(sites), pick(sites)],
      recordDate: '2026-01-01',
    });
  }
  return trials;
}

/** The criteria of a trial in evaluation order, structured limits first (as `prepareCatalog` does). */
function criteriaOf(trial: Trial): CatalogCriterion[] {
  const structured: CatalogCriterion[] = [];
  const { minAgeYears, maxAgeYears } = trial.eligibility;
  if (minAgeYears !== null && minAgeYears > 0) {
    structured.push({ id: 'age-min', kind: 'inclusion', text: `You are ${minAgeYears} or older`, rule: { '>=': [{ var: 'age' }, minAgeYears] } });
  }
  if (maxAgeYears !== null) {
    structured.push({ id: 'age-max', kind: 'inclusion', text: `You are ${maxAgeYears} or younger`, rule: { '<=': [{ var: 'age' }, maxAgeYears] } });
  }
  return [...structured, ...trial.criteria];
}

function toResult(outcome: boolean | undefined): CriterionResult {
  return outcome === undefined ? 'unknown' : outcome ? 'met' : 'not_met';
}

function eligibilityOf(criteria: readonly CriterionEvaluation[]): Eligibility {
  let unknown = false;
  for (const criterion of criteria) {
    if (criterion.result === 'not_met') return 'ineligible';
    if (criterion.result === 'unknown') unknown = true;
  }
  return unknown ? 'possibly_eligible' : 'eligible';
}

// ---- the implementations ----------------------------------------------------------------------

/** Our engine's criteria evaluation, as `evaluateScreening` runs it: each distinct rule once, then `evaluateCriteria` per trial. */
function screenWithEngine(catalog: PreparedCatalog, answers: Answers): TrialCriteria[] {
  const values = evaluateRules(catalog, 'lower-back-pain', answers);
  const results = new Array<TrialCriteria>(catalog.trials.length);
  for (let t = 0; t < catalog.trials.length; t++) {
    const prepared = catalog.trials[t]!;
    const { eligibility, criteria } = evaluateCriteria(prepared, values);
    results[t] = { trialId: prepared.trial.nctId, eligibility, criteria };
  }
  return results;
}

interface HandWrittenTrial {
  trial: Trial;
  criteria: (CatalogCriterion & { evaluate: HandWrittenCriterion })[];
  /** Prepared once per catalog, as `prepareCatalog` does for the engine. */
  sites: RecruitingSite[];
}

function screenByHand(trials: readonly HandWrittenTrial[], answers: Answers): TrialCriteria[] {
  const results = new Array<TrialCriteria>(trials.length);
  for (let t = 0; t < trials.length; t++) {
    const { trial, criteria: source } = trials[t]!;
    // The same single pass as the engine's `evaluateCriteria`: results and eligibility together.
    const criteria = new Array<CriterionEvaluation>(source.length);
    let anyNotMet = false;
    let anyUnknown = false;
    for (let i = 0; i < source.length; i++) {
      const criterion = source[i]!;
      const result = toResult(criterion.evaluate(answers));
      if (result === 'not_met') anyNotMet = true;
      else if (result === 'unknown') anyUnknown = true;
      criteria[i] = { id: criterion.id, kind: criterion.kind, text: criterion.text, result };
    }
    results[t] = { trialId: trial.nctId, eligibility: anyNotMet ? 'ineligible' : anyUnknown ? 'possibly_eligible' : 'eligible', criteria };
  }
  return results;
}

const ORDER: Record<Eligibility, number> = { eligible: 0, possibly_eligible: 1, ineligible: 2 };

/** Hand-written criteria plus the same site and ordering work `evaluateScreening` does. */
function screenByHandFull(trials: readonly HandWrittenTrial[], answers: Answers, location: PatientLocation) {
  const results = screenByHand(trials, answers).map((result, index) => ({
    ...result,
    nearestSite: nearestRecruitingSite(trials[index]!.trial, location, trials[index]!.sites) as SiteSummary | null,
  }));
  const distance = (site: SiteSummary | null) => (site === null ? Number.MAX_SAFE_INTEGER : (site.distanceKm ?? Number.MAX_SAFE_INTEGER - 1));
  return results.sort((a, b) => ORDER[a.eligibility] - ORDER[b.eligibility] || distance(a.nearestSite) - distance(b.nearestSite));
}

async function screenWithRulesEngine(engine: Engine, trials: readonly HandWrittenTrial[], answers: Answers): Promise<TrialCriteria[]> {
  const outcome = await engine.run(answers);
  const results: TrialCriteria[] = trials.map(({ trial, criteria }) => ({
    trialId: trial.nctId,
    eligibility: 'eligible',
    criteria: criteria.map(({ id, kind, text }) => ({ id, kind, text, result: 'not_met' as CriterionResult })),
  }));
  for (const ruleResult of outcome.results) {
    const { trial, criterion } = ruleResult.event!.params as unknown as CriterionPosition;
    results[trial]!.criteria[criterion]!.result = 'met';
  }
  for (const result of results) result.eligibility = eligibilityOf(result.criteria);
  return results;
}

// ---- measuring --------------------------------------------------------------------------------

type Screen = () => unknown;

/** Median milliseconds per call, sampled in batches long enough for the timer. */
class Sampler {
  readonly samples: number[] = [];
  private batch = 1;
  constructor(
    private readonly minSampleMs: number,
    private readonly warmupMs: number,
  ) {}

  async calibrate(run: Screen): Promise<void> {
    // Warm up: V8 compiles and optimises each function only after it has run a while, and the
    // implementations differ in how much code they run (the engine a generated function per
    // distinct rule, the hand-written code one function body per rule shape), so timing from the
    // third run on measured part of that warm-up instead of the screening (the first screenings
    // are reported apart, as firstEngineMs and firstHandWrittenMs).
    const warmup: number[] = [];
    const started = nowMs();
    while (warmup.length < 3 || nowMs() - started < this.warmupMs) {
      const start = nowMs();
      await run();
      warmup.push(nowMs() - start);
    }
    // Size the batch from the warm runs so one sample lasts at least minSampleMs.
    const once = Math.max(median(warmup.slice(-3)), 0.0005);
    this.batch = Math.max(1, Math.ceil(this.minSampleMs / once));
  }

  async sample(run: Screen): Promise<number> {
    const start = nowMs();
    for (let i = 0; i < this.batch; i++) await run();
    const elapsed = nowMs() - start;
    this.samples.push(elapsed / this.batch);
    return elapsed;
  }

  median(): number {
    return median(this.samples);
  }
}

function sameResults(a: readonly TrialCriteria[], b: readonly TrialCriteria[]): boolean {
  const key = (results: readonly TrialCriteria[]) =>
    results.map((r) => `${r.trialId}:${r.eligibility}:${r.criteria.map((c) => `${c.id}=${c.result}`).join(',')}`).join('\n');
  return key(a) === key(b);
}

/** The patient every implementation screens: each question any rule reads is answered. */
export function completeAnswers(): Answers {
  return adultWithChronicBackPain({ had_back_surgery: true, surgeries: ['discectomy'] });
}

/**
 * A patient with answers missing that rules read (`diagnoses`, `pregnant`, and `surgeries`, which
 * branching hides after "no surgery"): criteria reading them are unknown unless the rest of the
 * rule decides them, which sends our engine to its three-valued interpreter for those rules.
 */
export function partialAnswers(): Answers {
  return adultWithChronicBackPain({ diagnoses: undefined, pregnant: undefined });
}

export async function runEligibilityBenchmark(options: EligibilityOptions, screener: Screener): Promise<EligibilityReport> {
  const catalog = await readCatalogFiles(resolve(options.repositoryRoot, 'data'));
  const realCriteria = catalog.trials.flatMap((trial) => trial.criteria);
  const pool = realCriteria.filter((criterion) => handWrittenCriterion(criterion.rule) !== undefined);
  const sites = catalog.trials.flatMap((trial) => trial.sites.filter((site) => site.status === 'RECRUITING'));

  const complete = completeAnswers();
  const partial = partialAnswers();
  const point = await geocodePostalCode('US', String(complete.postal_code));
  const location = patientLocationFromAnswers(complete, point);

  const rows: EligibilityRow[] = [];
  for (const size of options.sizes) {
    const trials = generateTrials(size, pool, sites);
    const prepared = prepareCatalog(`bench-${size}`, trials);
    // A criterion written alike in several trials is one function, as a developer would reuse it
    // (and as `prepareCatalog` shares one compiled rule).
    const handWritten = new Map<string, HandWrittenCriterion>();
    const handWrittenFor = (rule: unknown): HandWrittenCriterion => {
      const text = JSON.stringify(rule);
      let evaluate = handWritten.get(text);
      if (evaluate === undefined) {
        evaluate = handWrittenCriterion(rule)!;
        handWritten.set(text, evaluate);
      }
      return evaluate;
    };
    const byHand: HandWrittenTrial[] = trials.map((trial) => ({
      trial,
      criteria: criteriaOf(trial).map((criterion) => ({ ...criterion, evaluate: handWrittenFor(criterion.rule) })),
      sites: recruitingSites(trial),
    }));
    const engine = rulesEngineFor(
      byHand.flatMap(({ criteria }, trial) => criteria.map((criterion, index) => ({ trial, criterion: index, rule: criterion.rule }))),
    );

    // Every implementation must give the same per-criterion results before any time counts.
    let started = nowMs();
    const reference = screenWithEngine(prepared, complete);
    const firstEngineMs = nowMs() - started;
    started = nowMs();
    const firstByHand = screenByHand(byHand, complete);
    const firstHandWrittenMs = nowMs() - started;
    const full = evaluateScreening(screener, prepared, complete, location);
    const resultsAgree =
      sameResults(reference, firstByHand) &&
      sameResults(reference, await screenWithRulesEngine(engine, byHand, complete)) &&
      sameResults(screenWithEngine(prepared, partial), screenByHand(byHand, partial)) &&
      full.results.length === reference.length &&
      sameResults(
        [...full.results].sort((a, b) => a.trialId.localeCompare(b.trialId)),
        [...reference].sort((a, b) => a.trialId.localeCompare(b.trialId)),
      );
    const resultCounts: Record<CriterionResult, number> = { met: 0, not_met: 0, unknown: 0 };
    for (const trial of reference) for (const criterion of trial.criteria) resultCounts[criterion.result] += 1;
    const partialUnknownCriteria = screenWithEngine(prepared, partial)
      .flatMap((trial) => trial.criteria)
      .filter((criterion) => criterion.result === 'unknown').length;

    const runs: Record<string, Screen> = {
      engine: () => screenWithEngine(prepared, complete),
      handWritten: () => screenByHand(byHand, complete),
      evaluateScreening: () => evaluateScreening(screener, prepared, complete, location),
      handWrittenFull: () => screenByHandFull(byHand, complete, location),
      partialEngine: () => screenWithEngine(prepared, partial),
      partialHandWritten: () => screenByHand(byHand, partial),
      rulesEngine: () => screenWithRulesEngine(engine, byHand, complete),
    };
    const samplers = Object.fromEntries(Object.keys(runs).map((name) => [name, new Sampler(options.minSampleMs, options.warmupMs)]));
    for (const [name, run] of Object.entries(runs)) await samplers[name]!.calibrate(run);

    let rulesEngineSpentMs = 0;
    const names = Object.keys(runs);
    for (let round = 0; round < options.rounds; round++) {
      // Rotate the order each round so no implementation always runs right after the same one.
      for (let k = 0; k < names.length; k++) {
        const name = names[(round + k) % names.length]!;
        if (name === 'rulesEngine' && rulesEngineSpentMs > options.rulesEngineBudgetMs && samplers[name]!.samples.length >= 3) continue;
        const spent = await samplers[name]!.sample(runs[name]!);
        if (name === 'rulesEngine') rulesEngineSpentMs += spent;
      }
    }

    rows.push({
      trials: size,
      criteriaPerTrial: CRITERIA_PER_TRIAL,
      engineMs: samplers.engine!.median(),
      handWrittenMs: samplers.handWritten!.median(),
      rulesEngineMs: samplers.rulesEngine!.median(),
      rulesEngineSamples: samplers.rulesEngine!.samples.length,
      evaluateScreeningMs: samplers.evaluateScreening!.median(),
      handWrittenFullMs: samplers.handWrittenFull!.median(),
      partialEngineMs: samplers.partialEngine!.median(),
      partialHandWrittenMs: samplers.partialHandWritten!.median(),
      firstEngineMs,
      firstHandWrittenMs,
      resultsAgree,
      resultCounts,
      partialUnknownCriteria,
    });
  }
  return { warmupMs: options.warmupMs, criteriaPool: pool.length, realCriteria: realCriteria.length, rows };
}
