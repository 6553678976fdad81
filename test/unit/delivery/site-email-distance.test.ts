import { describe, expect, it } from '@jest/globals';
import { loadEmailTemplates } from '#adapters/email-templates';
import { renderSiteLeadEmail } from '#core/lead-email';
import { describePatientDistance } from '#core/referral';
import { aSiteLead } from './factories';

const templates = loadEmailTemplates();

describe("the patient's distance in the site email", () => {
  it('says the distance is unknown when it could not be computed', () => {
    const email = renderSiteLeadEmail(aSiteLead({ patientDistance: describePatientDistance({}) }), templates.siteLead);

    for (const body of [email.text, email.html]) expect(body).toContain('Distance from the patient: unknown');
  });

  it('gives the straight-line distance when it is known', () => {
    const email = renderSiteLeadEmail(
      aSiteLead({ patientDistance: describePatientDistance({ distanceKm: 19.3, distanceMiles: 12 }) }),
      templates.siteLead,
    );

    expect(email.text).toContain('Distance from the patient: about 12 miles (19 km) in a straight line');
  });
});
