/**
 * Remind sites: every sent lead with no outcome after the configured working days (3 by default)
 * gets one reminder email to its site, with a fresh lead page link; leads still unanswered after
 * twice that are counted for the operator's alarm (`trial-screener leads list --unanswered`).
 *
 * The reminder is claimed on the lead first (`remindedAt`, conditional), so two runs never send
 * two; a send that fails gives the claim back for the next run. Nothing is sent while the
 * recipient policy holds all email.
 */
import { decideRecipient, holdsAllEmail, type Mailer, type RecipientPolicy } from '#core/delivery';
import { emailTagsFor } from '#core/email-events';
import { type CompiledEmailTemplate, renderSiteLeadEmail } from '#core/lead-email';
import type { Clock, ReminderMonitor, SiteLeadStore, UnansweredLead, UnansweredLeadSource } from '#core/ports';
import { type SiteLinkIssuer, siteLeadLinkUrl } from '#core/site-leads';

export interface RemindSitesPorts {
  leads: UnansweredLeadSource;
  siteLeads: Pick<SiteLeadStore, 'addLink' | 'clearReminder'>;
  mailer: Mailer;
  links: SiteLinkIssuer;
  monitor: ReminderMonitor;
  clock: Clock;
}

export interface RemindSitesSettings {
  template: CompiledEmailTemplate;
  policy: RecipientPolicy;
  /** The form's URL, which lead page links start with. */
  appUrl: string;
  reminderWorkingDays: number;
  /** When a send starting now must have finished (wall-clock time, not the run's clock). */
  sendDeadline: () => Date;
}

export interface ReminderSummary {
  examined: number;
  reminded: number;
  failed: number;
  /** Unanswered after twice the reminder delay: what the operator's alarm counts. */
  unanswered: number;
}

export function remindSites(ports: RemindSitesPorts, settings: RemindSitesSettings) {
  return async (): Promise<ReminderSummary> => {
    const now = ports.clock();
    const summary: ReminderSummary = { examined: 0, reminded: 0, failed: 0, unanswered: 0 };
    try {
      for await (const lead of ports.leads.unanswered(now, settings.reminderWorkingDays)) {
        summary.examined += 1;
        if (lead.followUp.escalated) summary.unanswered += 1;
        if (!lead.followUp.remind || holdsAllEmail(settings.policy)) continue;
        const sent = await remind(lead, now, ports, settings);
        if (sent === 'sent') summary.reminded += 1;
        if (sent === 'failed') summary.failed += 1;
      }
    } finally {
      ports.monitor.finished(summary);
    }
    return summary;
  };
}

async function remind(
  { leadId, message }: UnansweredLead,
  now: Date,
  ports: RemindSitesPorts,
  settings: RemindSitesSettings,
): Promise<'sent' | 'failed' | 'skipped'> {
  if (message.kind !== 'LEAD') return 'skipped';
  const link = ports.links.issue(now);
  // The claim: only the run that sets remindedAt sends.
  if (!(await ports.siteLeads.addLink(leadId, link.record, { remindedAt: now.toISOString() }))) return 'skipped';
  const giveBack = async (reason: string) => {
    await ports.siteLeads.clearReminder(leadId);
    ports.monitor.notReminded(leadId, reason);
    return 'failed' as const;
  };
  let email: ReturnType<typeof renderSiteLeadEmail>;
  try {
    email = renderSiteLeadEmail(message.lead, settings.template, {
      mode: 'minimal',
      leadPageUrl: siteLeadLinkUrl(settings.appUrl, leadId, link.token),
    });
  } catch (error) {
    return giveBack(`could not render (${errorName(error)})`);
  }
  const decision = decideRecipient(email.to, settings.policy);
  if (decision.action === 'hold') return giveBack('held by recipient policy');
  const deadline = settings.sendDeadline();
  let result: Awaited<ReturnType<Mailer['send']>>;
  try {
    result = await ports.mailer.send({ ...email, to: decision.to, tags: emailTagsFor('LEAD', leadId) }, { deadline });
  } catch (error) {
    return giveBack(`mailer error (${errorName(error)})`);
  }
  if (!result.ok) return giveBack(result.reason);
  ports.monitor.reminded(leadId, result.messageId, decision.overridden);
  return 'sent';
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown';
}
