/**
 * Pause a site from its lead page ("Stop sending leads to this site"): the lead's (trial, site)
 * takes no new leads until the operator resumes it; screenings say it is not taking referrals.
 * Pausing again keeps the first pause and says it was not new.
 */
import type { Clock, SiteLeadStore, SitePauses } from '#core/ports';

export interface PauseSitePorts {
  siteLeads: SiteLeadStore;
  sitePauses: Pick<SitePauses, 'pauseSite'>;
  clock: Clock;
}

export interface PausedSite {
  leadId: string;
  linkId: string;
  trialId: string;
  siteId: string;
  /** False when the site was already paused. */
  newlyPaused: boolean;
}

export function pauseSite(ports: PauseSitePorts) {
  /** @throws DomainError TOKEN_INVALID for an unknown lead, another lead's link or an expired one alike. */
  return async (leadId: string, token: string, request: { reason?: string | undefined }): Promise<PausedSite> => {
    const now = ports.clock();
    const { lead, linkId } = await ports.siteLeads.authorize(leadId, token, now);
    const newlyPaused = await ports.sitePauses.pauseSite(
      lead.trialId,
      lead.siteId,
      { pausedBy: 'site', reason: request.reason, leadId: lead.leadId },
      now,
    );
    return { leadId: lead.leadId, linkId, trialId: lead.trialId, siteId: lead.siteId, newlyPaused };
  };
}
