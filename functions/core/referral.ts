/**
 * Referral planning: which leads a patient's referral creates, one per chosen trial, each for the
 * site the screening matched, addressed to whoever can receive it, with the answers that qualified
 * the patient in plain words.
 *
 * Pure: the caller stores the plans (with the contact and consent) in one transaction.
 */
import { NOT_SURE } from './answers';
import type { PreparedCatalog } from './eligibility';
import { referralRecheck, type FreshnessPolicy } from './freshness';
import { DomainError } from './errors';
import type { ErrorDetail } from './errors';
import type { Answers, Screener, ScreeningOutcome, TrialResult } from './model';
import { describeAnswer } from './screener';
import type { LeadScreeningSummary } from './lead-email';

/** Everything one lead needs, decided before anything is written. */
export interface LeadPlan {
  trialId: string;
  trialTitle: string;
  site: { siteId: string; facility: string; city?: string; state?: string; postalCode?: string; country: string };
  recipient: { name?: string; email: string };
  qualifyingAnswers: { question: string; answer: string }[];
  criteriaMet: string[];
  /** Eligibility, what is unknown and left to the study team, the patient's area, record and screener. */
  screening: LeadScreeningSummary;
  /** How far the patient is from the site, in words for the site email; "unknown" says so. */
  patientDistance: string;
}

export interface PlanReferralInput {
  screener: Screener;
  /** The stored screening's outcome. */
  outcome: ScreeningOutcome;
  /** The stored screening's per-trial results. */
  results: TrialResult[];
  /** The stored screening's answers. */
  answers: Answers;
  /** The catalog version the screening was evaluated against. */
  catalog: PreparedCatalog;
  /** The trials the patient chose. */
  trialIds: string[];
}

/**
 * Plans one lead per chosen trial (duplicates count once).
 *
 * Throws `REFERRAL_NOT_ALLOWED` for an `urgent_care` screening (no lead is ever sent for it), and
 * `TRIAL_NOT_REFERABLE`, with one detail per refused trial, when a chosen trial was not in the
 * screening's results, was ineligible, had no recruiting site within reach, or has no site or
 * study contact that can receive a lead. Either all chosen trials are referable or none is planned.
 */
export function planReferral({ screener, outcome, results, answers, catalog, trialIds }: PlanReferralInput): LeadPlan[] {
  if (outcome === 'urgent_care') {
    throw new DomainError(
      'REFERRAL_NOT_ALLOWED',
      'This screening found signs that need urgent medical care, so it cannot be referred to a study.',
    );
  }

  const plans: LeadPlan[] = [];
  const refusals: ErrorDetail[] = [];
  const chosen = [...new Set(trialIds)];
  chosen.forEach((trialId, index) => {
    const planned = planLead(screener, results, answers, catalog, trialId);
    if (typeof planned === 'string') refusals.push({ path: ['trialIds', index], message: `Study ${trialId} ${planned}.` });
    else plans.push(planned);
  });

  if (refusals.length > 0) {
    throw new DomainError('TRIAL_NOT_REFERABLE', 'Some of the chosen studies cannot take a referral.', refusals);
  }
  return plans;
}

/** The plan for one trial, or the reason it cannot be referred (completing "Study NCT… …"). */
function planLead(
  screener: Screener,
  results: TrialResult[],
  answers: Answers,
  catalog: PreparedCatalog,
  trialId: string,
): LeadPlan | string {
  const result = results.find((candidate) => candidate.trialId === trialId);
  if (!result) return 'was not among the results of this screening';
  if (result.eligibility === 'ineligible') return 'is not a match for the answers given';
  if (result.freshness && !result.freshness.current) return 'may no longer be recruiting; contact the study team to ask';
  if (result.notReferableReason?.code === 'ON_SITE_ONLY')
    return 'enrols only patients who come to its site, so it takes no referrals';
  const nearestSite = result.nearestSite;
  if (!nearestSite) return 'has no recruiting site within reach';
  if (!nearestSite.acceptsReferrals) return 'cannot receive referrals; contact the study directly';
  // Any other reason the results gave (screenings stored before results said `referable` are
  // decided on the facts above alone).
  if (result.referable === false) return 'cannot take a referral';

  const prepared = catalog.byId.get(trialId);
  const site = prepared?.trial.sites.find((candidate) => candidate.siteId === nearestSite.siteId);
  if (!prepared || !site) return 'is no longer in the study catalog';
  if (prepared.trial.onSiteOnly !== undefined) return 'enrols only patients who come to its site, so it takes no referrals';

  const siteEmail = site.contact?.email?.trim();
  const centralEmail = prepared.trial.centralContact?.email?.trim();
  const recipient: LeadPlan['recipient'] | undefined = siteEmail
    ? withName({ email: siteEmail }, site.contact?.name)
    : centralEmail
      ? withName({ email: centralEmail }, prepared.trial.centralContact?.name)
      : undefined;
  if (!recipient) return 'cannot receive referrals; contact the study directly';

  const qualifyingAnswers: LeadPlan['qualifyingAnswers'] = [];
  for (const question of screener.questions) {
    const value = answers[question.id];
    // "Not sure" qualifies nobody: the criteria it leaves unknown are listed apart.
    if (value === undefined || value === NOT_SURE || !prepared.qualifyingQuestionIds.has(question.id)) continue;
    qualifyingAnswers.push({ question: question.label, answer: describeAnswer(question, value) });
  }

  const planSite: LeadPlan['site'] = { siteId: site.siteId, facility: site.facility, country: site.country };
  if (site.city !== undefined) planSite.city = site.city;
  if (site.state !== undefined) planSite.state = site.state;
  if (site.postalCode !== undefined) planSite.postalCode = site.postalCode;

  return {
    trialId,
    trialTitle: prepared.trial.title,
    site: planSite,
    recipient,
    qualifyingAnswers,
    criteriaMet: result.criteria.filter((criterion) => criterion.result === 'met').map((criterion) => criterion.text),
    screening: leadScreeningSummary(result, answers, screener),
    patientDistance: describePatientDistance(nearestSite),
  };
}

