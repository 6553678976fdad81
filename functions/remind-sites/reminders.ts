/**
 * The reminder run's handler: the remind-sites use case (`functions/app/remind-sites.ts`) over the
 * outbox's unanswered leads, the site-lead store, the mailer and the run's metrics and log lines.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { type ReminderSummary, remindSites } from '#app/remind-sites';
import type { OutboxIndex } from '#adapters/outbox-repository';
import { reminderMonitor } from '#adapters/reminder-monitor';
import { unansweredLeadSource } from '#adapters/unanswered-leads';
import type { Mailer, RecipientPolicy } from '#core/delivery';
import type { EmailTemplates } from '#core/lead-email';
import type { SiteLeadStore } from '#core/ports';
import type { SiteLinkIssuer } from '#core/site-leads';

export type { ReminderSummary } from '#app/remind-sites';

export interface ReminderPorts {
  outbox: OutboxIndex;
  siteLeads: Pick<SiteLeadStore, 'addLink' | 'clearReminder'>;
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

export type RemindSitesHandler = (event?: unknown) => Promise<ReminderSummary>;

export function createRemindSitesHandler(ports: ReminderPorts): RemindSitesHandler {
  const run = remindSites(
    {
      leads: unansweredLeadSource(ports.outbox),
      siteLeads: ports.siteLeads,
      mailer: ports.mailer,
      links: ports.links,
      monitor: reminderMonitor(ports.metrics, ports.logger),
      clock: ports.now,
    },
    {
      template: ports.templates.siteLeadReminder,
      policy: ports.policy,
      appUrl: ports.appUrl,
      reminderWorkingDays: ports.reminderWorkingDays,
      sendDeadline: () => new Date(Date.now() + (ports.sendTimeoutMs ?? 10_000)),
    },
  );
  return () => run();
}
