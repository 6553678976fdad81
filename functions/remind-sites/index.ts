/**
 * Lambda entry `remind-sites` (see `functions/function-manifest.ts`): hourly, reminds sites of
 * unanswered leads and counts the ones to escalate (`reminders.ts`). Configuration is parsed at
 * cold start.
 */
import { loadConfig } from '#adapters/config';
import { tableRef } from '#adapters/dynamo';
import { logger } from '#adapters/logger';
import { loadReminderTemplates } from '#adapters/email-templates';
import { senderSettings } from '#adapters/outbox-delivery';
import { OutboxIndex } from '#adapters/outbox-repository';
import { createSesMailer, sesClient } from '#adapters/ses-mailer';
import { SiteLeadLinks } from '#adapters/site-lead-repository';
import { siteLinkIssuer } from '#adapters/site-links';
import { siteMetrics } from '#adapters/site-metrics';
import { createRemindSitesHandler } from './reminders';

const config = loadConfig('remind-sites');
const table = tableRef(config.TABLE_NAME);
const sender = senderSettings(config);

export const handler = createRemindSitesHandler({
  outbox: new OutboxIndex(table),
  siteLeads: new SiteLeadLinks(table),
  mailer: createSesMailer({ ses: sesClient(), sender: config.SENDER_EMAIL, configurationSet: config.SES_CONFIGURATION_SET }),
  // Only the reminder template: the bundle carries none of the other emails.
  templates: loadReminderTemplates(),
  policy: sender.policy,
  appUrl: sender.appUrl,
  links: siteLinkIssuer(config.SITE_LINK_TTL_DAYS),
  metrics: siteMetrics(config.DEPLOYMENT_STAGE),
  logger,
  now: () => new Date(),
  reminderWorkingDays: config.SITE_REMINDER_WORKING_DAYS,
  sendTimeoutMs: sender.sendTimeoutMs,
});
