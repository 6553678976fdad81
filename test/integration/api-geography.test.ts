/**
 * Honest geography through the real submit-screening handler: postal codes checked per country,
 * and a distance that cannot be computed never called near.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { PLACES, aSite, aTrial } from '#test/factories/catalog';
import { aScreener, adultWithChronicBackPain, type AnswerOverrides } from '#test/factories/screener';
import { startTestApi, type TestApi } from '#test/setup/api';

describe('postal codes and distances in POST /screenings', () => {
  let api: TestApi;
  const osloTrial = aTrial({
    title: 'Sacroiliac joint fusion',
    sites: [
      aSite({
        facility: 'Oslo University Hospital',
        city: 'Oslo',
        state: undefined,
        postalCode: '0424',
        country: 'Norway',
        geo: PLACES.oslo,
      }),
    ],
  });
  const chicagoTrial = aTrial({
    title: 'D-cycloserine for back pain',
    sites: [aSite({ facility: 'Northwestern', city: 'Chicago', state: 'Illinois', postalCode: '60611', geo: PLACES.chicago })],
  });

  beforeAll(async () => {
    api = await startTestApi({ screeners: [aScreener()], trials: [osloTrial, chicagoTrial] });
  });

  const submit = (overrides: AnswerOverrides) =>
    api.request('POST', '/screenings', { body: { screenerId: 'lower-back-pain', answers: adultWithChronicBackPain(overrides) } });

  it('refuses the ZIP code 00000 with a clear message at answers.postal_code, and stores nothing', async () => {
    const before = (await api.itemsOf('SCREENING')).length;

    const response = await submit({ postal_code: '00000' });

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('INVALID_ANSWERS');
    expect(response.body.error.details).toEqual([
      { path: ['answers', 'postal_code'], message: 'This is not a postal code in United States.' },
    ]);
    expect((await api.itemsOf('SCREENING')).length).toBe(before);
  });

  it('refuses a well-formed ZIP code that no place has', async () => {
    const response = await submit({ postal_code: '00001' });

    expect(response.status).toBe(400);
    expect(response.body.error.details[0].message).toBe('We could not find this postal code in United States. Please check it.');
  });

  it('refuses a postal code in the wrong format for the country', async () => {
    const response = await submit({ country: 'no', postal_code: '90210-1234' });

    expect(response.status).toBe(400);
    expect(response.body.error.details[0]).toEqual({
      path: ['answers', 'postal_code'],
      message: 'This is not a postal code in Norway.',
    });
  });

  it('does not tell a patient in Tromsø willing to travel 10 miles that a site in Oslo is near', async () => {
    const response = await submit({ country: 'no', postal_code: '9008', travel_distance: 'mi_10' });

    expect(response.status).toBe(201);
    // 9008 is located at its post town (Tromsø), 1,150 km from Oslo: no site within 10 miles.
    const oslo = response.body.results.find((r: { trialId: string }) => r.trialId === osloTrial.nctId);
    expect(oslo.nearestSite).toBeNull();
  });

  it('shows a site of unknown distance as such, never as near, when the postal code has no coordinates', async () => {
    // Sandvika's codes have no point in the Norwegian dataset (its post town is not a GeoNames town).
    const response = await submit({ country: 'no', postal_code: '1300', travel_distance: 'mi_10' });

    expect(response.status).toBe(201);
    const oslo = response.body.results.find((r: { trialId: string }) => r.trialId === osloTrial.nctId);
    expect(oslo.nearestSite).toMatchObject({ city: 'Oslo', reach: 'distance_unknown' });
    expect(oslo.nearestSite.distanceKm).toBeUndefined();
  });

  it('accepts a Norwegian postal code that is not in the partial dataset', async () => {
    expect((await submit({ country: 'no', postal_code: '1300' })).status).toBe(201);
  });

  it('does not match a patient in Baltimore travelling 10 miles to a site in Chicago, 1,000 km away', async () => {
    const response = await submit({ postal_code: '21205', travel_distance: 'mi_10' });

    const chicago = response.body.results.find((r: { trialId: string }) => r.trialId === chicagoTrial.nctId);
    expect(chicago.nearestSite).toBeNull();
  });
});
