/**
 * The operator-editable email templates (`templates/email/`), precompiled by `npm run templates`
 * into `email-templates.generated.ts` and made ready once per cold start with the Handlebars
 * runtime. The Lambda bundles, the local runtime and the tests all load them this way.
 */
import { type EmailTemplates, emailTemplateFromPrecompiled } from '#core/lead-email';
import { PRECOMPILED_EMAIL_TEMPLATES } from './email-templates.generated';

/** Every email template (subject, text and HTML of each), ready to render. */
export function loadEmailTemplates(): EmailTemplates {
  return {
    siteLead: emailTemplateFromPrecompiled(PRECOMPILED_EMAIL_TEMPLATES.siteLead),
    siteLeadMinimal: emailTemplateFromPrecompiled(PRECOMPILED_EMAIL_TEMPLATES.siteLeadMinimal),
    siteLeadReminder: emailTemplateFromPrecompiled(PRECOMPILED_EMAIL_TEMPLATES.siteLeadReminder),
    patientConfirmation: emailTemplateFromPrecompiled(PRECOMPILED_EMAIL_TEMPLATES.patientConfirmation),
  };
}
