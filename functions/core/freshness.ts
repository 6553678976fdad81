/**
 * Registry freshness: the ONE rule that says whether a trial's record is current enough for a
 * patient to be referred to it (DESIGN.md, "Freshness").
 *
 * A lead is created only for a trial and site that are recruiting by a record verified within
 * `maxRecordAgeDays` (default 365) whose anticipated primary completion has not passed, or that
 * an operator confirmed with the site (or the whole study) within that time. Anything else is
 * `RECORD_STALE`: the patient sees why in plain words, with the study's contact, and no lead is
 * made. Stale is not recruiting.
 *
 * Month precision: the registry's `statusVerifiedDate` is a month ("2020-07"). A verification in
 * a month counts from that month's first day (the earliest it can have been, so a record never
 * stays current longer than the limit); a primary completion given as a month has passed once
 * that month is over (the registry named the month, not a day in it).
 */
import type { RecruitmentConfirmation, RegistryDate, Site, Trial } from './model';
import { MONTH_NAMES } from './calendar';

/** The default limit on a record's age: a year, as ClinicalTrials.gov itself uses for "Unknown status". */
export const DEFAULT_MAX_RECORD_AGE_DAYS = 365;

/** How strict the rule is, and what "now" is (the caller's clock). */
export interface FreshnessPolicy {
  maxRecordAgeDays: number;
  now: Date;
}

/** Why a trial's record cannot be trusted for a referral, as a stable code and plain words. */
export interface StaleReason {
  code: 'RECORD_STALE';
  message: string;
}

/**
 * The freshness of one trial (at one site) for a screening result: `current` says whether a lead
 * may be created. `basis` says what made it current: the registry record's own verification, or
 * an operator's confirmation (shown to the patient, with `demo` marked as such).
 */
export interface RecordFreshness {
  current: boolean;
  basis: 'registry' | 'confirmation' | 'none';
  /** When the registry record's status was last verified (as the registry gives it). */
  verified?: RegistryDate;
  /** The confirmation that makes the trial current, when that is the basis. */
  confirmation?: { by: string; at: string; siteId?: string; demo?: true };
  /** Plain words for the patient when not current. */
  reason?: StaleReason;
}

const DAY_MS = 86_400_000;

/** The first instant of a registry date (a month starts on its first day). */
export function registryDateStart(date: RegistryDate): number {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number | undefined];
  return Date.UTC(year, month - 1, day ?? 1);
}

/** The instant a registry date is over (a month is over when the next one starts). */
export function registryDateEnd(date: RegistryDate): number {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number | undefined];
  return day === undefined ? Date.UTC(year, month, 1) : Date.UTC(year, month - 1, day + 1);
}

/** "July 2020" for `2020-07` or `2020-07-15`: the month is what a patient needs. */
export function describeRegistryMonth(date: RegistryDate): string {
  const [year, month] = date.split('-').map(Number) as [number, number];
  return `${MONTH_NAMES[month - 1]} ${year}`;
}

/**
 * The confirmation that covers `siteId` (a site's own, or one for the whole study) and is still
 * in date, the newest first; `undefined` when none is.
 */
export function currentConfirmation(
  confirmations: readonly RecruitmentConfirmation[] | undefined,
  siteId: string | undefined,
  policy: FreshnessPolicy,
): RecruitmentConfirmation | undefined {
  let best: RecruitmentConfirmation | undefined;
  let bestAt = Number.NEGATIVE_INFINITY;
  const oldestAllowed = policy.now.getTime() - policy.maxRecordAgeDays * DAY_MS;
  for (const confirmation of confirmations ?? []) {
    if (confirmation.siteId !== undefined && confirmation.siteId !== siteId) continue;
    const at = Date.parse(confirmation.at);
    // A confirmation dated in the future is a clock or typing error, not a confirmation.
    if (!(at >= oldestAllowed && at <= policy.now.getTime() + DAY_MS) || at <= bestAt) continue;
    best = confirmation;
    bestAt = at;
  }
  return best;
}

/**
 * Whether a trial's registry record, by itself, shows it recruiting today: verified within the
 * limit and its primary completion not passed. Returns the reason when not.
 */
