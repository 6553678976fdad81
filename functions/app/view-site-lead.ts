/**
 * View a lead (the site's lead page link): the lead the link opens, counted as a view under the
 * link's id, and whether its site takes new leads (paused by the site, the operator or a bounce).
 */
import type { AuthorizedSiteLead, Clock, SiteLeadStore } from '#core/ports';
import { indexPauses, type SitePauseStore } from '#core/site-pauses';

export interface ViewSiteLeadPorts {
  siteLeads: SiteLeadStore;
  sitePauses: SitePauseStore;
  clock: Clock;
}

export interface ViewedSiteLead extends AuthorizedSiteLead {
  /** Whether the lead's (trial, site) or the address it goes to is paused. */
  sitePaused: boolean;
}

export function viewSiteLead(ports: ViewSiteLeadPorts) {
  /** @throws DomainError TOKEN_INVALID for an unknown lead, another lead's link or an expired one alike. */
  return async (leadId: string, token: string): Promise<ViewedSiteLead> => {
    const now = ports.clock();
    const authorized = await ports.siteLeads.authorize(leadId, token, now);
    const { lead, linkId } = authorized;
    await ports.siteLeads.recordView(lead.leadId, linkId, now);
    const paused = indexPauses(await ports.sitePauses.list());
    return {
      ...authorized,
      sitePaused: paused.isSitePaused(lead.trialId, lead.siteId) || paused.isAddressPaused(lead.recipient.email),
    };
  };
}
