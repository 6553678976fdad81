/**
 * Sent leads the site has said nothing about: read from the outbox index (SENT leads last updated
 * before the reminder threshold, so the query never reads the recent ones; a lead with an outcome
 * is left out on the index entry, before its item is read), each with its follow-up
 * (`core/site-leads.ts`). The reminder run and `leads list --unanswered` share it.
 */
import { followUpFor, workingDaysBefore, type FollowUp } from '#core/site-leads';
import type { UnansweredLeadSource } from '#core/ports';
import { type OutboxEntry, type OutboxIndex, type OutboxSummary, toOutboxMessage } from './outbox-repository';

export interface UnansweredLead {
  entry: OutboxEntry;
  leadId: string;
  trialId: string | undefined;
  siteId: string | undefined;
  sentAt: string;
  remindedAt: string | undefined;
  followUp: FollowUp;
}

/**
 * Every SENT lead with no outcome sent at least `reminderWorkingDays` working days before `now`.
 */
export async function* unansweredLeads(
  outbox: OutboxIndex,
  now: Date,
  reminderWorkingDays: number,
): AsyncGenerator<UnansweredLead> {
  // The index's bound is exclusive; a lead sent exactly at the threshold has waited long enough.
  const threshold = new Date(workingDaysBefore(now, reminderWorkingDays).getTime() + 1);
  const unanswered = (summary: OutboxSummary) => summary.ref.kind === 'LEAD' && summary.latestOutcome === undefined;
  for await (const entry of outbox.allEntriesByStatus('SENT', { updatedBefore: threshold, where: unanswered })) {
    // The summary is the item's own delivery state, read by `OutboxDeliveryState` (the index may lag).
    const { ref, latestOutcome, sentAt = entry.summary.updatedAt, remindedAt } = entry.summary;
    if (ref.kind !== 'LEAD' || latestOutcome !== undefined || !sentAt) continue;
    const followUp = followUpFor({ sentAt, hasOutcome: false, remindedAt }, now, reminderWorkingDays);
    yield {
      entry,
      leadId: entry.summary.ref.id,
      trialId: entry.summary.trialId,
      siteId: entry.summary.siteId,
      sentAt,
      remindedAt,
      followUp,
    };
  }
}

/** The reminder run's source of unanswered leads, each with its content read from the outbox. */
export function unansweredLeadSource(outbox: OutboxIndex): UnansweredLeadSource {
  return {
    async *unanswered(now, reminderWorkingDays) {
      for await (const lead of unansweredLeads(outbox, now, reminderWorkingDays)) {
        yield { leadId: lead.leadId, followUp: lead.followUp, message: toOutboxMessage(lead.entry.item) };
      }
    },
  };
}
