import { describe, expect, it } from '@jest/globals';
import { submitScreening } from '#app/submit-screening';
import type { Trial } from '#core/model';
import { aTrial, PLACES } from '#test/factories/catalog';
import { catalogStore, geocoder, InMemoryScreenings, screenerStore, freshToday, sequentialTokens } from '#test/factories/ports';
import { adultWithChronicBackPain, aScreener } from '#test/factories/screener';
import { refusalOf } from './refusal';

const screener = aScreener();

function aSubmission(options: { trials?: Trial[]; catalogLoaded?: boolean } = {}) {
  const screenings = new InMemoryScreenings();
  const catalogs = catalogStore(options.catalogLoaded === false ? {} : { 'catalog-1': options.trials ?? [aTrial()] });
  const postalCodes = geocoder({ '21205': PLACES.baltimore });
  const submit = submitScreening({
    screeners: screenerStore(screener),
    catalogs,
    screenings,
    idempotency: screenings,
    geocoder: postalCodes,
    tokens: sequentialTokens(),
    ...freshToday,
  });
  return { submit, screenings, catalogs, postalCodes };
}

describe('submitScreening', () => {
  it('stores the screening with its matched trials and returns it with a fresh token', async () => {
    const trial = aTrial();
    const { submit, screenings } = aSubmission({ trials: [trial] });

    const saved = await submit({ screenerId: screener.id, answers: adultWithChronicBackPain() });

    expect(saved).toMatchObject({
      token: 'token-1',
      replayed: false,
      screening: { outcome: 'matches', catalogVersion: 'catalog-1' },
    });
    expect(saved.screening.results.map((result) => [result.trialId, result.eligibility])).toEqual([[trial.nctId, 'eligible']]);
    expect(screenings.screenings.get(saved.screening.screeningId)?.record).toEqual(saved.screening);
  });

  it("measures distance from the patient's postal code", async () => {
    const { submit, postalCodes } = aSubmission();

    const saved = await submit({ screenerId: screener.id, answers: adultWithChronicBackPain() });

    expect(postalCodes.lookups).toEqual(['us:21205']);
    expect(saved.screening.results[0]?.nearestSite?.distanceKm).toBeLessThan(5);
  });

  it('answers urgent care for a red flag without locating the patient or matching any trial', async () => {
    const { submit, postalCodes } = aSubmission();

    const saved = await submit({ screenerId: screener.id, answers: adultWithChronicBackPain({ rf_saddle_numbness: true }) });

    expect(saved.screening).toMatchObject({ outcome: 'urgent_care', redFlags: ['rf_saddle_numbness'], results: [] });
    expect(postalCodes.lookups).toEqual([]);
  });

  it("stores the urgent-care answer with only the patient's own country's numbers", async () => {
    const { submit } = aSubmission();

    const saved = await submit({
      screenerId: screener.id,
      answers: { diagnosed_lbp: true, took_medication: false, country: 'no', rf_incontinence: true },
    });

    expect(saved.screening.urgentCare?.numbers.emergency).toEqual([{ number: '113', dial: '113' }]);
    expect(saved.screening.medicalAdvice).toBeUndefined();
  });

  it('matches trials and stores the see-a-doctor-soon advice with them for a history of cancer', async () => {
    const { submit, screenings } = aSubmission();

    const saved = await submit({ screenerId: screener.id, answers: adultWithChronicBackPain({ sd_cancer: true }) });

    expect(saved.screening.outcome).toBe('matches');
    expect(saved.screening.medicalAdvice).toEqual({
      level: 'see_doctor_soon',
      message: expect.stringContaining('in the next few days'),
      reasons: [{ questionId: 'sd_cancer', text: 'You have had cancer.' }],
    });
    expect(screenings.screenings.get(saved.screening.screeningId)?.record.medicalAdvice).toEqual(saved.screening.medicalAdvice);
    expect(saved.screening.urgentCare).toBeUndefined();
  });

  it('answers urgent care even before any catalog was loaded', async () => {
    const { submit } = aSubmission({ catalogLoaded: false });

    const saved = await submit({ screenerId: screener.id, answers: adultWithChronicBackPain({ rf_saddle_numbness: true }) });

    expect(saved.screening).toMatchObject({ outcome: 'urgent_care', catalogVersion: 'none' });
  });

  it('refuses to match trials before any catalog was loaded', async () => {
    const { submit } = aSubmission({ catalogLoaded: false });

    expect((await refusalOf(submit({ screenerId: screener.id, answers: adultWithChronicBackPain() }))).code).toBe(
      'CATALOG_NOT_LOADED',
    );
  });

  it('refuses an unknown screener', async () => {
    const { submit } = aSubmission();

    expect((await refusalOf(submit({ screenerId: 'no-such-screener', answers: {} }))).code).toBe('SCREENER_NOT_FOUND');
  });

  it('refuses answers the screener does not accept, naming each answer, and stores nothing', async () => {
    const { submit, screenings } = aSubmission();

    const refusal = await refusalOf(submit({ screenerId: screener.id, answers: adultWithChronicBackPain({ age: 'forty' }) }));

    expect(refusal.code).toBe('INVALID_ANSWERS');
    expect(refusal.details?.map((detail) => detail.path)).toContainEqual(['answers', 'age']);
    expect(screenings.screenings.size).toBe(0);
  });

  it('returns the first screening and token when a request is replayed with its Idempotency-Key', async () => {
    const { submit, screenings } = aSubmission();
    const request = { screenerId: screener.id, answers: adultWithChronicBackPain() };

    const first = await submit(request, 'key-0000001');
    const replay = await submit(request, 'key-0000001');

    expect(replay).toMatchObject({ replayed: true, token: first.token, screening: first.screening });
    expect(screenings.screenings.size).toBe(1);
  });

  it('refuses an Idempotency-Key reused with different answers', async () => {
    const { submit } = aSubmission();
    await submit({ screenerId: screener.id, answers: adultWithChronicBackPain() }, 'key-0000001');

    const refusal = await refusalOf(
      submit({ screenerId: screener.id, answers: adultWithChronicBackPain({ age: 50 }) }, 'key-0000001'),
    );

    expect(refusal.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });
});
