import { describe, expect, it } from '@jest/globals';
import { createReferral } from '#app/create-referral';
import { eraseScreening } from '#app/erase-screening';
import { getScreener } from '#app/get-screener';
import { getScreening } from '#app/get-screening';
import { aTrial } from '#test/factories/catalog';
import { aSubmittedScreening, freshToday, screenerStore, simplePhoneNumbers } from '#test/factories/ports';
import { adultWithChronicBackPain, aScreener } from '#test/factories/screener';
import { refusalOf } from './refusal';

const screener = aScreener();
const trial = aTrial();

async function aStoredScreening() {
  const { stores, screeningId, token } = await aSubmittedScreening(screener, [trial], adultWithChronicBackPain());
  const refer = () =>
    createReferral({ ...stores, phoneNumbers: simplePhoneNumbers, ...freshToday })(screeningId, token, {
      trialIds: [trial.nctId],
      contact: { name: 'Alex Example', email: 'alex@example.org' },
      consent: { shareWithSites: true, phoneContact: false, textVersion: screener.consent.version },
    });
  return { screeningId, token, get: getScreening(stores), erase: eraseScreening(stores), refer };
}

describe('getScreening', () => {
  it('returns the results of a screening not yet referred, without a referral', async () => {
    const { get, screeningId, token } = await aStoredScreening();

    const found = await get(screeningId, token);

    expect(found.screening.results.map((result) => result.trialId)).toEqual([trial.nctId]);
    expect(found).not.toHaveProperty('referral');
  });

  it("returns each lead's delivery status once referred", async () => {
    const { get, refer, screeningId, token } = await aStoredScreening();
    await refer();

    expect((await get(screeningId, token)).referral?.leads.map((lead) => lead.status)).toEqual(['PENDING']);
  });

  it('refuses a wrong token', async () => {
    const { get, screeningId } = await aStoredScreening();

    expect((await refusalOf(get(screeningId, 'not-the-token'))).code).toBe('TOKEN_INVALID');
  });
});

describe('eraseScreening', () => {
  it('erases the screening so that its token no longer opens it', async () => {
    const { get, erase, screeningId, token } = await aStoredScreening();

    await erase(screeningId, token);

    expect((await refusalOf(get(screeningId, token))).code).toBe('TOKEN_INVALID');
  });

  it('refuses a wrong token and erases nothing', async () => {
    const { get, erase, screeningId, token } = await aStoredScreening();

    expect((await refusalOf(erase(screeningId, 'not-the-token'))).code).toBe('TOKEN_INVALID');
    expect((await get(screeningId, token)).screening.screeningId).toBe(screeningId);
  });
});

describe('getScreener', () => {
  it('refuses an unknown screener', async () => {
    expect((await refusalOf(getScreener({ screeners: screenerStore(screener) })('no-such-screener'))).code).toBe(
      'SCREENER_NOT_FOUND',
    );
  });

  it('returns a known screener', async () => {
    expect((await getScreener({ screeners: screenerStore(screener) })(screener.id)).consent.version).toBe(
      screener.consent.version,
    );
  });
});
