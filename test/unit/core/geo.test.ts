import { describe, expect, it } from '@jest/globals';
import { countryFromAnswer, countryFromRegistryName } from '#core/countries';
import { haversineKm, nearestRecruitingSite, patientLocationFromAnswers, recruitingSites } from '#core/geo';
import type { PatientLocation } from '#core/geo';
import { aSite, aTrial, PLACES } from '#test/factories/catalog';
import { adultWithChronicBackPain, aScreener } from '#test/factories/screener';

const inBaltimoreWithin50Miles: PatientLocation = { countryIso2: 'US', point: PLACES.baltimore, maxDistanceKm: 80.47 };

describe('countries', () => {
  it('maps every country the screener offers, except "Another country", to a registry name', () => {
    const offered = aScreener().questions.find((question) => question.id === 'country')!.options!;
    const unmapped = offered.filter((option) => option.value !== 'other' && countryFromAnswer(option.value) === undefined);
    expect(unmapped).toEqual([]);
  });

  it('reads the screener answer "us" as the United States', () => {
    expect(countryFromAnswer('us')).toEqual({ iso2: 'US', registryName: 'United States' });
  });

  it('reads the registry name "Russian Federation" as RU', () => {
    expect(countryFromRegistryName('Russian Federation')?.iso2).toBe('RU');
  });
});

describe('haversineKm', () => {
  it('measures Baltimore to New York as about 272 km', () => {
    expect(haversineKm(PLACES.baltimore, PLACES.newYork)).toBeCloseTo(272, -1);
  });

  it('measures a point to itself as zero', () => {
    expect(haversineKm(PLACES.oslo, PLACES.oslo)).toBe(0);
  });
});

describe('patientLocationFromAnswers', () => {
  it('takes the country and the travel distance from the answers and the point from the caller', () => {
    expect(patientLocationFromAnswers(adultWithChronicBackPain({ travel_distance: 'mi_10' }), PLACES.baltimore)).toEqual({
      countryIso2: 'US',
      point: PLACES.baltimore,
      maxDistanceKm: 16.09344,
    });
  });

  it('reads "Any distance" as no limit', () => {
    expect(patientLocationFromAnswers(adultWithChronicBackPain({ travel_distance: 'any' })).maxDistanceKm).toBeNull();
  });

  it('leaves the country out for "Another country"', () => {
    expect(patientLocationFromAnswers(adultWithChronicBackPain({ country: 'other', postal_code: undefined }))).not.toHaveProperty(
      'countryIso2',
    );
  });
});

