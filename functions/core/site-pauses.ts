/**
 * Sites that take no new leads: a site that said "Stop sending leads to this site" on a lead
 * page (or that the operator paused), and site addresses that hard-bounced. A paused site is
 * still shown in a patient's results, marked as not taking referrals, and no lead is created for
 * it, whatever the request says.
 *
 * Pure: the repository loads the pauses; this decides what they mean for results and referrals.
 */
import type { PreparedCatalog } from './eligibility';
import { DomainError, type ErrorDetail } from './errors';
import type { TrialResult } from './model';

/** Who paused: the site from its lead page, the operator from the CLI, or a hard bounce. */
export type PausedBy = 'site' | 'operator' | 'bounce';

/** One pause: of a trial's site, or of an email address whatever trial it serves. */
export type SitePause =
  | {
      kind: 'site';
      trialId: string;
      siteId: string;
      pausedAt: string;
      pausedBy: PausedBy;
      reason?: string | undefined;
      leadId?: string | undefined;
    }
  | {
      kind: 'address';
      address: string;
      pausedAt: string;
      pausedBy: PausedBy;
      reason?: string | undefined;
      leadId?: string | undefined;
    };

/** The paused sites and addresses (implemented by `adapters/site-pause-repository.ts`). */
export interface SitePauseStore {
  list(): Promise<SitePause[]>;
}

/** The code and words a result carries for a paused site (matching's `notReferableReason` shape). */
export const SITE_PAUSED_REASON = {
  code: 'SITE_PAUSED',
  message: 'This study site is not taking referrals at the moment.',
} as const;

/** Pauses indexed for lookups while evaluating one screening. */
export interface PauseIndex {
  isSitePaused(trialId: string, siteId: string): boolean;
  isAddressPaused(address: string | undefined): boolean;
  readonly size: number;
}

/** Email addresses compare without case: the same mailbox however the registry spells it. */
export function normaliseAddress(address: string): string {
  return address.trim().toLowerCase();
}

/** Indexes pauses by site and by address. */
export function indexPauses(pauses: readonly SitePause[]): PauseIndex {
  const sites = new Set<string>();
  const addresses = new Set<string>();
  for (const pause of pauses) {
    if (pause.kind === 'site') sites.add(`${pause.trialId}\u0000${pause.siteId}`);
    else addresses.add(normaliseAddress(pause.address));
  }
  return {
    isSitePaused: (trialId, siteId) => sites.has(`${trialId}\u0000${siteId}`),
    isAddressPaused: (address) => address !== undefined && addresses.has(normaliseAddress(address)),
    size: sites.size + addresses.size,
  };
}

/** A trial result that may say why it cannot be referred (the field matching's results carry). */
export type ResultWithReferability = TrialResult & {
  notReferableReason?: { code: string; message: string } | undefined;
  referable?: boolean | undefined;
};

/**
 * Marks each result whose nearest site is paused (or whose lead would go to a paused address)
 * as not taking referrals: the site stays visible with the reason, and `acceptsReferrals` is
 * false, so the form offers no referral and `planReferral` refuses one.
 *
 * @param recipientOf the address a lead for (trial, site) would go to, when there is one.
 */
export function applySitePauses<R extends TrialResult>(
  results: readonly R[],
  pauses: PauseIndex,
  recipientOf: (trialId: string, siteId: string) => string | undefined,
): R[] {
  if (pauses.size === 0) return [...results];
  return results.map((result) => {
    const site = result.nearestSite;
    if (!site?.acceptsReferrals) return result;
    const paused =
      pauses.isSitePaused(result.trialId, site.siteId) || pauses.isAddressPaused(recipientOf(result.trialId, site.siteId));
    if (!paused) return result;
    return {
      ...result,
      nearestSite: { ...site, acceptsReferrals: false },
      ...('referable' in result ? { referable: false } : {}),
      notReferableReason: { ...SITE_PAUSED_REASON },
    };
  });
}

/**
 * The address a lead for (trial, site) goes to, read from a prepared catalog the way referral
 * planning chooses it: the site's contact, else the trial's central contact.
 */
export function leadRecipientIn(catalog: PreparedCatalog): (trialId: string, siteId: string) => string | undefined {
  return (trialId, siteId) => {
    const trial = catalog.byId.get(trialId)?.trial;
    const site = trial?.sites.find((candidate) => candidate.siteId === siteId);
    return site?.contact?.email?.trim() || trial?.centralContact?.email?.trim() || undefined;
  };
}

/**
 * Refuses a referral to any chosen trial whose site is paused (the results after
 * `applySitePauses`), with one detail per paused trial, as `planReferral` refuses others.
 *
 * @throws DomainError TRIAL_NOT_REFERABLE
 */
export function refusePausedSites(results: readonly ResultWithReferability[], trialIds: readonly string[]): void {
  const details: ErrorDetail[] = [];
  trialIds.forEach((trialId, index) => {
    const result = results.find((candidate) => candidate.trialId === trialId);
    if (result?.notReferableReason?.code === SITE_PAUSED_REASON.code) {
      details.push({ path: ['trialIds', index], message: `Study ${trialId}: ${SITE_PAUSED_REASON.message}` });
    }
  });
  if (details.length > 0)
    throw new DomainError('TRIAL_NOT_REFERABLE', 'Some of the chosen studies cannot take a referral.', details);
}
