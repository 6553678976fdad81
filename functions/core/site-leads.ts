/**
 * The site's side of a lead: the signed link a coordinator gets by email, the outcomes a site
 * can record, what each outcome tells the patient, and when an unanswered lead is reminded and
 * escalated. One module for the email that writes the link, the API that checks it and the page
 * that reads it, so the format and the outcome list are written once.
 *
 * The link is `<form URL>site/leads/<leadId>#t=<token>`: the token sits in the fragment, which a
 * browser never sends to a server, so it reaches no access log (CloudFront, S3, API Gateway) and
 * no Referer header. The page reads it, removes it from the address bar and sends it as
 * `Authorization: Bearer <token>`. The table stores only its SHA-256 hash, per lead.
 *
 * Pure: no I/O, no clock of its own (every decision takes `now`).
 */

/** What a site can record about a lead, in the order a lead usually moves through them. */
export const SITE_OUTCOMES = [
  'contacted',
  'screening_visit_scheduled',
  'consented',
  'enrolled',
  'not_eligible',
  'could_not_reach',
  'patient_declined',
] as const;
export type SiteOutcome = (typeof SITE_OUTCOMES)[number];

/** Why the study team found a patient not eligible; `other` needs a short text. */
export const NOT_ELIGIBLE_REASONS = [
  'inclusion_not_met',
  'exclusion_met',
  'medical_history',
  'medication',
  'too_far_to_travel',
  'study_full',
  'other',
] as const;
export type NotEligibleReason = (typeof NOT_ELIGIBLE_REASONS)[number];

/** Labels the lead page and the operator's tools show for each outcome and reason. */
export const SITE_OUTCOME_LABELS: Record<SiteOutcome, string> = {
  contacted: 'Contacted',
  screening_visit_scheduled: 'Screening visit scheduled',
  consented: 'Consented',
  enrolled: 'Enrolled',
  not_eligible: 'Not eligible',
  could_not_reach: 'Could not reach',
  patient_declined: 'Patient declined',
};

export const NOT_ELIGIBLE_REASON_LABELS: Record<NotEligibleReason, string> = {
  inclusion_not_met: 'An inclusion criterion is not met',
  exclusion_met: 'An exclusion criterion applies',
  medical_history: 'Medical history',
  medication: 'Current medication',
  too_far_to_travel: 'Too far to travel',
  study_full: 'The study is full',
  other: 'Other (say why)',
};

/**
 * What the patient sees for each outcome, in plain words. "Not eligible" is told gently and
 * without the site's reason: the reason is for the site's and the sponsor's records, and the
 * study team tells the patient themselves.
 */
export const PATIENT_PROGRESS_TEXT: Record<SiteOutcome, string> = {
  contacted: 'The study team has contacted you.',
  screening_visit_scheduled: 'The study team has booked a screening visit with you.',
  consented: 'You have agreed to take part, with the study team.',
  enrolled: 'You are taking part in this study.',
  not_eligible: 'The study team found that this study is not a fit for you this time.',
  could_not_reach: 'The study team tried to contact you but could not reach you. Check your email, or contact them.',
  patient_declined: 'You told the study team you do not want to take part.',
};

/** Outcomes that mean the site got hold of the patient (for the funnel's "contacted" step). */
export const CONTACTED_OUTCOMES: ReadonlySet<SiteOutcome> = new Set([
  'contacted',
  'screening_visit_scheduled',
  'consented',
  'enrolled',
  'not_eligible',
  'patient_declined',
]);

/** One recorded outcome, as stored on the lead and shown in its history. */
export interface LeadOutcomeEntry {
  outcome: SiteOutcome;
  reason?: NotEligibleReason | undefined;
  /** The site's short note; for the site and operators, never shown to the patient. */
  note?: string | undefined;
  /** ISO timestamp. */
  at: string;
  /** Which link recorded it (`linkId`), never the token. */
  link: string;
}

/** The first characters of a link token's hash: names the link in records without revealing it. */
export function linkIdOf(tokenHash: string): string {
  return tokenHash.slice(0, 12);
}

/** At most this many outcomes per lead: a lead's story is a handful of steps, not a log. */
export const MAX_OUTCOMES_PER_LEAD = 50;

/** Default link lifetime; a reminder email carries a fresh link with the same lifetime. */
export const DEFAULT_SITE_LINK_TTL_DAYS = 30;
/** Default working days without an outcome before the one reminder; escalation at twice that. */
export const DEFAULT_SITE_REMINDER_WORKING_DAYS = 3;

const PAGE_SEGMENTS = ['site', 'leads'] as const;
const FRAGMENT_KEY = 't';
const LEAD_ID_PATTERN = /^[A-Za-z0-9-]{1,100}$/;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,200}$/;

/** The lead page's path under the form, as CloudFront and the local server route it. */
export const SITE_LEAD_PAGE_PREFIX = `/${PAGE_SEGMENTS.join('/')}/`;

/**
 * The link to one lead's page: the form URL (path kept, so a form served under a prefix keeps
 * it) + `site/leads/<leadId>`, with the token in the fragment.
 *
 * @throws TypeError when `appUrl` is not an absolute URL.
 */
export function siteLeadLinkUrl(appUrl: string, leadId: string, token: string): string {
  const base = new URL(appUrl);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  const url = new URL(`${PAGE_SEGMENTS.join('/')}/${encodeURIComponent(leadId)}`, base);
  url.hash = `${FRAGMENT_KEY}=${token}`;
  return url.toString();
}

