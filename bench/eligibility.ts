/**
 * Benchmark 1, the eligibility engine: one screening against catalogs of 100, 1,000 and 10,000
 * generated trials of 10 criteria each, in two kinds of catalog:
 *
 * - **shared**: criteria drawn from the real authored criteria, as written (and 5 x 20 age
 *   ranges), so many criteria share a rule and its value;
 * - **distinct**: every criterion's rule is its own (each trial's age limits, every authored
 *   limit perturbed, and a rule with no limit given one it can never reach), so nothing is shared
 *   and the engine evaluates one rule per criterion.
 *
 * For each, our engine (`decideCriteria`: each distinct rule once, then every criterion's value and
 * each trial's eligibility as bytes through one flat table), the same through `evaluateScreening`
 * end to end (adds red-flag triage, the result objects, nearest site, ordering), hand-written
 * three-valued TypeScript doing the same work (each distinct rule's closure once, the same flat
 * table into the same bytes), alone and with the same result objects, site and ordering work,
 * and `json-rules-engine` with equivalent rules (shared catalogs only: it is 100x slower). The
 * complete-answer patient answers every question a rule reads; the partial one leaves `pregnant`
 * unanswered and is "not sure" of `diagnoses`.
 *
 * Every implementation is built once per catalog (timed apart, as the catalog load). Each is
 * warmed up for `warmupMs` first, then they run interleaved, round by round, so they see the same
 * machine noise; each figure is the median time per screening of a warm process (the very first
 * screening is recorded apart), and the harness checks that all of them produce the same
 * per-criterion results before it reports any time.
 */
import { Session } from 'node:inspector/promises';
import { resolve } from 'node:path';
import type { Engine } from 'json-rules-engine';
import { NOT_SURE, ruleAnswers } from '#core/answers';
import {
  criteriaOf as engineCriteriaOf,
  decideCriteria,
  evaluateScreening,
  prepareCatalog,
  type PreparedCatalog,
  type ScreeningCriteria,
} from '#core/eligibility';
import { assessFreshness, DEFAULT_MAX_RECORD_AGE_DAYS } from '#core/freshness';
import { ruleVariables } from '#core/rules';
import {
  nearestRecruitingSite,
  patientLocationFromAnswers,
  recruitingSites,
  type PatientLocation,
  type RecruitingSite,
} from '#core/geo';
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
} from '#core/model';
import { readCatalogFiles } from '#adapters/catalog-files';
import { geocodePostalCode } from '#adapters/postal-geocoder';
import { adultWithChronicBackPain, aScreener } from '#test/factories/screener';
import { handWrittenCriterion, rulesEngineFor, type CriterionPosition, type HandWrittenCriterion } from './rule-implementations';
import { median, nowMs } from './stats';

export const CRITERIA_PER_TRIAL = 10;
/** The registry's structured limits become two of each trial's ten criteria (age-min, age-max). */
const AUTHORED_PER_TRIAL = CRITERIA_PER_TRIAL - 2;
const SCREENER_ID = 'lower-back-pain';

/** How the generated catalog's rules relate: many criteria per rule, or one rule per criterion. */
export type CatalogKind = 'shared' | 'distinct';
export const CATALOG_KINDS: readonly CatalogKind[] = ['shared', 'distinct'];

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
  /** How long to profile the engine on the largest all-distinct catalog, after timing it. */
  profileMs: number;
}

