/**
 * Record a site outcome (the site's lead page link): what happened to the lead, appended to its
 * history under the link that recorded it. A lead erased between the link check and the write is
 * refused like an unknown one.
 */
import { refusals } from '#core/errors';
import type { Clock, NewSiteOutcome, SiteLeadStore } from '#core/ports';
import type { LeadOutcomeEntry } from '#core/site-leads';

export interface RecordSiteOutcomePorts {
  siteLeads: SiteLeadStore;
  clock: Clock;
}

export interface RecordedSiteOutcome {
  leadId: string;
  linkId: string;
  recorded: LeadOutcomeEntry;
  /** The whole history after the new entry, oldest first. */
  outcomes: LeadOutcomeEntry[];
}

export function recordSiteOutcome(ports: RecordSiteOutcomePorts) {
  /** @throws DomainError TOKEN_INVALID (bad link, or the lead erased meanwhile), OUTCOME_LIMIT_REACHED */
  return async (leadId: string, token: string, outcome: NewSiteOutcome): Promise<RecordedSiteOutcome> => {
    const now = ports.clock();
    const { lead, linkId } = await ports.siteLeads.authorize(leadId, token, now);
    const recorded = await ports.siteLeads.recordOutcome(lead.leadId, linkId, outcome, now);
    if (!recorded) throw refusals.invalidSiteLink();
    return { leadId: lead.leadId, linkId, recorded, outcomes: [...lead.outcomes, recorded] };
  };
}
