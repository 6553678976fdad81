/**
 * Referability: whether a patient can ask, through the form, to be referred to a trial they were
 * screened for, and if not, why, in a code and in plain words.
 *
 * One decision for the results the patient sees, the header that counts them, and the referral
 * that creates leads: a trial the results call not referable can never get a lead.
 */
import type { RecordFreshness } from './freshness';
import type { Eligibility, NotReferableReason, SiteSummary, Trial } from './model';

/** The referability of one trial result. */
export type Referability = { referable: true } | { referable: false; notReferableReason: NotReferableReason };

/** The facts referability is decided on. */
export interface ReferabilityFacts {
  trial: Pick<Trial, 'onSiteOnly'>;
  eligibility: Eligibility;
  /** The nearest recruiting site within reach, or null. */
  nearestSite: SiteSummary | null;
  /** Whether the record is current enough for a lead (`core/freshness.ts`); absent: not assessed. */
  freshness?: Pick<RecordFreshness, 'current' | 'reason'>;
}

/** The plain-words message of each code, where it does not come from the trial itself. */
export const NOT_REFERABLE_MESSAGES = {
  INELIGIBLE: 'Your answers show that this study is not a match for you.',
  NO_SITE_IN_REACH: 'No study site that is taking part is within the distance you can travel.',
  NO_SITE_CONTACT: 'This study cannot take referrals through this form. You can contact the study team yourself.',
  RECORD_STALE:
    'We cannot be sure this study is still taking people, so we cannot send your details. You can ask the study team.',
} as const;

/**
 * Decides referability, the first reason winning: not a match (`INELIGIBLE`), enrols only on site
 * (`ON_SITE_ONLY`, with the trial's own reason), a record not current (`RECORD_STALE`, with the
 * freshness rule's reason: stale is not recruiting), no recruiting site within reach
 * (`NO_SITE_IN_REACH`), no contact email for leads (`NO_SITE_CONTACT`). Eligible and possibly
 * eligible trials are referable otherwise: the study team decides on what the form left unknown.
 */
export function decideReferability({ trial, eligibility, nearestSite, freshness }: ReferabilityFacts): Referability {
  if (eligibility === 'ineligible') return notReferable('INELIGIBLE', NOT_REFERABLE_MESSAGES.INELIGIBLE);
  if (trial.onSiteOnly !== undefined) return notReferable('ON_SITE_ONLY', trial.onSiteOnly);
  if (freshness !== undefined && !freshness.current) {
    return notReferable('RECORD_STALE', freshness.reason?.message ?? NOT_REFERABLE_MESSAGES.RECORD_STALE);
  }
  if (nearestSite === null) return notReferable('NO_SITE_IN_REACH', NOT_REFERABLE_MESSAGES.NO_SITE_IN_REACH);
  if (!nearestSite.acceptsReferrals) return notReferable('NO_SITE_CONTACT', NOT_REFERABLE_MESSAGES.NO_SITE_CONTACT);
  return { referable: true };
}

function notReferable(code: NotReferableReason['code'], message: string): Referability {
  return { referable: false, notReferableReason: { code, message } };
}