export interface EligibilityRow {
  trials: number;
  /** Which generated catalog (absent in older results: shared). */
  catalog?: CatalogKind;
  criteriaPerTrial: number;
  /** Distinct rules among the catalog's criteria: what a screening evaluates (absent in older results). */
  distinctRules?: number;
  /** Milliseconds to prepare the catalog (`prepareCatalog`: compile, share, build the results). */
  prepareMs?: number;
  /** The same in CPU time of the process (absent in older results). */
  prepareCpuMs?: number;
  /** Median milliseconds per screening. */
  engineMs: number;
  handWrittenMs: number;
  /** json-rules-engine on shared catalogs only (absent on distinct ones). */
  rulesEngineMs?: number;
  rulesEngineSamples?: number;
  evaluateScreeningMs: number;
  handWrittenFullMs: number;
  /** The patient of `partialAnswers`: some rules read an unanswered or "not sure" question. */
  partialEngineMs: number;
  partialHandWrittenMs: number;
  /**
   * The first screening of the catalog, before any warm-up (one sample each, so noisy): the
   * engine's compiled rules are new functions V8 has not run yet; the hand-written functions
   * are new closures of code that earlier sizes may already have warmed.
   */
  firstEngineMs: number;
  firstHandWrittenMs: number;
  /**
   * The same samples in CPU time of the process (user + system, all threads, GC included) per
   * screening, medians: steadier than wall-clock on a shared machine, where a preempted sample
   * counts the time other processes ran (absent in older results).
   */
  cpuMs?: { engine: number; handWritten: number; partialEngine: number; partialHandWritten: number };
  /**
   * Where the engine's time goes on this catalog (distinct catalogs of the largest size only): a
   * CPU profile of screenings in a loop, self time per function, the largest shares first.
   */
  engineProfile?: ProfileShare[];
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
  /** Set where results are reordered (the whole evaluation); the timed paths give them in catalog order. */
  trialId?: string;
  eligibility: Eligibility;
  criteria: readonly CriterionEvaluation[];
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
 * A rule made its own: every number in it moved by `offset` (a small fraction, so limits stay
 * realistic), or, for a rule with no number, `or` a limit no patient reaches (an age above 130),
 * which changes no outcome for a patient whose age is known and costs one comparison more.
 */
export function perturbRule(rule: unknown, offset: number): unknown {
  let perturbed = false;
  const visit = (node: unknown): unknown => {
    if (typeof node === 'number') {
      perturbed = true;
      return node + offset;
    }
    if (Array.isArray(node)) return node.map(visit);
    if (node !== null && typeof node === 'object') {
      const [operator, args] = Object.entries(node)[0]!;
      return operator === 'var' ? node : { [operator]: visit(args) };
    }
    return node;
  };
  const moved = visit(rule);
  return perturbed ? moved : { or: [rule, { '>': [{ var: 'age' }, 130 + offset] }] };
}

/**
 * `count` recruiting trials of ten criteria each: the registry limits (age-min, age-max) plus
 * eight criteria drawn from the real authored criteria, each with one or two real sites. In a
 * `distinct` catalog every criterion's rule is its own (`perturbRule`, per-trial age limits).
 */
export function generateTrials(
  count: number,
  pool: readonly ScreeningCriterion[],
  sites: readonly Site[],
  kind: CatalogKind = 'shared',
  seed = 42,
): Trial[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const trials: Trial[] = [];
  let criterionNumber = 0;
  for (let i = 0; i < count; i++) {
    const chosen = new Set<number>();
    while (chosen.size < Math.min(AUTHORED_PER_TRIAL, pool.length)) chosen.add(Math.floor(random() * pool.length));
    const criteria = [...chosen].map((index, n) => {
      const criterion = pool[index]!;
      // Offsets of 1e-5 weeks or years: unique per criterion, invisible in any outcome but the rare limit case.
      const rule =
        kind === 'distinct'
          ? (perturbRule(criterion.rule, ++criterionNumber * 1e-5) as ScreeningCriterion['rule'])
          : criterion.rule;
      return { ...criterion, id: `${criterion.id}-${n}`, rule };
    });
    const ageOffset = kind === 'distinct' ? i * 1e-5 : 0;
    trials.push({
      nctId: `NCT9${String(i).padStart(7, '0')}`,
      title: `Generated lower back pain study ${i}`,
      summary: 'A generated study for the eligibility benchmark.',
      conditions: ['Low Back Pain'],
      keywords: [],
      screenerIds: [SCREENER_ID],
      status: 'RECRUITING',
      leftToStudyTeam: [],
      eligibility: {
        minAgeYears: 18 + (i % 5) + ageOffset,
        maxAgeYears: 60 + (i % 20) + ageOffset,
        sex: 'ALL',
        healthyVolunteers: false,
      },
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
    structured.push({
      id: 'age-min',
      kind: 'inclusion',
      text: `You are ${minAgeYears} or older`,
      rule: { '>=': [{ var: 'age' }, minAgeYears] },
    });
  }
  if (maxAgeYears !== null) {
    structured.push({
      id: 'age-max',
      kind: 'inclusion',
      text: `You are ${maxAgeYears} or younger`,
      rule: { '<=': [{ var: 'age' }, maxAgeYears] },
    });
  }
  return [...structured, ...trial.criteria];
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

/**
 * A screening's decisions, as both timed implementations give them: each criterion's outcome code
 * (0 not met, 1 met, 2 unknown) and each trial's eligibility code (0 eligible, 1 possibly, 2
 * ineligible), by position, trial after trial (`ScreeningCriteria` of the engine). That is what the
 * stored record and the response need; the result objects of the trials a response shows are
 * joined from them afterwards (`criteriaOf`), in the whole evaluation, which is timed too.
 */
interface Decisions {
  criteriaStart: Int32Array;
  codes: Uint8Array;
  eligibility: Uint8Array;
}

/** Our engine's criteria evaluation, as `evaluateScreening` runs it: `decideCriteria`. */
function screenWithEngine(catalog: PreparedCatalog, answers: Answers): ScreeningCriteria {
  return decideCriteria(catalog, SCREENER_ID, answers);
}

/**
 * The hand-written catalog, prepared once as `prepareCatalog` prepares the engine's: one closure
 * per distinct rule, each criterion's slot (the index of its rule's closure) in one flat table,
 * trial after trial, and each criterion's three possible results, built once and frozen.
 */
interface HandWrittenCatalog {
  rules: HandWrittenCriterion[];
  trials: HandWrittenTrial[];
  criterionSlots: Int32Array;
  criteriaStart: Int32Array;
}

interface HandWrittenTrial {
  trial: Trial;
  criteria: (CatalogCriterion & { evaluate: HandWrittenCriterion })[];
  /** Not met, met, unknown for each criterion in turn. */
  outcomes: CriterionEvaluation[];
  /** Prepared once per catalog, as `prepareCatalog` does for the engine. */
  sites: RecruitingSite[];
}

const CODE_NOT_MET = 0;
const CODE_MET = 1;
const CODE_UNKNOWN = 2;
const ELIGIBILITY_CODES: readonly Eligibility[] = ['eligible', 'possibly_eligible', 'ineligible'];

function prepareByHand(trials: readonly Trial[]): HandWrittenCatalog {
  // A criterion written alike in several trials is one function and one value, as a developer
  // would reuse it (and as `prepareCatalog` shares one compiled rule).
  const slotsByText = new Map<string, number>();
  const rules: HandWrittenCriterion[] = [];
  const slotOf = (rule: unknown): number => {
    const text = JSON.stringify(rule);
    let slot = slotsByText.get(text);
    if (slot === undefined) {
      slot = rules.push(handWrittenCriterion(rule)!) - 1;
      slotsByText.set(text, slot);
    }
    return slot;
  };
  const slots: number[] = [];
  const starts = [0];
  const prepared = trials.map((trial) => {
    const criteria = criteriaOf(trial).map((criterion) => ({ ...criterion, evaluate: rules[slotOf(criterion.rule)]! }));
    const outcomes = criteria.flatMap(({ id, kind, text, rule }) => {
      // Derived once per catalog, as `prepareCatalog` does for the engine.
      const basedOn = ruleVariables(rule);
      return (['not_met', 'met', 'unknown'] as const).map((result) => Object.freeze({ id, kind, text, result, basedOn }));
    });
    for (const criterion of criteria) slots.push(slotOf(criterion.rule));
    starts.push(slots.length);
    return { trial, criteria, outcomes, sites: recruitingSites(trial) };
  });
  return { rules, trials: prepared, criterionSlots: Int32Array.from(slots), criteriaStart: Int32Array.from(starts) };
}

function screenByHand({ rules, trials, criterionSlots, criteriaStart }: HandWrittenCatalog, answers: Answers): Decisions {
  // Each distinct rule once, as the engine does.
  const values = new Uint8Array(rules.length);
  for (let r = 0; r < rules.length; r++) {
    const outcome = rules[r]!(answers);
    values[r] = outcome === undefined ? CODE_UNKNOWN : outcome ? CODE_MET : CODE_NOT_MET;
  }
  // The same single pass as the engine's `decideCriteria`, written the same way (a bit per outcome
  // seen, no branch per criterion): codes and eligibility together.
  const codes = new Uint8Array(criterionSlots.length);
  const eligibility = new Uint8Array(trials.length);
  let c = 0;
  for (let t = 0; t < trials.length; t++) {
    let seen = 0;
    for (const end = criteriaStart[t + 1]!; c < end; c++) {
      const code = values[criterionSlots[c]!]!;
      codes[c] = code;
      seen |= 1 << code;
    }
    eligibility[t] = seen & (1 << CODE_NOT_MET) ? 2 : seen & (1 << CODE_UNKNOWN) ? 1 : 0;
  }
  return { criteriaStart, codes, eligibility };
}

/** A trial's decisions joined to its criteria's prepared results, as the engine's `criteriaOf` does. */
function joinByHand(trial: HandWrittenTrial, decisions: Decisions, index: number): TrialCriteria {
  const start = decisions.criteriaStart[index]!;
  const criteria = new Array<CriterionEvaluation>(decisions.criteriaStart[index + 1]! - start);
  for (let i = 0; i < criteria.length; i++) criteria[i] = trial.outcomes[i * 3 + decisions.codes[start + i]!]!;
  return { eligibility: ELIGIBILITY_CODES[decisions.eligibility[index]!]!, criteria };
}

/** Every trial's per-criterion results from the engine's decisions (to compare them, not timed). */
function engineResults(catalog: PreparedCatalog, answers: Answers): TrialCriteria[] {
  const decided = decideCriteria(catalog, SCREENER_ID, answers);
  return decided.trials.map((_, index) => engineCriteriaOf(decided, index));
}

/** Every trial's per-criterion results from the hand-written decisions (to compare them, not timed). */
function handWrittenResults(catalog: HandWrittenCatalog, answers: Answers): TrialCriteria[] {
  const decisions = screenByHand(catalog, answers);
  return catalog.trials.map((trial, index) => joinByHand(trial, decisions, index));
}

const ORDER: Record<Eligibility, number> = { eligible: 0, possibly_eligible: 1, ineligible: 2 };

/** Hand-written criteria plus the same site, record-freshness and ordering work `evaluateScreening` does. */
function screenByHandFull(catalog: HandWrittenCatalog, answers: Answers, location: PatientLocation) {
  const { trials } = catalog;
  const policy = { maxRecordAgeDays: DEFAULT_MAX_RECORD_AGE_DAYS, now: new Date() };
  const decisions = screenByHand(catalog, answers);
  const results = trials.map((prepared, index) => {
    const result = joinByHand(prepared, decisions, index);
    const { trial, sites } = prepared;
    const nearestSite = nearestRecruitingSite(trial, location, sites) as SiteSummary | null;
    return { ...result, trialId: trial.nctId, nearestSite, current: assessFreshness(trial, nearestSite?.siteId, policy).current };
  });
  const distance = (site: SiteSummary | null) =>
    site === null ? Number.MAX_SAFE_INTEGER : (site.distanceKm ?? Number.MAX_SAFE_INTEGER - 1);
  const rank = (result: (typeof results)[number]) => ORDER[result.eligibility] * 2 + (result.current ? 0 : 1);
  return results.sort((a, b) => rank(a) - rank(b) || distance(a.nearestSite) - distance(b.nearestSite));
}

async function screenWithRulesEngine(
  engine: Engine,
  trials: readonly HandWrittenTrial[],
  answers: Answers,
): Promise<TrialCriteria[]> {
  const outcome = await engine.run(answers);
  const results = trials.map(({ criteria }) => ({
    eligibility: 'eligible' as Eligibility,
    criteria: criteria.map(({ id, kind, text, rule }) => ({
      id,
      kind,
      text,
      result: 'not_met' as CriterionResult,
      basedOn: ruleVariables(rule),
    })),
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

/** One function's share of a CPU profile's samples (self time). */
export interface ProfileShare {
  name: string;
  /** 0-1. */
  share: number;
}

/** The profiler's sampling interval, microseconds. */
const PROFILE_INTERVAL_US = 50;

/**
 * Profiles `run` in a loop for `durationMs` with V8's sampling profiler (through the inspector of
 * this process, as `--cpu-prof` does) and gives each function's share of the samples, by self time,
 * those of at least 1% first. The generated rule loops are anonymous code with no file.
 */
async function profile(run: Screen, durationMs: number): Promise<ProfileShare[]> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: PROFILE_INTERVAL_US });
    await session.post('Profiler.start');
    const started = nowMs();
    while (nowMs() - started < durationMs) await run();
    const { profile: result } = await session.post('Profiler.stop');
    const selfTime = new Map<string, number>();
    const nodes = new Map(result.nodes.map((node) => [node.id, node]));
    for (const id of result.samples ?? []) {
      const frame = nodes.get(id)!.callFrame;
      const file = frame.url.split('/').at(-1);
      const name = `${frame.functionName || '(anonymous)'}${file ? ` (${file})` : ''}`;
      selfTime.set(name, (selfTime.get(name) ?? 0) + 1);
    }
    const total = result.samples?.length ?? 0;
    return [...selfTime]
      .map(([name, count]) => ({ name, share: count / Math.max(total, 1) }))
      .filter(({ share }) => share >= 0.01)
      .sort((a, b) => b.share - a.share);
  } finally {
    session.disconnect();
  }
}

/** Median milliseconds per call, sampled in batches long enough for the timer, in wall-clock and CPU time. */
class Sampler {
  readonly samples: number[] = [];
  readonly cpuSamples: number[] = [];
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
    const cpuStart = process.cpuUsage();
    const start = nowMs();
    for (let i = 0; i < this.batch; i++) await run();
    const elapsed = nowMs() - start;
    const cpu = process.cpuUsage(cpuStart);
    this.samples.push(elapsed / this.batch);
    this.cpuSamples.push((cpu.user + cpu.system) / 1000 / this.batch);
    return elapsed;
  }

  median(): number {
    return median(this.samples);
  }

  cpuMedian(): number {
    return median(this.cpuSamples);
  }
}

function sameResults(a: readonly TrialCriteria[], b: readonly TrialCriteria[]): boolean {
  const key = (results: readonly TrialCriteria[]) =>
    results
      .map((r, index) => `${r.trialId ?? index}:${r.eligibility}:${r.criteria.map((c) => `${c.id}=${c.result}`).join(',')}`)
      .join('\n');
  return key(a) === key(b);
}

/**
 * The patient every implementation screens: each question any rule reads is answered. Answers as
 * rules read them (`ruleAnswers`: durations in weeks), since the rule values are measured alone.
 */
export function completeAnswers(): Answers {
  return ruleAnswers(
    aScreener(),
    adultWithChronicBackPain({ had_back_surgery: true, surgeries: ['discectomy'], last_back_surgery: 'over_12_months' }),
  );
}

/**
 * A patient who leaves `pregnant` unanswered and is "not sure" of `diagnoses`: criteria reading
 * them are unknown unless the rest of the rule decides them, inside the compiled rules (no
 * interpreter), while the hand-written code checks each answer for both.
 */
export function partialAnswers(): Answers {
  return ruleAnswers(aScreener(), adultWithChronicBackPain({ diagnoses: NOT_SURE, pregnant: undefined }));
}

export async function runEligibilityBenchmark(options: EligibilityOptions, screener: Screener): Promise<EligibilityReport> {
  const catalog = await readCatalogFiles(resolve(options.repositoryRoot, 'data'));
  const realCriteria = catalog.trials.flatMap((trial) => trial.criteria);
  const complete = completeAnswers();
  // Criteria the complete-answer patient can decide (json-rules-engine, two-valued, is compared on that
  // patient only) and that have a hand-written equivalent.
  const pool = realCriteria.filter(
    (criterion) =>
      handWrittenCriterion(criterion.rule) !== undefined &&
      ruleVariables(criterion.rule).every((id) => complete[id] !== undefined),
  );
  const sites = catalog.trials.flatMap((trial) => trial.sites.filter((site) => site.status === 'RECRUITING'));

  const partial = partialAnswers();
  const point = await geocodePostalCode('US', String(complete.postal_code));
  const location = patientLocationFromAnswers(complete, point);

  const rows: EligibilityRow[] = [];
  const largest = Math.max(...options.sizes);
  for (const size of options.sizes) {
    for (const kind of CATALOG_KINDS) {
      const profileMs = kind === 'distinct' && size === largest ? options.profileMs : 0;
      rows.push(
        await measureCatalog(options, screener, generateTrials(size, pool, sites, kind), kind, {
          complete,
          partial,
          location,
          profileMs,
        }),
      );
    }
  }
  return { warmupMs: options.warmupMs, criteriaPool: pool.length, realCriteria: realCriteria.length, rows };
}

interface Patients {
  complete: Answers;
  partial: Answers;
  location: PatientLocation;
  /** How long to profile the engine on this catalog after timing it (0: not at all). */
  profileMs: number;
}

async function measureCatalog(
  options: EligibilityOptions,
  screener: Screener,
  trials: Trial[],
  kind: CatalogKind,
  patients: Patients,
): Promise<EligibilityRow> {
  const { complete, partial, location, profileMs } = patients;
  const size = trials.length;
  const prepareCpuStart = process.cpuUsage();
  let started = nowMs();
  const prepared = prepareCatalog(`bench-${kind}-${size}`, trials);
  const prepareMs = nowMs() - started;
  const prepareCpu = process.cpuUsage(prepareCpuStart);
  const byHand = prepareByHand(trials);
  const withRulesEngine = kind === 'shared';
  const engine = withRulesEngine
    ? rulesEngineFor(
        byHand.trials.flatMap(({ criteria }, trial) =>
          criteria.map((criterion, index) => ({ trial, criterion: index, rule: criterion.rule })),
        ),
      )
    : undefined;

  // Every implementation must give the same per-criterion results before any time counts.
  started = nowMs();
  screenWithEngine(prepared, complete);
  const firstEngineMs = nowMs() - started;
  started = nowMs();
  screenByHand(byHand, complete);
  const firstHandWrittenMs = nowMs() - started;
  const reference = engineResults(prepared, complete);
  const full = evaluateScreening(screener, prepared, complete, location);
  const byTrialId = (results: readonly TrialCriteria[]) => [...results].sort((a, b) => a.trialId!.localeCompare(b.trialId!));
  const withIds = (results: readonly TrialCriteria[]) =>
    results.map((result, index) => ({ ...result, trialId: trials[index]!.nctId }));
  const resultsAgree =
    sameResults(reference, handWrittenResults(byHand, complete)) &&
    (engine === undefined || sameResults(reference, await screenWithRulesEngine(engine, byHand.trials, complete))) &&
    sameResults(engineResults(prepared, partial), handWrittenResults(byHand, partial)) &&
    full.results.length === reference.length &&
    sameResults(byTrialId(full.results), byTrialId(withIds(reference))) &&
    sameResults(byTrialId(screenByHandFull(byHand, complete, location)), byTrialId(withIds(reference)));
  const resultCounts: Record<CriterionResult, number> = { met: 0, not_met: 0, unknown: 0 };
  for (const trial of reference) for (const criterion of trial.criteria) resultCounts[criterion.result] += 1;
  const partialUnknownCriteria = engineResults(prepared, partial)
    .flatMap((trial) => trial.criteria)
    .filter((criterion) => criterion.result === 'unknown').length;

  const runs: Record<string, Screen> = {
    engine: () => screenWithEngine(prepared, complete),
    handWritten: () => screenByHand(byHand, complete),
    evaluateScreening: () => evaluateScreening(screener, prepared, complete, location),
    handWrittenFull: () => screenByHandFull(byHand, complete, location),
    partialEngine: () => screenWithEngine(prepared, partial),
    partialHandWritten: () => screenByHand(byHand, partial),
    ...(engine ? { rulesEngine: () => screenWithRulesEngine(engine, byHand.trials, complete) } : {}),
  };
  const samplers = Object.fromEntries(
    Object.keys(runs).map((name) => [name, new Sampler(options.minSampleMs, options.warmupMs)]),
  );
  for (const [name, run] of Object.entries(runs)) await samplers[name]!.calibrate(run);

  let rulesEngineSpentMs = 0;
  const names = Object.keys(runs);
  for (let round = 0; round < options.rounds; round++) {
    // Rotate the order each round so no implementation always runs right after the same one.
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length]!;
      if (name === 'rulesEngine' && rulesEngineSpentMs > options.rulesEngineBudgetMs && samplers[name]!.samples.length >= 3)
        continue;
      const spent = await samplers[name]!.sample(runs[name]!);
      if (name === 'rulesEngine') rulesEngineSpentMs += spent;
    }
  }

  return {
    trials: size,
    catalog: kind,
    criteriaPerTrial: CRITERIA_PER_TRIAL,
    distinctRules: byHand.rules.length,
    prepareMs,
    prepareCpuMs: (prepareCpu.user + prepareCpu.system) / 1000,
    engineMs: samplers.engine!.median(),
    handWrittenMs: samplers.handWritten!.median(),
    ...(samplers.rulesEngine
      ? { rulesEngineMs: samplers.rulesEngine.median(), rulesEngineSamples: samplers.rulesEngine.samples.length }
      : {}),
    evaluateScreeningMs: samplers.evaluateScreening!.median(),
    handWrittenFullMs: samplers.handWrittenFull!.median(),
    partialEngineMs: samplers.partialEngine!.median(),
    partialHandWrittenMs: samplers.partialHandWritten!.median(),
    firstEngineMs,
    firstHandWrittenMs,
    cpuMs: {
      engine: samplers.engine!.cpuMedian(),
      handWritten: samplers.handWritten!.cpuMedian(),
      partialEngine: samplers.partialEngine!.cpuMedian(),
      partialHandWritten: samplers.partialHandWritten!.cpuMedian(),
    },
    ...(profileMs > 0 ? { engineProfile: await profile(runs.engine!, profileMs) } : {}),
    resultsAgree,
    resultCounts,
    partialUnknownCriteria,
  };
}
