import { beforeAll, describe, expect, it } from '@jest/globals';
import { aScreener, adultWithChronicBackPain } from '#test/factories/screener';
import { startTestApi, type TestApi } from '#test/setup/api';

const SCREENER_ID = 'lower-back-pain';

describe('POST /screenings before any catalog is loaded', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi({ screeners: [aScreener()], withoutCatalog: true });
  });

  it('still sends a patient with a red flag to urgent care', async () => {
    const response = await api.request('POST', '/screenings', {
      body: { screenerId: SCREENER_ID, answers: adultWithChronicBackPain({ rf_leg_weakness: true }) },
    });

    expect(response.status).toBe(201);
    expect(response.body.outcome).toBe('urgent_care');
  });

  it('answers 503 CATALOG_NOT_LOADED for everyone else', async () => {
    const response = await api.request('POST', '/screenings', {
      body: { screenerId: SCREENER_ID, answers: adultWithChronicBackPain() },
    });

    expect(response.status).toBe(503);
    expect(response.body.error.code).toBe('CATALOG_NOT_LOADED');
  });
});
