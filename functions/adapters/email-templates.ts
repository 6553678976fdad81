/**
 * Loads the operator-editable email templates from `templates/email/` and compiles them once per
 * cold start. In a Lambda bundle the folder is copied next to the bundle (`templates/email/`
 * beside `index.mjs`); from a checkout (local runtime, CLI, tests) it is read from the repository.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileEmailTemplate, type EmailTemplates } from '#core/lead-email';

const TEMPLATE_NAMES = {
  siteLead: 'site-lead',
  siteLeadMinimal: 'site-lead-minimal',
  siteLeadReminder: 'site-lead-reminder',
  patientConfirmation: 'patient-confirmation',
} as const;

/** Where the templates are: beside the bundle in Lambda, else at the repository root. */
export function emailTemplatesDirectory(): string {
  const candidates = [new URL('./templates/email/', import.meta.url), new URL('../../templates/email/', import.meta.url)].map(
    (url) => fileURLToPath(url),
  );
  const found = candidates.find((directory) => existsSync(`${directory}site-lead.txt`));
  if (!found) throw new Error(`Email templates not found; looked in ${candidates.join(' and ')}`);
  return found;
}

/** Reads and compiles every email template (subject, text and HTML of each). */
export function loadEmailTemplates(directory: string = emailTemplatesDirectory()): EmailTemplates {
  const load = (name: string) =>
    compileEmailTemplate({
      subject: readFileSync(`${directory}/${name}.subject.txt`, 'utf8'),
      text: readFileSync(`${directory}/${name}.txt`, 'utf8'),
      html: readFileSync(`${directory}/${name}.html`, 'utf8'),
    });
  return {
    siteLead: load(TEMPLATE_NAMES.siteLead),
    siteLeadMinimal: load(TEMPLATE_NAMES.siteLeadMinimal),
    siteLeadReminder: load(TEMPLATE_NAMES.siteLeadReminder),
    patientConfirmation: load(TEMPLATE_NAMES.patientConfirmation),
  };
}
