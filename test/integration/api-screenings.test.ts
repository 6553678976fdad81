import { beforeAll, describe, expect, it } from '@jest/globals';
import { aCriterion, aTrial } from '../factories/catalog';
import { aScreener, adultWithChronicBackPain } from '../factories/screener';
import { startTestApi, type TestApi } from '../setup/api';

const SCREENER_ID = 'lower-back-pain';

describe('POST /screenings', () => {
  let api: TestApi;
  const chronicPainTrial = aTrial({
    title: 'Exercise for chronic lower back pain',
    criteria: [aCriterion({ text: 'You have had back pain for at least 12 weeks', rule: { '>=': [{ var: 'pain_duration_weeks' }, 12] } })],
  });

  beforeAll(async () => {
    api = await startTestApi({ screeners: [aScreener()], trials: [chronicPainTrial] });
  });

  const submit = (answers: unknown, headers: Record<string, string> = {}) =>
    api.request('POST', '/screenings', { body: { screenerId: SCREENER_ID, answers }, headers });

  it('evaluates an adult with chronic pain and returns results with reasons and a token', async () => {
    const response = await submit(adultWithChronicBackPain());

    expect(response.status).toBe(201);
    expect(response.body.outcome).toBe('matches');
    expect(response.body.token).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(response.body.catalogVersion).toBe('test-catalog-1');
    expect(response.body.urgentCare).toBeUndefined();
    const [result] = response.body.results;
    expect(result.trialId).toBe(chronicPainTrial.nctId);
    expect(result.eligibility).toBe('eligible');
    expect(result.criteria).toContainEqual(
      expect.objectContaining({ text: 'You have had back pain for at least 12 weeks', result: 'met' }),
    );
  });

  it('stores the screening with a hash of the token, never the token itself', async () => {
    const response = await submit(adultWithChronicBackPain());

    const [stored] = (await api.itemsOf('SCREENING')).filter((item) => item.screeningId === response.body.screeningId);
    expect(stored).toBeDefined();
    expect(JSON.stringify(stored)).not.toContain(response.body.token);
    expect(stored!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
  });
});
