import { describe, expect, it } from '@jest/globals';
import { compileEmailTemplate } from '#core/email-template-compiler';
import { renderConfirmationEmail, renderSiteLeadEmail, UnsafeEmailError } from '#core/lead-email';
import { aConfirmation, aSiteLead } from './factories';

const minimalTemplate = compileEmailTemplate({
  subject: '{{trial.nctId}} at {{site.facility}}\n',
  text: 'Patient: {{patient.name}}\n',
  html: '<p>{{patient.name}}</p>',
});

describe('renderSiteLeadEmail', () => {
  it('addresses the lead to its recipient with Reply-To the patient', () => {
    const email = renderSiteLeadEmail(aSiteLead(), minimalTemplate);

    expect(email).toMatchObject({ to: 'coordinator@site.example', replyTo: ['pat@example.org'] });
  });

  it('renders the subject as one trimmed line from the template', () => {
    const email = renderSiteLeadEmail(aSiteLead(), minimalTemplate);

    expect(email.subject).toBe('NCT01234567 at Boston Spine Center');
  });

  it('escapes markup in patient input in the HTML body', () => {
    const email = renderSiteLeadEmail(
      aSiteLead({ contact: { name: '<script>alert(1)</script>', email: 'pat@example.org' } }),
      minimalTemplate,
    );

    expect(email.html).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
  });

  it('keeps a name with line breaks on one line of the text body', () => {
    const email = renderSiteLeadEmail(
      aSiteLead({ contact: { name: 'Eve\r\nBcc: x@y', email: 'pat@example.org' } }),
      minimalTemplate,
    );

    expect(email.text).toBe('Patient: Eve Bcc: x@y\n');
  });

  it('refuses a patient email address that would add a header line', () => {
    const lead = aSiteLead({ contact: { name: 'Eve', email: 'eve@example.org\r\nBcc: x@y.example' } });

    expect(() => renderSiteLeadEmail(lead, minimalTemplate)).toThrow(UnsafeEmailError);
  });

  it('refuses a recipient that is a list of addresses', () => {
    const lead = aSiteLead({ recipient: { email: 'a@site.example, b@site.example' } });

    expect(() => renderSiteLeadEmail(lead, minimalTemplate)).toThrow(UnsafeEmailError);
  });

  it('refuses a template whose subject renders with a line break', () => {
    const template = compileEmailTemplate({ subject: 'Lead{{#each criteriaMet}}\n{{this}}{{/each}}', text: '', html: '' });

    expect(() => renderSiteLeadEmail(aSiteLead(), template)).toThrow(UnsafeEmailError);
  });

  it('names the refused field, never its value, in the error', () => {
    const lead = aSiteLead({ contact: { name: 'Eve', email: 'not an address' } });

    expect(() => renderSiteLeadEmail(lead, minimalTemplate)).toThrow(/patient email/);
    expect(() => renderSiteLeadEmail(lead, minimalTemplate)).not.toThrow(/not an address/);
  });
});

describe('renderConfirmationEmail', () => {
  const listTemplate = compileEmailTemplate({
    subject: '{{studyCount}} studies',
    text: '{{#each leads}}{{trialTitle}} / {{facility}} / {{location}}\n{{/each}}{{erasureUrl}}',
    html: '',
  });

  it('sends the confirmation to the patient without a Reply-To', () => {
    const email = renderConfirmationEmail(aConfirmation(), listTemplate, 'https://screener.example');

    expect(email).toMatchObject({ to: 'pat@example.org', replyTo: [] });
  });

  it('lists every trial and site that will be in touch, and the erasure link', () => {
    const email = renderConfirmationEmail(aConfirmation(), listTemplate, 'https://screener.example');

    expect(email.text).toBe(
      'Exercise for chronic lower back pain / Boston Spine Center / Boston, United States\n' +
        'Heat therapy for sciatica / Oslo University Hospital / Oslo, Norway\n' +
        'https://screener.example/#erase=screening-1.tok_EN-123',
    );
  });

  it('puts the screening id and token in the fragment of the erasure link, never in the path or query', () => {
    const email = renderConfirmationEmail(
      aConfirmation(),
      listTemplate,
      'https://screener.example/app/?screener=lower-back-pain',
    );

    const link = new URL(email.text.split('\n').at(-1)!);
    expect(link.pathname + link.search).toBe('/app/?screener=lower-back-pain');
    expect(link.hash).toBe('#erase=screening-1.tok_EN-123');
  });

  it('leaves the erasure link empty when the confirmation no longer carries the token', () => {
    const email = renderConfirmationEmail(aConfirmation({ screeningToken: undefined }), listTemplate, 'https://screener.example');

    expect(email.text).not.toContain('erase');
  });

  it('escapes the erasure link in an HTML attribute', () => {
    const template = compileEmailTemplate({ subject: 's', text: '', html: '<a href="{{erasureUrl}}">erase</a>' });

    const email = renderConfirmationEmail(aConfirmation({ screeningToken: 'a"b<c' }), template, 'https://screener.example');

    expect(email.html).not.toContain('a"b');
    expect(email.html).not.toContain('<c');
  });
});
