import { describe, expect, it } from '@jest/globals';
import { loadEmailTemplates } from '#adapters/email-templates';
import { renderConfirmationEmail, renderSiteLeadEmail } from '#core/lead-email';
import { aConfirmation, aScreeningSummary, aSiteLead } from './factories';

// The shipped, operator-editable templates: read once, as the functions do at cold start.
const templates = loadEmailTemplates();

describe('the shipped site lead template', () => {
  it('names the trial and the site in the subject', () => {
    const email = renderSiteLeadEmail(aSiteLead(), templates.siteLead);

    expect(email.subject).toBe('New referral for NCT01234567 (Exercise for chronic lower back pain) at Boston Spine Center');
  });

  it('shows each qualifying question with its answer in both bodies', () => {
    const email = renderSiteLeadEmail(aSiteLead(), templates.siteLead);

    for (const body of [email.text, email.html]) {
      expect(body).toContain('How long have you had this back pain?');
      expect(body).toContain('16 weeks');
    }
  });

  it('shows the criteria met, the patient contact details and the lead id', () => {
    const email = renderSiteLeadEmail(aSiteLead(), templates.siteLead);

    expect(email.text).toContain('Has had lower back pain for more than 12 weeks');
    expect(email.text).toContain('pat@example.org');
    expect(email.text).toContain('+1 617 555 0100');
    expect(email.text).toContain('Lead id: lead-1');
  });

  it('states when and to which consent text version the patient agreed', () => {
    const email = renderSiteLeadEmail(aSiteLead(), templates.siteLead);

    expect(email.text).toContain('On 2026-11-26 09:29 UTC the patient agreed');
    expect(email.text).toContain('consent text version consent-v1');
  });

  it('tells the site when the patient did not agree to phone calls', () => {
    const lead = aSiteLead({
      consent: { shareWithSites: true, phoneContact: false, textVersion: 'v1', acceptedAt: '2026-11-26T09:29:00.000Z' },
    });

    const email = renderSiteLeadEmail(lead, templates.siteLead);

    expect(email.text).toContain('Phone contact: not agreed, please use email.');
  });

  it('carries no phone number at all when the patient declined calls', () => {
    const lead = aSiteLead({
      consent: { shareWithSites: true, phoneContact: false, textVersion: 'v1', acceptedAt: '2026-11-26T09:29:00.000Z' },
    });

    const email = renderSiteLeadEmail(lead, templates.siteLead);

    for (const body of [email.text, email.html]) expect(body).not.toContain('617 555 0100');
  });

  it('says whether the patient is eligible or possibly eligible, with what the form could not decide', () => {
    const email = renderSiteLeadEmail(aSiteLead({ screening: aScreeningSummary() }), templates.siteLead);

    for (const body of [email.text, email.html]) {
      expect(body).toContain('Possibly eligible: some criteria could not be decided from the form');
      expect(body).toContain('You are not pregnant or breastfeeding.');
    }
  });

  it('lists what is left to the study team', () => {
    const email = renderSiteLeadEmail(aSiteLead({ screening: aScreeningSummary() }), templates.siteLead);

    for (const body of [email.text, email.html]) expect(body).toContain('Your blood test results.');
  });

  it("gives the patient's postal area, the registry record date and the screener version", () => {
    const email = renderSiteLeadEmail(aSiteLead({ screening: aScreeningSummary() }), templates.siteLead);

    for (const body of [email.text, email.html]) {
      expect(body).toContain("Patient's area: ZIP 021xx");
      expect(body).toContain('Registry record of 2026-06-01; screener version 2026-12-01.3.');
    }
  });

  it('never lets a hostile name become markup in the HTML body', () => {
    const lead = aSiteLead({ contact: { name: '<script>alert(1)</script>', email: 'pat@example.org' } });

    const email = renderSiteLeadEmail(lead, templates.siteLead);

    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('escapes markup in answers and criteria too', () => {
    const lead = aSiteLead({
      qualifyingAnswers: [{ question: 'Q?', answer: '<img src=x onerror=alert(1)>' }],
      criteriaMet: ['<b>bold</b>'],
    });

    const email = renderSiteLeadEmail(lead, templates.siteLead);

    expect(email.html).not.toMatch(/<img|<b>/);
  });

  it('keeps a name with a forged header on a single line of the text body', () => {
    const lead = aSiteLead({ contact: { name: 'Eve\r\nBcc: x@y', email: 'pat@example.org' } });

    const email = renderSiteLeadEmail(lead, templates.siteLead);

    expect(email.text).toContain('Name:    Eve Bcc: x@y');
    expect(email.text).not.toMatch(/^Bcc:/m);
  });
});

describe('the shipped patient confirmation template', () => {
  it('lists every trial and site that will contact the patient', () => {
    const email = renderConfirmationEmail(aConfirmation(), templates.patientConfirmation, 'https://screener.example');

    expect(email.subject).toBe('Your request to be contacted about 2 research studies');
    expect(email.text).toContain('Exercise for chronic lower back pain');
    expect(email.text).toContain('Oslo University Hospital, Oslo, Norway');
  });

  it('links to the form with the screening id and token in the fragment, in both bodies', () => {
    const email = renderConfirmationEmail(aConfirmation(), templates.patientConfirmation, 'https://screener.example');

    expect(email.text).toContain('https://screener.example/#erase=screening-1.tok_EN-123');
    expect(email.html).toContain('href="https://screener.example/#erase&#x3D;screening-1.tok_EN-123"');
  });

  it('offers erasure by reply only, with no link, once the confirmation has no token', () => {
    const confirmation = aConfirmation({ screeningToken: undefined });

    const email = renderConfirmationEmail(confirmation, templates.patientConfirmation, 'https://screener.example');

    expect(email.text).not.toContain('#erase');
    expect(email.html).not.toContain('#erase');
    expect(email.text).toContain('reply to this email quoting your\nreference, screening-1');
  });

  it('gives the patient a reference to quote when asking for erasure by reply', () => {
    const email = renderConfirmationEmail(aConfirmation(), templates.patientConfirmation, 'https://screener.example');

    expect(email.text).toContain('reply to this email quoting your reference, screening-1');
  });

  it('uses the singular for a referral to one study', () => {
    const confirmation = aConfirmation({ leads: aConfirmation().leads.slice(0, 1) });

    const email = renderConfirmationEmail(confirmation, templates.patientConfirmation, 'https://screener.example');

    expect(email.subject).toBe('Your request to be contacted about a research study');
  });
});