/** What the lead page finds in its own address: the lead id, and the token when present. */
export interface SiteLeadLocation {
  leadId: string;
  token: string | undefined;
}

/**
 * Reads the lead id from a page path (`.../site/leads/<leadId>`) and the token from the fragment
 * (`#t=<token>`). Undefined when the path is not a lead page; a malformed token reads as absent.
 */
export function parseSiteLeadLocation(pathname: string, fragment: string): SiteLeadLocation | undefined {
  const segments = pathname.split('/').filter((segment) => segment.length > 0);
  const leadSegment = segments.at(-1);
  if (segments.length < 3 || segments.at(-3) !== PAGE_SEGMENTS[0] || segments.at(-2) !== PAGE_SEGMENTS[1] || !leadSegment)
    return undefined;
  let leadId: string;
  try {
    leadId = decodeURIComponent(leadSegment);
  } catch {
    return undefined;
  }
  if (!LEAD_ID_PATTERN.test(leadId)) return undefined;
  const text = fragment.startsWith('#') ? fragment.slice(1) : fragment;
  const token = new URLSearchParams(text).get(FRAGMENT_KEY) ?? undefined;
  return { leadId, token: token && TOKEN_PATTERN.test(token) ? token : undefined };
}

/** Whether a path is a lead page (for the servers that must answer it with the page). */
export function isSiteLeadPagePath(pathname: string): boolean {
  return parseSiteLeadLocation(pathname, '') !== undefined;
}

/** The latest outcome of a history, or undefined when the site has recorded none. */
export function latestOutcome(history: readonly LeadOutcomeEntry[]): LeadOutcomeEntry | undefined {
  let latest: LeadOutcomeEntry | undefined;
  for (const entry of history) if (!latest || entry.at >= latest.at) latest = entry;
  return latest;
}

/** The plain-words progress line for the patient, or undefined before any outcome. */
export function patientProgress(
  history: readonly LeadOutcomeEntry[],
): { outcome: SiteOutcome; text: string; at: string } | undefined {
  const latest = latestOutcome(history);
  return latest ? { outcome: latest.outcome, text: PATIENT_PROGRESS_TEXT[latest.outcome], at: latest.at } : undefined;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function isWorkingDay(date: Date): boolean {
  const day = date.getUTCDay();
  return day !== 0 && day !== 6;
}

/**
 * The instant `workingDays` working days (Monday to Friday, UTC; public holidays are not known)
 * before `now`: a lead sent before it has waited at least that long in working time.
 */
export function workingDaysBefore(now: Date, workingDays: number): Date {
  let cursor = new Date(now.getTime());
  let remaining = workingDays;
  while (remaining > 0) {
    cursor = new Date(cursor.getTime() - DAY_MS);
    if (isWorkingDay(cursor)) remaining -= 1;
  }
  return cursor;
}

/** Whether at least `workingDays` working days separate `since` from `now`. */
export function workingDaysHavePassed(since: Date, now: Date, workingDays: number): boolean {
  return since.getTime() <= workingDaysBefore(now, workingDays).getTime();
}

/** What an unanswered lead needs now: the one reminder, and whether the operator must know. */
export interface FollowUp {
  remind: boolean;
  escalated: boolean;
}

/** A sent lead as the follow-up decision sees it. */
export interface FollowUpState {
  /** When the lead's email was sent (ISO). */
  sentAt: string;
  hasOutcome: boolean;
  /** When the reminder went out (ISO), if it did. */
  remindedAt?: string | undefined;
}

/**
 * The follow-up of a sent lead: one reminder after `reminderWorkingDays` without an outcome
 * (also when escalating, if it never went out), escalation to the operator after twice that. A
 * lead with an outcome needs nothing.
 */
export function followUpFor(state: FollowUpState, now: Date, reminderWorkingDays: number): FollowUp {
  const sentAt = new Date(state.sentAt);
  if (state.hasOutcome || Number.isNaN(sentAt.getTime())) return { remind: false, escalated: false };
  return {
    remind: !state.remindedAt && workingDaysHavePassed(sentAt, now, reminderWorkingDays),
    escalated: workingDaysHavePassed(sentAt, now, reminderWorkingDays * 2),
  };
}

/**
 * What the site email carries. `minimal` (the default): that there is a new pre-screened referral
 * for the trial at the site, the lead id and the link; the patient's details are on the lead page
 * only. `full`: the patient's contact, answers, criteria and consent in the email too.
 */
export const SITE_EMAIL_MODES = ['minimal', 'full'] as const;
export type SiteEmailMode = (typeof SITE_EMAIL_MODES)[number];

/** A link as the table keeps it: the SHA-256 (hex) of its token and its expiry (epoch seconds). */
export interface SiteLinkRecord {
  hash: string;
  expiresAt: number;
}

/** Issues lead page links (implemented with `node:crypto` by `adapters/site-links.ts`). */
export interface SiteLinkIssuer {
  /** A new 128-bit random token and the record to store for it, expiring after the configured days. */
  issue(now: Date): { token: string; record: SiteLinkRecord };
}

/** The ClinicalTrials.gov page of a trial. */
export function trialRegistryUrl(nctId: string): string {
  return `https://clinicaltrials.gov/study/${encodeURIComponent(nctId)}`;
}
