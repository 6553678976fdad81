/**
 * The triage vignettes (test/vignettes/triage.json) over the HTTP API, on DynamoDB Local: each
 * story's answers sent as the form sends them, and the tier the response and the stored
 * screening carry.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { aTrial } from '#test/factories/catalog';
import { aScreener } from '#test/factories/screener';
import { startTestApi, type TestApi } from '#test/setup/api';
import { TRIAGE_VIGNETTES } from '#test/vignettes/vignettes';

const SCREENER_ID = 'lower-back-pain';
/** Every emergency number any offered country has: a response must show only its own country's. */
const ALL_EMERGENCY_NUMBERS = ['911', '999', '112', '113', '15'];

describe('the triage vignettes over the HTTP API', () => {
  let api: TestApi;

  beforeAll(async () => {
    // A trial open to every adult, so a patient who is not sent to urgent care gets a result.
    api = await startTestApi({ screeners: [aScreener()], trials: [aTrial({ criteria: [] })] });
  });

  it.each(TRIAGE_VIGNETTES.map((vignette) => [vignette.id, vignette] as const))('%s', async (_id, vignette) => {
    const response = await api.request('POST', '/screenings', { body: { screenerId: SCREENER_ID, answers: vignette.answers } });
    const { expected } = vignette;

    expect(response.status).toBe(201);
    if (expected.tier === 'emergency') {
      expect(response.body.outcome).toBe('urgent_care');
      expect(response.body.results).toEqual([]);
      const shown: string[] = response.body.urgentCare.numbers.emergency.map((phone: { number: string }) => phone.number);
      expect(shown).toEqual(expected.emergencyNumbers);
      const others = ALL_EMERGENCY_NUMBERS.filter((number) => !shown.includes(number));
      expect(JSON.stringify(response.body.urgentCare)).not.toMatch(new RegExp(`\\b(${others.join('|')})\\b`));
      expect(response.body.medicalAdvice).toBeUndefined();
    } else {
      expect(response.body.outcome).not.toBe('urgent_care');
      expect(response.body.results.length).toBeGreaterThan(0);
      expect(response.body.urgentCare).toBeUndefined();
      if (expected.tier === 'none') expect(response.body.medicalAdvice).toBeUndefined();
      else {
        expect(response.body.medicalAdvice).toMatchObject({ level: 'see_doctor_soon', message: expect.any(String) });
        if (expected.reasons)
          expect(response.body.medicalAdvice.reasons.map((reason: { questionId: string }) => reason.questionId)).toEqual(
            expected.reasons,
          );
        expect(response.body.medicalAdvice.message).toMatch(expected.contactToday ? /today/ : /in the next few days/);
      }
    }
  });

  it('stores the see-a-doctor advice with the screening and returns it again with the results', async () => {
    const vignette = TRIAGE_VIGNETTES.find((candidate) => candidate.id === 'cancer-history-weight-loss')!;
    const created = await api.request('POST', '/screenings', { body: { screenerId: SCREENER_ID, answers: vignette.answers } });

    const fetched = await api.request('GET', `/screenings/${created.body.screeningId}`, { token: created.body.token });
    const [stored] = (await api.itemsOf('SCREENING')).filter((item) => item.screeningId === created.body.screeningId);

    expect(fetched.body.medicalAdvice).toEqual(created.body.medicalAdvice);
    expect(stored!.medicalAdvice).toEqual(created.body.medicalAdvice);
  });

  it('returns the same urgent-care answer to a replay of the same Idempotency-Key', async () => {
    const vignette = TRIAGE_VIGNETTES.find((candidate) => candidate.id === 'new-incontinence-norway')!;
    const headers = { 'Idempotency-Key': 'triage-vignette-replay-1' };
    const first = await api.request('POST', '/screenings', {
      body: { screenerId: SCREENER_ID, answers: vignette.answers },
      headers,
    });
    const replay = await api.request('POST', '/screenings', {
      body: { screenerId: SCREENER_ID, answers: vignette.answers },
      headers,
    });

    expect(replay.body).toEqual(first.body);
    expect(replay.body.urgentCare.numbers.emergency).toEqual([{ number: '113', dial: '113' }]);
  });
});
