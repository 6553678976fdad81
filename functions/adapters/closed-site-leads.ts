/**
 * When a catalog is published (`trials load`, the scheduled registry sync), leads not yet sent
 * for a trial or site that the new catalog no longer offers are held, with the reason, instead of
 * being emailed to a study that has closed. A lead already being sent (SENDING) is left to finish.
 */
import { closedReason } from '#core/freshness';
import type { Trial } from '#core/model';
import type { CatalogLeads } from '#core/ports';
import type { OutboxIndex } from './outbox-repository';

export interface HeldLead {
  leadId: string;
  trialId: string;
  siteId: string;
  reason: string;
}

/** Holds every PENDING lead whose (trial, site) `trials` does not offer; returns what it held. */
export async function holdLeadsOfClosedSites(
  outbox: OutboxIndex,
  trials: readonly Trial[],
  now: Date = new Date(),
): Promise<HeldLead[]> {
  const byId = new Map(trials.map((trial) => [trial.nctId, trial]));
  const held: HeldLead[] = [];
  for await (const lead of outbox.allByStatus('PENDING')) {
    if (lead.ref.kind !== 'LEAD' || !lead.trialId || !lead.siteId) continue;
    const why = closedReason(lead.trialId, lead.siteId, byId.get(lead.trialId));
    if (!why) continue;
    const reason = `${why.replace(' since you answered the questions', '')} (catalog published ${now.toISOString()})`;
    if (await outbox.holdPending(lead.ref, reason, now))
      held.push({ leadId: lead.ref.id, trialId: lead.trialId, siteId: lead.siteId, reason });
  }
  return held;
}

/** The registry sync's view of the leads (the `CatalogLeads` port) over the outbox. */
export function catalogLeads(outbox: OutboxIndex): CatalogLeads {
  return {
    holdLeadsOfClosedSites: async (trials, now) => (await holdLeadsOfClosedSites(outbox, trials, now)).length,
    async trialsWithLeads() {
      const withLeads = new Set<string>();
      for (const status of ['PENDING', 'SENDING', 'SENT', 'FAILED'] as const) {
        for await (const entry of outbox.allByStatus(status))
          if (entry.ref.kind === 'LEAD' && entry.trialId) withLeads.add(entry.trialId);
      }
      return withLeads;
    },
  };
}
