/**
 * The operator-editable email templates (`templates/email/`), precompiled by `npm run templates`
 * into `email-templates.generated.ts` and made ready once per cold start with the Handlebars
 * runtime. The Lambda bundles, the local runtime and the tests all load them this way.
 *
 * The generated module exports each template on its own, and each loader here names the ones it
 * prepares, so a bundle carries only the templates its function sends: the delivery functions all
 * four, the reminder function only the reminder.
 */
import { type EmailTemplates, emailTemplateFromPrecompiled } from '#core/lead-email';
import { patientConfirmation, siteLead, siteLeadMinimal, siteLeadReminder } from './email-templates.generated';

/** Every email template (subject, text and HTML of each), ready to render: what delivery sends. */
export function loadEmailTemplates(): EmailTemplates {
  return {
    siteLead: emailTemplateFromPrecompiled(siteLead),
    siteLeadMinimal: emailTemplateFromPrecompiled(siteLeadMinimal),
    ...loadReminderTemplates(),
    patientConfirmation: emailTemplateFromPrecompiled(patientConfirmation),
  };
}

/** The one template the site reminders send, ready to render. */
export function loadReminderTemplates(): Pick<EmailTemplates, 'siteLeadReminder'> {
  return { siteLeadReminder: emailTemplateFromPrecompiled(siteLeadReminder) };
}
