import { beforeAll, describe, expect, it } from '@jest/globals';
import { aCriterion, aSite, aTrial } from '#test/factories/catalog';
import { aScreener, adultWithChronicBackPain } from '#test/factories/screener';
import { startTestApi, type TestApi } from '#test/setup/api';
import { LEAD_HEALTH_SUMMARY_ATTRIBUTE, LeadItemContent, storedLeadFields } from '#adapters/outbox-repository';

const SCREENER_ID = 'lower-back-pain';
const CONSENT_VERSION = aScreener().consent.version;

describe('POST /screenings/{screeningId}/referrals', () => {
  let api: TestApi;
  const chronicPainTrial = aTrial({
    title: 'Exercise for chronic lower back pain',
    criteria: [aCriterion({ rule: { '>=': [{ var: 'pain_duration' }, 12] } })],
  });
  const secondTrial = aTrial({ title: 'Yoga for lower back pain', sites: [aSite({ facility: 'Harbor Spine Center' })] });
  const seniorsOnlyTrial = aTrial({
    title: 'Back pain in older adults',
    eligibility: { minAgeYears: 65, maxAgeYears: null, sex: 'ALL', healthyVolunteers: false },
  });

  beforeAll(async () => {
    api = await startTestApi({ screeners: [aScreener()], trials: [chronicPainTrial, secondTrial, seniorsOnlyTrial] });
  });

  async function aScreening(answers = adultWithChronicBackPain()): Promise<{ screeningId: string; token: string }> {
    const response = await api.request('POST', '/screenings', { body: { screenerId: SCREENER_ID, answers } });
    expect(response.status).toBe(201);
    return { screeningId: response.body.screeningId, token: response.body.token };
  }

  function aReferral(overrides: Record<string, unknown> = {}) {
    return {
      trialIds: [chronicPainTrial.nctId],
      contact: { name: 'Alex Patient', email: 'alex.patient@example.com', phone: '(410) 555-0199' },
      consent: { shareWithSites: true, phoneContact: true, textVersion: CONSENT_VERSION },
      ...overrides,
    };
  }

  const refer = (screening: { screeningId: string; token?: string }, body: unknown) =>
    api.request('POST', `/screenings/${screening.screeningId}/referrals`, {
      body,
      ...(screening.token !== undefined ? { token: screening.token } : {}),
    });

  /** Sends a referral that must be refused; returns the response and how many items it wrote. */
  async function refused(send: () => Promise<{ status: number; body: any }>) {
    const before = await api.items();
    const response = await send();
    const after = await api.items();
    const beforeScreenings = JSON.stringify(before.filter((item) => item.entityType === 'SCREENING'));
    const afterScreenings = JSON.stringify(after.filter((item) => item.entityType === 'SCREENING'));
    return { response, written: after.length - before.length, screeningsChanged: beforeScreenings !== afterScreenings };
  }

  it('writes one PENDING lead per chosen trial and a confirmation', async () => {
    const screening = await aScreening();

    const response = await refer(screening, aReferral({ trialIds: [chronicPainTrial.nctId, secondTrial.nctId] }));

    expect(response.status).toBe(202);
    expect(response.body.leads).toHaveLength(2);
    expect(response.body.leads).toContainEqual(
      expect.objectContaining({ trialId: secondTrial.nctId, siteId: secondTrial.sites[0]!.siteId, status: 'PENDING' }),
    );
    const leads = (await api.itemsOf('LEAD')).filter((lead) => lead.screeningId === screening.screeningId);
    expect(leads).toHaveLength(2);
    expect(leads.every((lead) => lead.status === 'PENDING' && lead.GSI1PK === 'OUTBOX#PENDING')).toBe(true);
    const confirmations = (await api.itemsOf('CONFIRMATION')).filter((item) => item.screeningId === screening.screeningId);
    expect(confirmations).toHaveLength(1);
  });

  it('gives each lead what the site email needs: contact, consent, trial, site, recipient and qualifying answers', async () => {
    const screening = await aScreening();

    const response = await refer(screening, aReferral());

    const [lead] = (await api.itemsOf('LEAD')).filter((item) => item.leadId === response.body.leads[0].leadId);
    expect(lead).toEqual(
      expect.objectContaining({
        entityType: 'LEAD',
        contact: { name: 'Alex Patient', email: 'alex.patient@example.com', phone: '+14105550199' },
        consent: expect.objectContaining({ shareWithSites: true, phoneContact: true, textVersion: CONSENT_VERSION }),
        trial: { nctId: chronicPainTrial.nctId, title: chronicPainTrial.title },
        site: expect.objectContaining({ siteId: chronicPainTrial.sites[0]!.siteId, country: 'United States' }),
        recipient: expect.objectContaining({ email: chronicPainTrial.sites[0]!.contact!.email }),
        attempts: 0,
      }),
    );
    // The health summary is stored compressed (`storedLeadFields` reads it for every reader).
    expect(lead![LEAD_HEALTH_SUMMARY_ATTRIBUTE]).toBeInstanceOf(Uint8Array);
    expect(lead!.qualifyingAnswers).toBeUndefined();
    expect(LeadItemContent.parse(storedLeadFields(lead!)).qualifyingAnswers.length).toBeGreaterThan(0);
  });

  it('marks the screening referred and keeps it as long as the referral', async () => {
    const screening = await aScreening();
    const [before] = (await api.itemsOf('SCREENING')).filter((item) => item.screeningId === screening.screeningId);

    await refer(screening, aReferral());

    const [after] = (await api.itemsOf('SCREENING')).filter((item) => item.screeningId === screening.screeningId);
    expect(after!.referred).toBe(true);
    expect(after!.expiresAt).toBeGreaterThan(before!.expiresAt);
  });

  it('refuses a referral for an urgent-care screening', async () => {
    const screening = await aScreening(adultWithChronicBackPain({ rf_saddle_numbness: true }));

    const { response, written, screeningsChanged } = await refused(() => refer(screening, aReferral()));

    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('REFERRAL_NOT_ALLOWED');
    expect(written).toBe(0);
    expect(screeningsChanged).toBe(false);
  });

  it('refuses a second referral of the same screening', async () => {
    const screening = await aScreening();
    await refer(screening, aReferral());

    const { response, written } = await refused(() => refer(screening, aReferral({ trialIds: [secondTrial.nctId] })));

    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('REFERRAL_EXISTS');
    expect(written).toBe(0);
  });

  it('refuses a trial the patient is not eligible for', async () => {
    const screening = await aScreening();

    const { response, written, screeningsChanged } = await refused(() =>
      refer(screening, aReferral({ trialIds: [seniorsOnlyTrial.nctId] })),
    );

    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('TRIAL_NOT_REFERABLE');
    expect(written).toBe(0);
    expect(screeningsChanged).toBe(false);
  });

  it('refuses a trial id that is not in the catalog', async () => {
    const screening = await aScreening();

    const { response, written } = await refused(() => refer(screening, aReferral({ trialIds: ['NCT99999999'] })));

    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('TRIAL_NOT_REFERABLE');
    expect(written).toBe(0);
  });

  it('refuses a referral without consent to share', async () => {
    const screening = await aScreening();

    const { response, written } = await refused(() =>
      refer(screening, aReferral({ consent: { shareWithSites: false, textVersion: CONSENT_VERSION } })),
    );

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('CONSENT_REQUIRED');
    expect(written).toBe(0);
  });

  it('refuses a referral with no consent at all', async () => {
    const screening = await aScreening();
    const { consent: _omitted, ...withoutConsent } = aReferral();

    const { response, written } = await refused(() => refer(screening, withoutConsent));

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('CONSENT_REQUIRED');
    expect(written).toBe(0);
  });

  it('refuses consent given to an outdated consent text', async () => {
    const screening = await aScreening();

    const { response, written } = await refused(() =>
      refer(screening, aReferral({ consent: { shareWithSites: true, textVersion: 'consent-000000000000' } })),
    );

    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('CONSENT_TEXT_OUTDATED');
    expect(written).toBe(0);
  });

  it('refuses an invalid email address', async () => {
    const screening = await aScreening();

    const { response, written } = await refused(() =>
      refer(screening, aReferral({ contact: { name: 'Alex Patient', email: 'not-an-email' } })),
    );

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('INVALID_CONTACT');
    expect(response.body.error.details).toContainEqual(expect.objectContaining({ path: ['contact', 'email'] }));
    expect(written).toBe(0);
  });

  it('refuses an invalid phone number', async () => {
    const screening = await aScreening();

    const { response, written } = await refused(() =>
      refer(screening, aReferral({ contact: { name: 'Alex Patient', email: 'alex@example.com', phone: '12' } })),
    );

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('INVALID_CONTACT');
    expect(response.body.error.details).toContainEqual(expect.objectContaining({ path: ['contact', 'phone'] }));
    expect(written).toBe(0);
  });

  it('refuses phone contact without a phone number', async () => {
    const screening = await aScreening();

    const { response, written } = await refused(() =>
      refer(
        screening,
        aReferral({
          contact: { name: 'Alex Patient', email: 'alex@example.com' },
          consent: { shareWithSites: true, phoneContact: true, textVersion: CONSENT_VERSION },
        }),
      ),
    );

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('INVALID_CONTACT');
    expect(written).toBe(0);
  });

  it('refuses a name with control characters', async () => {
    const screening = await aScreening();

    const { response, written } = await refused(() =>
      refer(screening, aReferral({ contact: { name: 'Alex\u0000Patient', email: 'alex@example.com' } })),
    );

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('INVALID_CONTACT');
    expect(written).toBe(0);
  });

  it.each([
    [
      'a name with a lone surrogate (the SDK cannot encode it for SES)',
      { name: 'Alex \uD83D Patient', email: 'alex@example.com' },
      'name',
    ],
    ['a name with a right-to-left override', { name: 'Alex \u202Etneitap', email: 'alex@example.com' }, 'name'],
    [
      'a phone number with a bidi isolate',
      { name: 'Alex Patient', email: 'alex@example.com', phone: '\u2066(410) 555-0199\u2069' },
      'phone',
    ],
  ])('refuses %s with a 400 that does not echo it, writing nothing', async (_label, contact, field) => {
    const screening = await aScreening();

    const { response, written } = await refused(() =>
      refer(
        screening,
        aReferral({ contact, consent: { shareWithSites: true, phoneContact: false, textVersion: CONSENT_VERSION } }),
      ),
    );

    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({
      code: 'INVALID_CONTACT',
      details: [{ path: ['contact', field], message: expect.any(String) }],
    });
    const echoed = /[\uD800-\uDFFF\u202E\u2066]|\\u(d83d|202e|2066)/i;
    expect(echoed.test(JSON.stringify(response.body))).toBe(false);
    expect(written).toBe(0);
  });

  it('refuses more than ten trials', async () => {
    const screening = await aScreening();
    const elevenIds = Array.from({ length: 11 }, (_, index) => `NCT${String(90000000 + index)}`);

    const { response, written } = await refused(() => refer(screening, aReferral({ trialIds: elevenIds })));

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('INVALID_REQUEST');
    expect(response.body.error.details).toContainEqual(expect.objectContaining({ path: ['trialIds'] }));
    expect(written).toBe(0);
  });

  it('refuses a referral without a token with 401', async () => {
    const screening = await aScreening();

    const { response, written } = await refused(() => refer({ screeningId: screening.screeningId }, aReferral()));

    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('TOKEN_MISSING');
    expect(written).toBe(0);
  });

  it('refuses a referral with another screening’s token with 403', async () => {
    const screening = await aScreening();
    const other = await aScreening();

    const { response, written } = await refused(() =>
      refer({ screeningId: screening.screeningId, token: other.token }, aReferral()),
    );

    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('TOKEN_INVALID');
    expect(written).toBe(0);
  });
});
