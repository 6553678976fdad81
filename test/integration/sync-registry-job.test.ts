/**
 * The scheduled registry sync against DynamoDB Local and a replay of the ClinicalTrials.gov API v2
 * built from real records: a new catalog version published atomically, leads of a closed trial
 * held, stale trials with leads counted, and nothing published when a page is truncated.
 */
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { CatalogRepository } from '#adapters/catalog-repository';
import { parseCtgovV2Study } from '#adapters/registry/ctgov-v2';
import type { Trial } from '#core/model';
import { createRegistrySyncJob } from '#functions/sync-registry/sync-job';
import { aScreener, adultWithChronicBackPain } from '#test/factories/screener';
import { currentRecordDates } from '#test/factories/catalog';
import { startTestApi, type TestApi } from '#test/setup/api';
import { fixtureStudy, startReplayServer, type ReplayServer } from '#test/setup/ctgov-replay';

const CATALOG_TRIAL = 'NCT03281889';

/** The real record as a catalog trial, recruiting, with a current record and its site open. */
function catalogTrial(): Trial {
  const { trial } = parseCtgovV2Study(fixtureStudy(CATALOG_TRIAL));
  return {
    ...trial,
    screenerIds: ['lower-back-pain'],
    criteria: [],
    leftToStudyTeam: [],
    status: 'RECRUITING',
    recordDates: currentRecordDates(),
    eligibility: { ...trial.eligibility, minAgeYears: 18, maxAgeYears: null, sex: 'ALL' },
    sites: trial.sites.map((site) => ({ ...site, status: 'RECRUITING', contact: { email: 'coordinator@example.org' } })),
  } as Trial;
}

describe('the scheduled registry sync', () => {
  let api: TestApi;
  let server: ReplayServer | undefined;
  const trial = catalogTrial();
  const metrics = () => new Metrics({ namespace: 'TrialScreener', serviceName: 'registry-sync' });
  const settings = (url: string) => ({
    apiUrl: url,
    conditions: ['low back pain'],
    screenerIds: ['lower-back-pain'],
    maxRecordAgeDays: 365,
  });
  const fetchOptions = { sleep: async () => undefined };

  beforeAll(async () => {
    api = await startTestApi({ screeners: [aScreener()], trials: [trial] });
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('publishes nothing and fails when a page is truncated', async () => {
    const before = await new CatalogRepository(api.table).readPointer();
    server = await startReplayServer({
      cond: [{ page: [fixtureStudy('NCT06171568')], nextPageToken: 'p2' }, { truncated: [fixtureStudy('NCT02552212')] }],
    });

    await expect(
      createRegistrySyncJob(settings(server.url), { table: api.table, metrics: metrics(), fetchOptions })(),
    ).rejects.toThrow(/page 2 .*nothing was written/);

    expect(await new CatalogRepository(api.table).readPointer()).toEqual(before);
  });

  it("publishes a new catalog version with the closure and a new draft, and holds the closed trial's unsent lead", async () => {
    const screening = await api.request('POST', '/screenings', {
      body: { screenerId: 'lower-back-pain', answers: adultWithChronicBackPain({ travel_distance: 'any' }) },
    });
    const referral = await api.request('POST', `/screenings/${screening.body.screeningId}/referrals`, {
      token: screening.body.token,
      body: {
        trialIds: [trial.nctId],
        contact: { name: 'Alex Patient', email: 'alex.patient@example.com' },
        consent: { shareWithSites: true, phoneContact: false, textVersion: aScreener().consent.version },
      },
    });
    expect(referral.status).toBe(202);
    const closed = fixtureStudy(CATALOG_TRIAL, (study) => {
      study.protocolSection.statusModule.overallStatus = 'COMPLETED';
    });
    const recruiting = fixtureStudy('NCT06171568', (study) => {
      study.protocolSection.statusModule.overallStatus = 'RECRUITING';
    });
    server = await startReplayServer({
      cond: [{ status: 429, retryAfterSeconds: 0 }, { page: [recruiting] }],
      ids: [{ status: 503 }, { page: [closed] }],
    });

    const result = await createRegistrySyncJob(settings(server.url), { table: api.table, metrics: metrics(), fetchOptions })();

    expect(result.summary).toMatchObject({ new: 1, closed: 1 });
    expect(result.heldLeads).toBe(1);
    const pointer = await new CatalogRepository(api.table).readPointer();
    expect(pointer?.version).toBe(result.published);
    const published = await new CatalogRepository(api.table).getCatalogVersion(result.published!);
    expect(published?.byId.get(trial.nctId)?.trial.status).toBe('COMPLETED');
    expect(published?.byId.get('NCT06171568')?.trial.review).toEqual({ status: 'draft' });
    const [lead] = (await api.itemsOf('LEAD')).filter((item) => item.leadId === referral.body.leads[0].leadId);
    expect(lead).toMatchObject({
      status: 'FAILED',
      lastError: expect.stringMatching(/^held: Study NCT03281889 has stopped recruiting/),
    });
  });

  it('syncs incrementally from the last run and counts a trial with leads whose record went stale', async () => {
    const stale = {
      ...trial,
      recordDates: { verified: '2021-01', primaryCompletion: '2022-03-31', primaryCompletionType: 'ANTICIPATED' as const },
    };
    await new CatalogRepository(api.table).writeCatalog('stale-1', [stale]);
    server = await startReplayServer({ cond: [{ page: [] }], ids: [{ page: [] }] });

    const result = await createRegistrySyncJob(settings(server.url), { table: api.table, metrics: metrics(), fetchOptions })();

    expect(server.requests[0]!.get('filter.advanced')).toMatch(/^AREA\[LastUpdatePostDate\]RANGE\[\d{4}-\d{2}-\d{2},MAX\]$/);
    expect(result.published).toBeUndefined();
    expect(result.staleTrialsWithLeads).toEqual([trial.nctId]);
  });
});
