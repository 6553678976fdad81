import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { loadEmailTemplates } from '#adapters/email-templates';
import { compileEmailTemplate } from '#core/email-template-compiler';
import { type EmailTemplates, renderConfirmationEmail, renderSiteLeadEmail } from '#core/lead-email';
import {
  EMAIL_TEMPLATE_FILES,
  EMAIL_TEMPLATES_MODULE,
  readEmailTemplateSource,
  renderEmailTemplatesModule,
} from '../../../scripts/email-templates';
import { aConfirmation, aScreeningSummary, aSiteLead } from './factories';

const precompiled = loadEmailTemplates();
const compiled = (key: keyof EmailTemplates) => compileEmailTemplate(readEmailTemplateSource(key));
const LEAD_PAGE = 'https://leads.example.org/site/leads/L1#t=abc';
const hostileLead = aSiteLead({
  contact: { name: '<b>Eve</b> & "Mallory"', email: 'eve@example.org', phone: '+1 617 555 0100' },
  qualifyingAnswers: [{ question: 'Pain <i>level</i>?', answer: "7 > 5 & 'bad'" }],
  screening: aScreeningSummary({ eligibility: 'possibly_eligible', criteriaUnknown: ['Age {{x}}'] }),
});

describe('the precompiled email templates', () => {
  it('are current in functions/adapters/email-templates.generated.ts (run `npm run templates` after editing a template)', () => {
    expect(readFileSync(EMAIL_TEMPLATES_MODULE, 'utf8')).toBe(renderEmailTemplatesModule());
  });

  it('cover every template file pair in templates/email/', () => {
    expect(Object.keys(precompiled).sort()).toEqual(Object.keys(EMAIL_TEMPLATE_FILES).sort());
  });

  it.each([
    ['siteLead', 'full'],
    ['siteLeadMinimal', 'minimal'],
    ['siteLeadReminder', 'minimal'],
  ] as const)('render the %s email exactly as the template files compiled at run time would', (key, mode) => {
    for (const lead of [aSiteLead(), aSiteLead({ screening: aScreeningSummary() }), hostileLead]) {
      const options = { mode, leadPageUrl: LEAD_PAGE };

      expect(renderSiteLeadEmail(lead, precompiled[key], options)).toEqual(renderSiteLeadEmail(lead, compiled(key), options));
    }
  });

  it('render the patient confirmation exactly as the template files compiled at run time would', () => {
    const confirmations = [
      aConfirmation(),
      aConfirmation({ screeningToken: undefined }),
      aConfirmation({ contact: { name: '<script>x</script>', email: 'pat@example.org' } }),
    ];
    for (const confirmation of confirmations) {
      expect(renderConfirmationEmail(confirmation, precompiled.patientConfirmation, 'https://app.example.org/')).toEqual(
        renderConfirmationEmail(confirmation, compiled('patientConfirmation'), 'https://app.example.org/'),
      );
    }
  });

  it('escape patient input in the HTML body and leave the text body and subject unescaped', () => {
    const email = renderSiteLeadEmail(hostileLead, precompiled.siteLead);

    expect(email.html).toContain('&lt;b&gt;Eve&lt;/b&gt; &amp; &quot;Mallory&quot;');
    expect(email.html).not.toContain('<b>Eve</b>');
    expect(email.text).toContain('<b>Eve</b> & "Mallory"');
  });
});