function withName(recipient: LeadPlan['recipient'], name: string | undefined): LeadPlan['recipient'] {
  const trimmed = name?.trim();
  return trimmed ? { name: trimmed, email: recipient.email } : recipient;
}

/**
 * Refuses the referral (`TRIAL_CLOSED`, 409) when any planned lead's trial or site is no longer
 * open in the CURRENT catalog, or its record is no longer current under the freshness rule: a
 * screening may have been evaluated against an older catalog, and nothing is written then.
 */
export function assertStillReferable(plans: readonly LeadPlan[], current: PreparedCatalog, policy: FreshnessPolicy): void {
  const reasons = referralRecheck(
    plans.map((plan) => ({ trialId: plan.trialId, siteId: plan.site.siteId })),
    (trialId) => current.byId.get(trialId)?.trial,
    policy,
  );
  if (reasons.length === 0) return;
  throw new DomainError(
    'TRIAL_CLOSED',
    reasons.length === 1 ? reasons[0]!.message : 'Some of the chosen studies can no longer take a referral.',
    reasons.map((reason) => ({
      path: ['trialIds', plans.findIndex((plan) => plan.trialId === reason.trialId)],
      message: reason.message,
    })),
  );
}

/**
 * The patient's distance from the site for the site's email: the straight-line distance when
 * known, otherwise that it is unknown (the patient chose the site without one).
 */
export function describePatientDistance(site: Pick<TrialResult['nearestSite'] & object, 'distanceKm' | 'distanceMiles'>): string {
  if (site.distanceKm === undefined || site.distanceMiles === undefined) {
    return 'unknown (we could not work out how far the patient is from this site; they chose it knowing that)';
  }
  return `about ${Math.round(site.distanceMiles)} miles (${Math.round(site.distanceKm)} km) in a straight line`;
}

function leadScreeningSummary(result: TrialResult, answers: Answers, screener: Screener): LeadScreeningSummary {
  const summary: LeadScreeningSummary = {
    eligibility: result.eligibility === 'eligible' ? 'eligible' : 'possibly_eligible',
    criteriaUnknown: result.criteria.filter((criterion) => criterion.result === 'unknown').map((criterion) => criterion.text),
    leftToStudyTeam: [...(result.leftToStudyTeam ?? [])],
    recordDate: result.recordDate,
    screenerVersion: screener.version,
  };
  const area = postalArea(answers.country, answers.postal_code);
  if (area) summary.patientArea = area;
  return summary;
}

/**
 * The patient's postal area, never the full code (the minimum a site needs to see how far the
 * patient is): a US ZIP's first three digits ("ZIP 606xx"), a Canadian or British code's first
 * part ("T6G", "SW1A"), elsewhere the first two characters.
 */
export function postalArea(country: unknown, postalCode: unknown): string | undefined {
  if (typeof postalCode !== 'string' || postalCode.trim() === '') return undefined;
  const code = postalCode.trim().toUpperCase();
  if (country === 'us') return /^\d{5}/.test(code) ? `ZIP ${code.slice(0, 3)}xx` : undefined;
  if (country === 'ca') return `postal area ${code.slice(0, 3)}`;
  if (country === 'gb' || country === 'ie') return `postal area ${code.split(' ')[0]}`;
  return `postal area ${code.slice(0, 2)}…`;
}