export function registryRecordProblem(trial: Trial, policy: FreshnessPolicy): StaleReason | undefined {
  const dates = trial.recordDates;
  const now = policy.now.getTime();
  if (!dates?.verified) {
    return stale('its registry record does not say when its status was last verified');
  }
  if (now - registryDateStart(dates.verified) > policy.maxRecordAgeDays * DAY_MS) {
    return stale(`its registry record was last verified in ${describeRegistryMonth(dates.verified)}`);
  }
  if (dates.primaryCompletion && now >= registryDateEnd(dates.primaryCompletion)) {
    const when = describeRegistryMonth(dates.primaryCompletion);
    return stale(
      dates.primaryCompletionType === 'ACTUAL'
        ? `its registry record says it finished collecting its main results in ${when}`
        : `it expected to finish collecting its main results by ${when}, and its registry record has not said since`,
    );
  }
  return undefined;
}

/**
 * THE freshness rule for one trial at one site (or the trial as a whole when `siteId` is
 * undefined): current when an in-date operator confirmation covers it, else when its registry
 * record is current by itself (`registryRecordProblem`). Recruiting status is checked by the
 * caller (a closed trial or site is not offered at all, stale or not).
 */
export function assessFreshness(trial: Trial, siteId: string | undefined, policy: FreshnessPolicy): RecordFreshness {
  const verified = trial.recordDates?.verified;
  const base = verified === undefined ? {} : { verified };
  const confirmation = currentConfirmation(trial.confirmations, siteId, policy);
  if (confirmation) {
    const shown: NonNullable<RecordFreshness['confirmation']> = { by: confirmation.by, at: confirmation.at };
    if (confirmation.siteId !== undefined) shown.siteId = confirmation.siteId;
    if (confirmation.demo) shown.demo = true;
    return { current: true, basis: 'confirmation', ...base, confirmation: shown };
  }
  const reason = registryRecordProblem(trial, policy);
  if (!reason) return { current: true, basis: 'registry', ...base };
  return { current: false, basis: 'none', ...base, reason };
}

/** Why a chosen trial or site can no longer take a referral, checked against the current catalog. */
export interface ClosedSinceReason {
  trialId: string;
  message: string;
}

/**
 * Re-checks a referral's chosen (trial, site) pairs against the CURRENT catalog and the
 * freshness rule, at the moment the referral is made: the screening may have been evaluated
 * against an older catalog, and a trial or site may have closed, or its record gone stale, since.
 * Returns one reason per pair that can no longer be referred (empty when all can).
 */
export function referralRecheck(
  chosen: readonly { trialId: string; siteId: string }[],
  currentTrial: (trialId: string) => Trial | undefined,
  policy: FreshnessPolicy,
): ClosedSinceReason[] {
  const reasons: ClosedSinceReason[] = [];
  for (const { trialId, siteId } of chosen) {
    const trial = currentTrial(trialId);
    let message = closedReason(trialId, siteId, trial);
    if (!message && trial) {
      const freshness = assessFreshness(trial, siteId, policy);
      if (!freshness.current) message = freshness.reason!.message;
    }
    if (message) reasons.push({ trialId, message });
  }
  return reasons;
}

/**
 * Why a (trial, site) pair is not offered in a catalog (the trial is gone, a draft, not
 * recruiting, or the site is gone or not recruiting), in words for the patient; `undefined` when
 * it is offered. The record's age is not considered: see `assessFreshness`.
 */
export function closedReason(trialId: string, siteId: string, trial: Trial | undefined): string | undefined {
  if (!trial || trial.review?.status === 'draft') return `Study ${trialId} is no longer offered.`;
  if (trial.status !== 'RECRUITING') return `Study ${trialId} has stopped recruiting since you answered the questions.`;
  const site: Site | undefined = trial.sites.find((candidate) => candidate.siteId === siteId);
  if (site?.status !== 'RECRUITING') {
    return `The study site you were matched with for ${trialId} has stopped recruiting since you answered the questions.`;
  }
  return undefined;
}

/** Whether a trial is offered to patients at all: recruiting and not an unreviewed draft. */
export function isOffered(trial: Trial): boolean {
  return trial.status === 'RECRUITING' && trial.review?.status !== 'draft';
}

function stale(why: string): StaleReason {
  return { code: 'RECORD_STALE', message: `This study may no longer be recruiting: ${why}.` };
}
