/**
 * Each Lambda bundle carries only the email templates its function sends: the generated module
 * exports each template on its own (`npm run templates`), and `email-templates.ts` has a loader per
 * sender. The bundles are built as `lib/lambda-function.ts` builds them (esbuild, ESM, minified)
 * and searched for text that only one template holds.
 */
import { describe, expect, it } from '@jest/globals';
import { minifiedBundle } from '#test/setup/minified-bundle';

/** Text of each template that no other template holds. */
const TEMPLATE_TEXT = {
  siteLead: 'A patient who completed the trial-screener questionnaire asked to be contacted',
  siteLeadMinimal: 'There is a new pre-screened referral for a study at your site.',
  siteLeadReminder: 'has no outcome recorded yet.',
  patientConfirmation: 'we have passed your answers and contact details to',
};

const bundleOf = (file: string) => minifiedBundle({ file });

describe('the email templates a Lambda bundle carries', () => {
  it('the site reminder function carries the reminder template and none of the other emails', async () => {
    const code = await bundleOf('functions/remind-sites/index.ts');

    expect(code).toContain(TEMPLATE_TEXT.siteLeadReminder);
    expect(code).not.toContain(TEMPLATE_TEXT.siteLead);
    expect(code).not.toContain(TEMPLATE_TEXT.siteLeadMinimal);
    expect(code).not.toContain(TEMPLATE_TEXT.patientConfirmation);
  });

  it('the delivery function carries all four templates, since it sends every kind of message', async () => {
    const code = await bundleOf('functions/deliver-leads/index.ts');

    for (const text of Object.values(TEMPLATE_TEXT)) expect(code).toContain(text);
  });
});