describe('nearestRecruitingSite', () => {
  it('chooses the nearest site within reach', () => {
    const washington = aSite({ geo: PLACES.washington, city: 'Washington' });
    const baltimore = aSite({ geo: PLACES.baltimore });
    expect(nearestRecruitingSite(aTrial({ sites: [washington, baltimore] }), inBaltimoreWithin50Miles)?.siteId).toBe(
      baltimore.siteId,
    );
  });

  it('gives the distance in kilometres and miles', () => {
    const site = nearestRecruitingSite(aTrial({ sites: [aSite({ geo: PLACES.washington })] }), inBaltimoreWithin50Miles);
    expect(site).toMatchObject({ distanceKm: expect.closeTo(56, -1), distanceMiles: expect.closeTo(35, -1) });
  });

  it('finds no site near a patient when every site is beyond their travel distance', () => {
    expect(nearestRecruitingSite(aTrial({ sites: [aSite({ geo: PLACES.newYork })] }), inBaltimoreWithin50Miles)).toBeNull();
  });

  it('ignores sites that are not recruiting', () => {
    const closed = aSite({ status: 'COMPLETED' });
    expect(nearestRecruitingSite(aTrial({ sites: [closed] }), inBaltimoreWithin50Miles)).toBeNull();
  });

  it('falls back to a site in the same country when the patient could not be located', () => {
    const site = aSite({ geo: PLACES.chicago });
    const location: PatientLocation = { countryIso2: 'US', maxDistanceKm: 16 };
    expect(nearestRecruitingSite(aTrial({ sites: [site] }), location)).toMatchObject({ siteId: site.siteId });
  });

  it('gives no distance when it falls back to the same country', () => {
    const location: PatientLocation = { countryIso2: 'US', maxDistanceKm: 16 };
    expect(nearestRecruitingSite(aTrial({ sites: [aSite()] }), location)).not.toHaveProperty('distanceKm');
  });

  it('falls back to a site in the same country when the site has no coordinates', () => {
    const site = aSite({ geo: undefined });
    expect(nearestRecruitingSite(aTrial({ sites: [site] }), inBaltimoreWithin50Miles)?.siteId).toBe(site.siteId);
  });

  it('does not offer a site in another country without coordinates', () => {
    const site = aSite({ geo: undefined, country: 'Norway', city: 'Oslo' });
    expect(nearestRecruitingSite(aTrial({ sites: [site] }), inBaltimoreWithin50Miles)).toBeNull();
  });

  it('offers nothing within a limited distance to a patient whose country and place are unknown', () => {
    expect(nearestRecruitingSite(aTrial({ sites: [aSite()] }), { maxDistanceKm: 160 })).toBeNull();
  });

  it('offers any recruiting site to a patient who can travel any distance', () => {
    const oslo = aSite({ geo: PLACES.oslo, country: 'Norway', city: 'Oslo' });
    const location: PatientLocation = { countryIso2: 'US', point: PLACES.baltimore, maxDistanceKm: null };
    expect(nearestRecruitingSite(aTrial({ sites: [oslo] }), location)?.siteId).toBe(oslo.siteId);
  });

  it('prefers a site with a known distance to one without', () => {
    const unlocated = aSite({ geo: undefined });
    const newYork = aSite({ geo: PLACES.newYork, city: 'New York' });
    const location: PatientLocation = { countryIso2: 'US', point: PLACES.baltimore, maxDistanceKm: null };
    expect(nearestRecruitingSite(aTrial({ sites: [unlocated, newYork] }), location)?.siteId).toBe(newYork.siteId);
  });

  it("prefers a site in the patient's country when no distance is known", () => {
    const oslo = aSite({ geo: undefined, country: 'Norway', city: 'Oslo' });
    const baltimore = aSite({ geo: undefined });
    const location: PatientLocation = { countryIso2: 'US', maxDistanceKm: null };
    expect(nearestRecruitingSite(aTrial({ sites: [oslo, baltimore] }), location)?.siteId).toBe(baltimore.siteId);
  });

  it('prefers a site that can take a referral to a nearer one that cannot', () => {
    const noEmail = aSite({ contact: { name: 'Front desk', phone: '+1 410 555 0199' } });
    const washington = aSite({ geo: PLACES.washington });
    expect(nearestRecruitingSite(aTrial({ sites: [noEmail, washington] }), inBaltimoreWithin50Miles)?.siteId).toBe(
      washington.siteId,
    );
  });

  it("lets a site without an email take referrals through the study's central contact", () => {
    const trial = aTrial({ sites: [aSite({ contact: undefined })], centralContact: { email: 'study@example.org' } });
    expect(nearestRecruitingSite(trial, inBaltimoreWithin50Miles)?.acceptsReferrals).toBe(true);
  });

  it('says a site cannot take referrals when neither it nor the study has an email', () => {
    const trial = aTrial({ sites: [aSite({ contact: { phone: '+1 410 555 0199' } })], centralContact: { name: 'Study office' } });
    expect(nearestRecruitingSite(trial, inBaltimoreWithin50Miles)?.acceptsReferrals).toBe(false);
  });
});

describe('recruitingSites', () => {
  it('prepares only the recruiting sites, with their country code and whether they take referrals', () => {
    const oslo = aSite({ country: 'Norway', contact: { name: 'Kari', phone: '+47 22 00 00 00' } });
    const trial = aTrial({ sites: [aSite({ status: 'COMPLETED' }), oslo] });
    expect(recruitingSites(trial)).toEqual([{ site: oslo, countryIso2: 'NO', acceptsReferrals: false }]);
  });

  it('chooses the same site from prepared sites as from the trial', () => {
    const trial = aTrial({ sites: [aSite({ geo: PLACES.washington }), aSite({ geo: PLACES.baltimore })] });
    expect(nearestRecruitingSite(trial, inBaltimoreWithin50Miles, recruitingSites(trial))).toEqual(
      nearestRecruitingSite(trial, inBaltimoreWithin50Miles),
    );
  });
});
