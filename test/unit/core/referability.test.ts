import { describe, expect, it } from '@jest/globals';
import { decideReferability } from '#core/referability';
import type { SiteSummary } from '#core/model';

const site = (overrides: Partial<SiteSummary> = {}): SiteSummary => ({
  siteId: 'site-1',
  facility: 'Spine Research Clinic',
  country: 'United States',
  acceptsReferrals: true,
  ...overrides,
});

describe('decideReferability', () => {
  it('makes an eligible trial with a site that takes referrals referable', () => {
    expect(decideReferability({ trial: {}, eligibility: 'eligible', nearestSite: site() })).toEqual({ referable: true });
  });

  it('makes a possibly eligible trial referable: the study team decides what the form left unknown', () => {
    expect(decideReferability({ trial: {}, eligibility: 'possibly_eligible', nearestSite: site() }).referable).toBe(true);
  });

  it('refuses an ineligible trial first, whatever else is true of it', () => {
    const decided = decideReferability({
      trial: { onSiteOnly: 'Only in its emergency department.' },
      eligibility: 'ineligible',
      nearestSite: null,
    });
    expect(decided).toEqual({ referable: false, notReferableReason: { code: 'INELIGIBLE', message: expect.any(String) } });
  });

  it("refuses a trial that enrols only on site, with the trial's own reason", () => {
    const decided = decideReferability({
      trial: { onSiteOnly: 'Only in its emergency department.' },
      eligibility: 'eligible',
      nearestSite: site(),
    });
    expect(decided).toEqual({
      referable: false,
      notReferableReason: { code: 'ON_SITE_ONLY', message: 'Only in its emergency department.' },
    });
  });

  it('refuses a trial with no recruiting site within reach', () => {
    const decided = decideReferability({ trial: {}, eligibility: 'eligible', nearestSite: null });
    expect(decided).toMatchObject({ referable: false, notReferableReason: { code: 'NO_SITE_IN_REACH' } });
  });

  it('refuses a trial whose nearest site and study have no email for leads', () => {
    const decided = decideReferability({ trial: {}, eligibility: 'eligible', nearestSite: site({ acceptsReferrals: false }) });
    expect(decided).toMatchObject({ referable: false, notReferableReason: { code: 'NO_SITE_CONTACT' } });
  });
});
