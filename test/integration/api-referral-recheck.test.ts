/**
 * A referral is checked against the CURRENT catalog and the freshness rule when it is made, not
 * only against the catalog version its screening was evaluated with.
 */
import { afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { CatalogRepository } from '#adapters/catalog-repository';
import type { Trial } from '#core/model';
import { aSite, aTrial } from '#test/factories/catalog';
import { aScreener, adultWithChronicBackPain } from '#test/factories/screener';
import { startTestApi, type TestApi } from '#test/setup/api';

const CONSENT_VERSION = aScreener().consent.version;
/** Past the catalog pointer's cache (30 s), as a referral made a minute after the screening is. */
const A_MINUTE = 60_000;

describe('the referral re-check against the current catalog', () => {
  let api: TestApi;
  let version = 1;
  // Each referral happens one more minute "later", so every handler's cached pointer is outdated.
  let minutesLater = 0;
  const site = aSite({ facility: 'Harbor Spine Center' });
  const trial = aTrial({ title: 'Yoga for lower back pain', sites: [site] });

  beforeAll(async () => {
    api = await startTestApi({ screeners: [aScreener()], trials: [trial] });
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await publish([trial]);
  });

  async function publish(trials: Trial[]): Promise<void> {
    version += 1;
    await new CatalogRepository(api.table).writeCatalog(`test-catalog-${version}`, trials);
  }

  async function screenThenRefer(changeCatalog: () => Promise<void>) {
    const screening = await api.request('POST', '/screenings', {
      body: { screenerId: 'lower-back-pain', answers: adultWithChronicBackPain() },
    });
    expect(screening.status).toBe(201);
    await changeCatalog();
    const realNow = Date.now();
    minutesLater += 1;
    jest.spyOn(Date, 'now').mockImplementation(() => realNow + minutesLater * A_MINUTE);
    const leadsBefore = (await api.itemsOf('LEAD')).length;
    const response = await api.request('POST', `/screenings/${screening.body.screeningId}/referrals`, {
      token: screening.body.token,
      body: {
        trialIds: [trial.nctId],
        contact: { name: 'Alex Patient', email: 'alex.patient@example.com' },
        consent: { shareWithSites: true, phoneContact: false, textVersion: CONSENT_VERSION },
      },
    });
    return { response, leadsWritten: (await api.itemsOf('LEAD')).length - leadsBefore };
  }

  it('creates the lead when the trial and site are still open with a current record', async () => {
    const { response, leadsWritten } = await screenThenRefer(async () => publish([trial]));

    expect(response.status).toBe(202);
    expect(leadsWritten).toBe(1);
  });

  it('refuses with 409 and writes nothing when the trial has closed since the screening', async () => {
    const { response, leadsWritten } = await screenThenRefer(async () => publish([{ ...trial, status: 'COMPLETED' }]));

    expect(response.status).toBe(409);
    expect(response.body.error).toMatchObject({
      code: 'TRIAL_CLOSED',
      message: `Study ${trial.nctId} has stopped recruiting since you answered the questions.`,
    });
    expect(leadsWritten).toBe(0);
  });

  it('refuses with 409 when the chosen site has stopped recruiting since', async () => {
    const { response } = await screenThenRefer(async () =>
      publish([{ ...trial, sites: [{ ...site, status: 'ACTIVE_NOT_RECRUITING' }] }]),
    );

    expect(response.status).toBe(409);
    expect(response.body.error.message).toContain('study site you were matched with');
  });

  it('refuses with 409 when the record has gone stale since', async () => {
    const stale = {
      ...trial,
      recordDates: { verified: '2020-07', primaryCompletion: '2021-04', primaryCompletionType: 'ANTICIPATED' as const },
    };

    const { response } = await screenThenRefer(async () => publish([stale]));

    expect(response.status).toBe(409);
    expect(response.body.error.message).toBe(
      'This study may no longer be recruiting: its registry record was last verified in July 2020.',
    );
  });
});
