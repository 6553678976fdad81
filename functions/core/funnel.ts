/**
 * The recruitment funnel and per-criterion attrition, counted from stored records: screenings
 * (by id and value), their leads, and what the sites recorded about each lead.
 *
 * A cohort view: every step is counted against the ISO week of the screening it came from, so a
 * week's row reads "of the patients screened that week, how many got this far". Each row is one
 * (week, trial, site): the site is the nearest recruiting site the screening showed for the trial
 * (the one a lead would go to), `null` when none was within reach.
 *
 * Counts only: nothing here carries or returns an answer, a name or a contact detail.
 * Pure: no I/O and no clock of its own.
 */
import type { CriterionResult, Eligibility, ScreeningOutcome } from './model';
import { CONTACTED_OUTCOMES, type SiteOutcome } from './site-leads';

/** The funnel's steps, in order. */
export const FUNNEL_STEPS = [
  'screenings',
  'possiblyEligible',
  'eligible',
  'referred',
  'delivered',
  'contacted',
  'enrolled',
] as const;
export type FunnelStep = (typeof FUNNEL_STEPS)[number];
export type FunnelCounts = Record<FunnelStep, number>;

/** Labels for tables, charts and the dashboard. */
export const FUNNEL_STEP_LABELS: Record<FunnelStep, string> = {
  screenings: 'Screenings',
  possiblyEligible: 'Possibly eligible',
  eligible: 'Eligible',
  referred: 'Referred',
  delivered: 'Delivered',
  contacted: 'Contacted',
  enrolled: 'Enrolled',
};

/** The site outcome that ends the funnel. */
export const ENROLLED_OUTCOME: SiteOutcome = 'enrolled';

/** One trial's result in a stored screening, reduced to what the funnel counts. */
export interface FunnelTrialResult {
  trialId: string;
  /** The nearest recruiting site shown (where a lead would go); null when none was in reach. */
  siteId: string | null;
  eligibility: Eligibility;
  criteria: readonly FunnelCriterion[];
}

export interface FunnelCriterion {
  criterionId: string;
  kind: 'inclusion' | 'exclusion';
  /** The criterion's plain-language text from the catalog (catalog data, not patient data). */
  text: string;
  result: CriterionResult;
}

export interface FunnelScreening {
  screeningId: string;
  /** ISO timestamp. */
  createdAt: string;
  outcome: ScreeningOutcome;
  trials: readonly FunnelTrialResult[];
}

export interface FunnelLead {
  leadId: string;
  screeningId: string;
  trialId: string;
  siteId: string;
  /** ISO timestamp; the lead's week when its screening is no longer stored. */
  createdAt: string;
  /** Delivery status (`PENDING`, `SENDING`, `SENT`, `FAILED`, ...). */
  status: string;
  /** The outcomes the site recorded, oldest first (names only; "contacted" is `CONTACTED_OUTCOMES`). */
  outcomes: readonly SiteOutcome[];
}

/** Where the funnel's records come from (a table scan in AWS and locally, fakes in tests). */
export interface FunnelRecords {
  screenings(): AsyncIterable<FunnelScreening>;
  leads(): AsyncIterable<FunnelLead>;
}

/** An ISO 8601 week, `2026-W49`. */
export type IsoWeek = string;

export interface FunnelQuery {
  /** First week counted (inclusive); default: the earliest in the records. */
  fromWeek?: IsoWeek | undefined;
  /** Last week counted (inclusive); default: the latest in the records. */
  toWeek?: IsoWeek | undefined;
  /** Only this trial. */
  trialId?: string | undefined;
  /**
   * Screenings that were never referred are kept for a limited time (their TTL); weeks that began
   * before this instant are marked partial, because only their referred screenings remain.
   */
  unreferredKeptSince?: Date | undefined;
}

export interface FunnelRow extends FunnelCounts {
  week: IsoWeek;
  trialId: string;
  siteId: string | null;
}

export interface CriterionAttrition {
  trialId: string;
  criterionId: string;
  kind: 'inclusion' | 'exclusion';
  text: string;
  /** Screenings that evaluated this criterion. */
  evaluated: number;
  /** Screenings it made "not met". */
  notMet: number;
  /** Screenings where it was the only criterion not met: those it alone screened out. */
  onlyNotMet: number;
  /** Screenings it left unknown (unanswered or "not sure"). */
  unknown: number;
}

