import { beforeAll, describe, expect, it } from '@jest/globals';
import { aCriterion, aTrial } from '#test/factories/catalog';
import { aScreener, adultWithChronicBackPain } from '#test/factories/screener';
import { startTestApi, type TestApi } from '#test/setup/api';

const SCREENER_ID = 'lower-back-pain';

describe('POST /screenings', () => {
  let api: TestApi;
  const chronicPainTrial = aTrial({
    title: 'Exercise for chronic lower back pain',
    criteria: [
      aCriterion({ text: 'You have had back pain for at least 12 weeks', rule: { '>=': [{ var: 'pain_duration' }, 12] } }),
    ],
  });

  beforeAll(async () => {
    api = await startTestApi({ screeners: [aScreener()], trials: [chronicPainTrial] });
  });

  const submit = (answers: unknown, headers: Record<string, string> = {}) =>
    api.request('POST', '/screenings', { body: { screenerId: SCREENER_ID, answers }, headers });

  /** Sends a refused request and returns it with the screenings stored before and after. */
  async function refused(send: () => Promise<{ status: number; body: any }>) {
    const before = (await api.itemsOf('SCREENING')).length;
    const response = await send();
    const after = (await api.itemsOf('SCREENING')).length;
    return { response, written: after - before };
  }

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

  it('finds the nearest site from the geocoded postal code', async () => {
    const response = await submit(adultWithChronicBackPain());

    expect(response.body.results[0].nearestSite).toEqual(expect.objectContaining({ city: 'Baltimore' }));
    expect(response.body.results[0].nearestSite.distanceKm).toBeLessThan(20);
  });

  it('stores the screening with a hash of the token, never the token itself', async () => {
    const response = await submit(adultWithChronicBackPain());

    const [stored] = (await api.itemsOf('SCREENING')).filter((item) => item.screeningId === response.body.screeningId);
    expect(stored).toBeDefined();
    expect(JSON.stringify(stored)).not.toContain(response.body.token);
    expect(stored!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("sends a patient with an emergency sign to urgent care with no trial results and only their own country's number", async () => {
    const response = await submit(adultWithChronicBackPain({ rf_urine_retention: true }));

    expect(response.status).toBe(201);
    expect(response.body.outcome).toBe('urgent_care');
    expect(response.body.results).toEqual([]);
    expect(response.body.urgentCare.action).toMatch(/emergency room \(ER\) now/);
    expect(response.body.urgentCare.numbers.emergency).toEqual([{ number: '911', dial: '911' }]);
    expect(response.body.medicalAdvice).toBeUndefined();
  });

  it('decides urgent care on the server even when the other answers are missing', async () => {
    const response = await submit({ diagnosed_lbp: true, country: 'us', rf_saddle_numbness: true });

    expect(response.status).toBe(201);
    expect(response.body.outcome).toBe('urgent_care');
  });

  it('returns the first response again for a replay with the same Idempotency-Key', async () => {
    const headers = { 'Idempotency-Key': 'replay-key-0001' };
    const first = await submit(adultWithChronicBackPain(), headers);

    const { response: replay, written } = await refused(() => submit(adultWithChronicBackPain(), headers));

    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect(written).toBe(0);
  });

  it('never stores the token in clear for an idempotent request', async () => {
    const response = await submit(adultWithChronicBackPain(), { 'Idempotency-Key': 'sealed-key-0001' });

    const idempotencyRecords = await api.itemsOf('IDEMPOTENCY');
    expect(idempotencyRecords.length).toBeGreaterThan(0);
    expect(JSON.stringify(await api.items())).not.toContain(response.body.token);
    expect(JSON.stringify(idempotencyRecords)).not.toContain('sealed-key-0001');
  });

  it('refuses the same Idempotency-Key with a different body', async () => {
    const headers = { 'Idempotency-Key': 'reused-key-0001' };
    await submit(adultWithChronicBackPain(), headers);

    const { response, written } = await refused(() => submit(adultWithChronicBackPain({ age: 46 }), headers));

    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(written).toBe(0);
  });

  it('refuses an Idempotency-Key shorter than 8 characters', async () => {
    const { response, written } = await refused(() => submit(adultWithChronicBackPain(), { 'Idempotency-Key': 'short' }));

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('INVALID_REQUEST');
    expect(response.body.error.details[0].path).toEqual(['headers', 'idempotency-key']);
    expect(written).toBe(0);
  });

  it('refuses malformed JSON with a 400', async () => {
    const { response, written } = await refused(() =>
      api.request('POST', '/screenings', {
        rawBody: '{"screenerId": "lower-back-pain", ',
        headers: { 'Content-Type': 'application/json' },
      }),
    );

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('INVALID_JSON');
    expect(written).toBe(0);
  });

  it('refuses a body that is not sent as application/json with a 415', async () => {
    const { response, written } = await refused(() =>
      api.request('POST', '/screenings', {
        rawBody: JSON.stringify({ screenerId: SCREENER_ID, answers: adultWithChronicBackPain() }),
        headers: { 'Content-Type': 'text/plain' },
      }),
    );

    expect(response.status).toBe(415);
    expect(response.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(written).toBe(0);
  });

  it('refuses a body over 64 KB with a 413', async () => {
    const { response, written } = await refused(() => submit({ ...adultWithChronicBackPain(), padding: 'x'.repeat(70 * 1024) }));

    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(written).toBe(0);
  });

  it('refuses a request without a body', async () => {
    const response = await api.request('POST', '/screenings', { headers: { 'Content-Type': 'application/json' } });

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('INVALID_REQUEST');
  });

  it('refuses answers of the wrong type with the field path', async () => {
    const { response, written } = await refused(() => submit({ ...adultWithChronicBackPain(), age: 'forty-five' }));

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('INVALID_ANSWERS');
    expect(response.body.error.details).toContainEqual(expect.objectContaining({ path: ['answers', 'age'] }));
    expect(written).toBe(0);
  });

  it('refuses answers sent as something other than an object', async () => {
    const { response, written } = await refused(() => submit(['yes', 'no']));

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('INVALID_REQUEST');
    expect(response.body.error.details[0].path).toEqual(['answers']);
    expect(written).toBe(0);
  });

  it('refuses an answer to a question the screener does not have, without echoing its key', async () => {
    const { response, written } = await refused(() => submit({ ...adultWithChronicBackPain(), favourite_colour: 'blue' }));

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('INVALID_ANSWERS');
    expect(response.body.error.details).toContainEqual(expect.objectContaining({ path: ['answers'] }));
    expect(JSON.stringify(response.body)).not.toContain('favourite_colour');
    expect(written).toBe(0);
  });

  it('answers 1,500 hostile answer keys with a small error that repeats none of them', async () => {
    const hostile = Object.fromEntries(Array.from({ length: 1500 }, (_, index) => [`<script>${index}`, 'v']));

    const response = await submit({ ...adultWithChronicBackPain(), ...hostile });

    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body).length).toBeLessThan(2048);
    expect(JSON.stringify(response.body)).not.toContain('<script>');
  });

  it('refuses an option the question does not offer', async () => {
    const { response, written } = await refused(() => submit(adultWithChronicBackPain({ travel_distance: 'mi_1000' })));

    expect(response.status).toBe(400);
    expect(response.body.error.details).toContainEqual(expect.objectContaining({ path: ['answers', 'travel_distance'] }));
    expect(written).toBe(0);
  });

  it('refuses an answer to a question hidden by branching', async () => {
    const { response, written } = await refused(() =>
      submit(adultWithChronicBackPain({ had_back_surgery: false, surgeries: ['spinal_fusion'] })),
    );

    expect(response.status).toBe(400);
    expect(response.body.error.details).toContainEqual(expect.objectContaining({ path: ['answers', 'surgeries'] }));
    expect(written).toBe(0);
  });

  it('refuses a missing required answer', async () => {
    const { response, written } = await refused(() => submit(adultWithChronicBackPain({ age: undefined })));

    expect(response.status).toBe(400);
    expect(response.body.error.details).toContainEqual(expect.objectContaining({ path: ['answers', 'age'] }));
    expect(written).toBe(0);
  });

  it('answers 404 for an unknown screener', async () => {
    const { response, written } = await refused(() =>
      api.request('POST', '/screenings', { body: { screenerId: 'knee-pain', answers: {} } }),
    );

    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('SCREENER_NOT_FOUND');
    expect(written).toBe(0);
  });

  it('never echoes a submitted answer in an error', async () => {
    const response = await submit({ ...adultWithChronicBackPain(), age: 'my-secret-age-value' });

    expect(JSON.stringify(response.body)).not.toContain('my-secret-age-value');
  });

  it('adds CORS headers for an allowed origin and none for another', async () => {
    const allowed = await api.request('POST', '/screenings', {
      body: { screenerId: SCREENER_ID, answers: adultWithChronicBackPain() },
      headers: { Origin: 'http://localhost:5173' },
    });
    const other = await api.request('POST', '/screenings', {
      body: { screenerId: SCREENER_ID, answers: adultWithChronicBackPain() },
      headers: { Origin: 'https://evil.example' },
    });

    expect(allowed.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('adds security headers to error responses too', async () => {
    const response = await submit({ ...adultWithChronicBackPain(), age: 'old' });

    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['strict-transport-security']).toMatch(/max-age=/);
    expect(response.headers['cache-control']).toBe('no-store');
  });
});
