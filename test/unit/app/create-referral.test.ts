import { describe, expect, it } from '@jest/globals';
import { createReferral, type CreateReferralRequest } from '#app/create-referral';
import type { Answers } from '#core/model';
import { aTrial } from '#test/factories/catalog';
import { aSubmittedScreening, catalogStore, freshToday, simplePhoneNumbers } from '#test/factories/ports';
import { adultWithChronicBackPain, aScreener } from '#test/factories/screener';
import { refusalOf } from './refusal';

const screener = aScreener();
const trial = aTrial();

/** A stored screening of `answers`, and the create-referral use case over the same stores. */
async function aScreening(answers: Answers = adultWithChronicBackPain(), options: { catalogKept?: boolean } = {}) {
  const { stores, screenings, screeningId, token } = await aSubmittedScreening(screener, [trial], answers);
  const refer = createReferral({
    ...stores,
    catalogs: options.catalogKept === false ? catalogStore({ 'catalog-2': [trial] }) : stores.catalogs,
    phoneNumbers: simplePhoneNumbers,
    ...freshToday,
  });
  return { refer, screenings, screeningId, token };
}

function aReferralRequest(overrides: Partial<CreateReferralRequest> = {}): CreateReferralRequest {
  return {
    trialIds: [trial.nctId],
    contact: { name: 'Alex Example', email: 'alex@example.org' },
    consent: { shareWithSites: true, phoneContact: false, textVersion: screener.consent.version },
    ...overrides,
  };
}

describe('createReferral', () => {
  it('creates one pending lead for the chosen trial at the site the screening matched', async () => {
    const { refer, screeningId, token } = await aScreening();

    const referral = await refer(screeningId, token, aReferralRequest());

    expect(referral.leads).toEqual([
      expect.objectContaining({ trialId: trial.nctId, siteId: trial.sites[0]!.siteId, status: 'PENDING' }),
    ]);
  });

  it('stores the phone number in E.164 with the consent given', async () => {
    const { refer, screenings, screeningId, token } = await aScreening();

    await refer(
      screeningId,
      token,
      aReferralRequest({
        contact: { name: 'Alex Example', email: 'alex@example.org', phone: '(410) 555-0100' },
        consent: { shareWithSites: true, phoneContact: true, textVersion: screener.consent.version },
      }),
    );

    const stored = screenings.referrals.get(screeningId)?.input;
    expect(stored?.contact.phone).toBe('+14105550100');
    expect(stored?.consent).toEqual({ phoneContact: true, textVersion: screener.consent.version });
  });

  it('refuses a referral for an urgent-care screening and stores nothing', async () => {
    const { refer, screenings, screeningId, token } = await aScreening(adultWithChronicBackPain({ rf_saddle_numbness: true }));

    expect((await refusalOf(refer(screeningId, token, aReferralRequest()))).code).toBe('REFERRAL_NOT_ALLOWED');
    expect(screenings.referrals.size).toBe(0);
  });

  it('refuses a second referral of the same screening', async () => {
    const { refer, screeningId, token } = await aScreening();
    await refer(screeningId, token, aReferralRequest());

    expect((await refusalOf(refer(screeningId, token, aReferralRequest()))).code).toBe('REFERRAL_EXISTS');
  });

  it('refuses a wrong token as it refuses an unknown screening', async () => {
    const { refer, screeningId } = await aScreening();

    expect((await refusalOf(refer(screeningId, 'not-the-token', aReferralRequest()))).code).toBe('TOKEN_INVALID');
    expect((await refusalOf(refer('no-such-screening', 'token-1', aReferralRequest()))).code).toBe('TOKEN_INVALID');
  });

  it('refuses consent given to an earlier consent text', async () => {
    const { refer, screeningId, token } = await aScreening();
    const request = aReferralRequest({ consent: { shareWithSites: true, phoneContact: false, textVersion: 'consent-old' } });

    expect((await refusalOf(refer(screeningId, token, request))).code).toBe('CONSENT_TEXT_OUTDATED');
  });

  it('refuses phone contact without a phone number', async () => {
    const { refer, screeningId, token } = await aScreening();
    const request = aReferralRequest({
      consent: { shareWithSites: true, phoneContact: true, textVersion: screener.consent.version },
    });

    const refusal = await refusalOf(refer(screeningId, token, request));

    expect(refusal.code).toBe('INVALID_CONTACT');
    expect(refusal.details?.[0]?.path).toEqual(['contact', 'phone']);
  });

  it('refuses a phone number that is not one', async () => {
    const { refer, screeningId, token } = await aScreening();
    const request = aReferralRequest({ contact: { name: 'Alex Example', email: 'alex@example.org', phone: '12' } });

    expect((await refusalOf(refer(screeningId, token, request))).code).toBe('INVALID_CONTACT');
  });

  it('refuses when the catalog the screening was checked against is gone', async () => {
    const { refer, screeningId, token } = await aScreening(adultWithChronicBackPain(), { catalogKept: false });

    expect((await refusalOf(refer(screeningId, token, aReferralRequest()))).code).toBe('TRIAL_NOT_REFERABLE');
  });
});