export interface FunnelReport {
  fromWeek: IsoWeek | null;
  toWeek: IsoWeek | null;
  trialId: string | null;
  /** The weeks counted, in order (weeks with no records included). */
  weeks: IsoWeek[];
  /** Weeks whose unreferred screenings have expired: only referred ones are counted. */
  partialWeeks: IsoWeek[];
  /** Distinct screenings in range (of the trial, with `trialId`), and those stopped for urgent care. */
  screenings: { total: number; urgentCare: number; withResults: number };
  /** One row per (week, trial, site) with any count, ordered by week, trial, site. */
  rows: FunnelRow[];
  /** Per trial over the whole range. */
  byTrial: (FunnelCounts & { trialId: string })[];
  /** Per week over every trial. */
  byWeek: (FunnelCounts & { week: IsoWeek })[];
  total: FunnelCounts;
  /** Per trial and criterion, most "not met" first. */
  attrition: CriterionAttrition[];
}

const DAY_MS = 86_400_000;

/** The ISO 8601 week of an instant (UTC): weeks start on Monday, week 1 holds the first Thursday. */
export function isoWeekOf(instant: Date): IsoWeek {
  const day = new Date(Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth(), instant.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday); // the Thursday of this week decides its year
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / DAY_MS + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

const WEEK_PATTERN = /^(\d{4})-W(\d{2})$/;

/** Whether `text` is an ISO week (`2026-W49`) that exists. */
export function isIsoWeek(text: string): boolean {
  const match = WEEK_PATTERN.exec(text);
  if (!match) return false;
  const week = Number(match[2]);
  return week >= 1 && isoWeekOf(weekStart(text)) === text;
}

/** The Monday 00:00 UTC that starts an ISO week. */
export function weekStart(week: IsoWeek): Date {
  const match = WEEK_PATTERN.exec(week);
  if (!match) throw new RangeError(`not an ISO week: ${week}`);
  const jan4 = new Date(Date.UTC(Number(match[1]), 0, 4));
  const mondayOfWeek1 = jan4.getTime() - ((jan4.getUTCDay() || 7) - 1) * DAY_MS;
  return new Date(mondayOfWeek1 + (Number(match[2]) - 1) * 7 * DAY_MS);
}

/** Every ISO week from `from` to `to`, inclusive. */
export function weeksBetween(from: IsoWeek, to: IsoWeek): IsoWeek[] {
  const weeks: IsoWeek[] = [];
  for (let start = weekStart(from).getTime(); start <= weekStart(to).getTime(); start += 7 * DAY_MS) {
    weeks.push(isoWeekOf(new Date(start)));
  }
  return weeks;
}

function emptyCounts(): FunnelCounts {
  return { screenings: 0, possiblyEligible: 0, eligible: 0, referred: 0, delivered: 0, contacted: 0, enrolled: 0 };
}

function addInto(target: FunnelCounts, source: FunnelCounts): void {
  for (const step of FUNNEL_STEPS) target[step] += source[step];
}

/** A lead counts as delivered once SES accepted it; a later hard bounce takes it back out. */
function isDelivered(lead: FunnelLead): boolean {
  return lead.status === 'SENT';
}

/**
 * Counts the funnel and the per-criterion attrition of `records`.
 *
 * A lead is counted in its screening's week (its own week when the screening is gone, for
 * example erased); "contacted" and "enrolled" come from the outcomes its site recorded, at any
 * time. A step is counted at most once per lead, however many outcomes the site recorded.
 */
export async function countFunnel(records: FunnelRecords, query: FunnelQuery = {}): Promise<FunnelReport> {
  const screeningWeeks = new Map<string, IsoWeek>();
  const inWeekRange = (week: IsoWeek) => (!query.fromWeek || week >= query.fromWeek) && (!query.toWeek || week <= query.toWeek);
  const wantsTrial = (trialId: string) => !query.trialId || trialId === query.trialId;

  const cells = new Map<string, FunnelRow>();
  const cell = (week: IsoWeek, trialId: string, siteId: string | null): FunnelRow => {
    const key = JSON.stringify([week, trialId, siteId]);
    let row = cells.get(key);
    if (!row) {
      row = { week, trialId, siteId, ...emptyCounts() };
      cells.set(key, row);
    }
    return row;
  };
  const attrition = new Map<string, CriterionAttrition>();
  const seenWeeks = new Set<IsoWeek>();
  const screenings = { total: 0, urgentCare: 0, withResults: 0 };

  for await (const screening of records.screenings()) {
    const week = isoWeekOf(new Date(screening.createdAt));
    screeningWeeks.set(screening.screeningId, week);
    if (!inWeekRange(week)) continue;
    const trials = screening.trials.filter((result) => wantsTrial(result.trialId));
    if (query.trialId && trials.length === 0) continue;
    seenWeeks.add(week);
    screenings.total += 1;
    if (screening.outcome === 'urgent_care') screenings.urgentCare += 1;
    if (trials.length > 0) screenings.withResults += 1;
    for (const result of trials) {
      const row = cell(week, result.trialId, result.siteId);
      row.screenings += 1;
      if (result.eligibility === 'eligible') row.eligible += 1;
      if (result.eligibility === 'possibly_eligible') row.possiblyEligible += 1;
      const notMetCount = result.criteria.filter((criterion) => criterion.result === 'not_met').length;
      for (const criterion of result.criteria) {
        const key = JSON.stringify([result.trialId, criterion.criterionId]);
        let entry = attrition.get(key);
        if (!entry) {
          entry = {
            trialId: result.trialId,
            criterionId: criterion.criterionId,
            kind: criterion.kind,
            text: criterion.text,
            evaluated: 0,
            notMet: 0,
            onlyNotMet: 0,
            unknown: 0,
          };
          attrition.set(key, entry);
        }
        entry.evaluated += 1;
        if (criterion.result === 'not_met') {
          entry.notMet += 1;
          if (notMetCount === 1) entry.onlyNotMet += 1;
        }
        if (criterion.result === 'unknown') entry.unknown += 1;
      }
    }
  }

  for await (const lead of records.leads()) {
    if (!wantsTrial(lead.trialId)) continue;
    const week = screeningWeeks.get(lead.screeningId) ?? isoWeekOf(new Date(lead.createdAt));
    if (!inWeekRange(week)) continue;
    seenWeeks.add(week);
    const row = cell(week, lead.trialId, lead.siteId);
    row.referred += 1;
    if (isDelivered(lead)) row.delivered += 1;
    if (lead.outcomes.some((outcome) => CONTACTED_OUTCOMES.has(outcome))) row.contacted += 1;
    if (lead.outcomes.includes(ENROLLED_OUTCOME)) row.enrolled += 1;
  }

  const sortedSeen = [...seenWeeks].sort();
  const fromWeek = query.fromWeek ?? sortedSeen[0] ?? null;
  const toWeek = query.toWeek ?? sortedSeen.at(-1) ?? null;
  const weeks = fromWeek && toWeek && fromWeek <= toWeek ? weeksBetween(fromWeek, toWeek) : [];
  const keptSince = query.unreferredKeptSince?.getTime();
  const partialWeeks = keptSince === undefined ? [] : weeks.filter((week) => weekStart(week).getTime() < keptSince);

  const rows = [...cells.values()].sort(
    (a, b) => compare(a.week, b.week) || compare(a.trialId, b.trialId) || compare(a.siteId ?? '~', b.siteId ?? '~'),
  );
  const byTrialMap = new Map<string, FunnelCounts & { trialId: string }>();
  const byWeekMap = new Map<IsoWeek, FunnelCounts & { week: IsoWeek }>(weeks.map((week) => [week, { week, ...emptyCounts() }]));
  const total = emptyCounts();
  for (const row of rows) {
    let trial = byTrialMap.get(row.trialId);
    if (!trial) {
      trial = { trialId: row.trialId, ...emptyCounts() };
      byTrialMap.set(row.trialId, trial);
    }
    addInto(trial, row);
    const weekCounts = byWeekMap.get(row.week);
    if (weekCounts) addInto(weekCounts, row);
    addInto(total, row);
  }

  return {
    fromWeek,
    toWeek,
    trialId: query.trialId ?? null,
    weeks,
    partialWeeks,
    screenings,
    rows,
    byTrial: [...byTrialMap.values()].sort((a, b) => compare(a.trialId, b.trialId)),
    byWeek: [...byWeekMap.values()],
    total,
    attrition: [...attrition.values()].sort(
      (a, b) =>
        b.notMet - a.notMet || b.unknown - a.unknown || compare(a.trialId, b.trialId) || compare(a.criterionId, b.criterionId),
    ),
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What one stored screening adds to the funnel's live metrics (`adapters/funnel-metrics.ts`). */
export interface ScreeningFunnelCounts {
  urgentCare: number;
  /** Trial results that were "eligible" / "possibly eligible". */
  eligible: number;
  possiblyEligible: number;
}

/**
 * The counts a new screening adds to the funnel metrics: whether it stopped for urgent care, and
 * how many of its trial results were eligible or possibly eligible (a screening evaluates every
 * recruiting trial, so one screening can add several).
 */
export function screeningFunnelCounts(screening: {
  outcome: ScreeningOutcome;
  results: readonly { eligibility: Eligibility }[];
}): ScreeningFunnelCounts {
  let eligible = 0;
  let possiblyEligible = 0;
  for (const result of screening.results) {
    if (result.eligibility === 'eligible') eligible += 1;
    else if (result.eligibility === 'possibly_eligible') possiblyEligible += 1;
  }
  return { urgentCare: screening.outcome === 'urgent_care' ? 1 : 0, eligible, possiblyEligible };
}
