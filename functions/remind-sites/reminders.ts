/**
 * The reminder run: on a schedule, every sent lead with no outcome after the configured working
 * days (3 by default) gets one reminder email to its site, with a fresh lead page link; leads
 * still unanswered after twice that are counted in the `LeadsUnanswered` metric, whose alarm
 * tells the operator (`trial-screener leads list --unanswered` lists them).
 *
 * The reminder is claimed on the lead first (`remindedAt`, conditional), so two runs never send
 * two; a send that fails gives the claim back for the next run.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { decideRecipient, holdsAllEmail, type Mailer, type RecipientPolicy } from '#core/delivery';
import { emailTagsFor } from '#core/email-events';
import { renderSiteLeadEmail, type EmailTemplates } from '#core/lead-email';
import { siteLeadLinkUrl, type SiteLinkIssuer } from '#core/site-leads';
import type { OutboxRepository } from '#adapters/outbox-repository';
import { toOutboxMessage } from '#adapters/outbox-repository';
import type { SiteLeadRepository } from '#adapters/site-lead-repository';
import { SITE_METRIC_NAMES } from '#adapters/site-metrics';
import { unansweredLeads } from '#adapters/unanswered-leads';

export interface ReminderPorts {
  outbox: OutboxRepository;
  siteLeads: SiteLeadRepository;
  mailer: Mailer;
  templates: Pick<EmailTemplates, 'siteLeadReminder'>;
  policy: RecipientPolicy;
  appUrl: string;
  links: SiteLinkIssuer;
  metrics: Metrics;
  logger: Logger;
  /** The clock (tests move it; production reads the time). */
  now: () => Date;
  reminderWorkingDays: number;
  /** How long one send may take. */
  sendTimeoutMs?: number;
}

export interface ReminderSummary {
  examined: number;
  reminded: number;
  failed: number;
  /** Unanswered after twice the reminder delay: what the operator's alarm counts. */
  unanswered: number;
}

export type RemindSitesHandler = (event?: unknown) => Promise<ReminderSummary>;

export function createRemindSitesHandler(ports: ReminderPorts): RemindSitesHandler {
  return async () => {
    const now = ports.now();
    const summary: ReminderSummary = { examined: 0, reminded: 0, failed: 0, unanswered: 0 };
    try {
      for await (const lead of unansweredLeads(ports.outbox, now, ports.reminderWorkingDays)) {
        summary.examined += 1;
        if (lead.followUp.escalated) summary.unanswered += 1;
        if (!lead.followUp.remind || holdsAllEmail(ports.policy)) continue;
        const sent = await remind(lead.leadId, lead.entry.item, now, ports);
        if (sent === 'sent') summary.reminded += 1;
        if (sent === 'failed') summary.failed += 1;
      }
    } finally {
      // Published on every run, zero included, so the alarm sees the count go back to zero.
      ports.metrics.addMetric(SITE_METRIC_NAMES.unanswered, MetricUnit.Count, summary.unanswered);
      if (summary.reminded > 0) ports.metrics.addMetric(SITE_METRIC_NAMES.reminderSent, MetricUnit.Count, summary.reminded);
      ports.metrics.publishStoredMetrics();
    }
    if (summary.examined > 0) ports.logger.info('Reminder run finished', { ...summary });
    if (summary.unanswered > 0) {
      ports.logger.warn('Leads unanswered after twice the reminder delay: see trial-screener leads list --unanswered', {
        unanswered: summary.unanswered,
      });
    }
    return summary;
  };
}

async function remind(
  leadId: string,
  item: Record<string, unknown>,
  now: Date,
  ports: ReminderPorts,
): Promise<'sent' | 'failed' | 'skipped'> {
  const message = toOutboxMessage(item);
  if (message.kind !== 'LEAD') return 'skipped';
  const link = ports.links.issue(now);
  // The claim: only the run that sets remindedAt sends.
  if (!(await ports.siteLeads.addLink(leadId, link.record, { remindedAt: now.toISOString() }))) return 'skipped';
  const give = async (reason: string) => {
    await ports.siteLeads.clearReminder(leadId);
    ports.logger.warn('Site reminder not sent; the next run tries again', { leadId, reason });
    return 'failed' as const;
  };
  let email;
  try {
    email = renderSiteLeadEmail(message.lead, ports.templates.siteLeadReminder, {
      mode: 'minimal',
      leadPageUrl: siteLeadLinkUrl(ports.appUrl, leadId, link.token),
    });
  } catch (error) {
    return give(`could not render (${error instanceof Error ? error.name : 'unknown'})`);
  }
  const decision = decideRecipient(email.to, ports.policy);
  if (decision.action === 'hold') return give('held by recipient policy');
  const deadline = new Date(Date.now() + (ports.sendTimeoutMs ?? 10_000));
  let result;
  try {
    result = await ports.mailer.send({ ...email, to: decision.to, tags: emailTagsFor('LEAD', leadId) }, { deadline });
  } catch (error) {
    return give(`mailer error (${error instanceof Error ? error.name : 'unknown'})`);
  }
  if (!result.ok) return give(result.reason);
  ports.logger.info('Site reminder sent', { leadId, sesMessageId: result.messageId, overridden: decision.overridden });
  return 'sent';
}
