import { beforeAll, describe, expect, it } from '@jest/globals';
import { aScreener } from '#test/factories/screener';
import { startTestApi, type TestApi } from '#test/setup/api';

describe('GET /screeners and GET /screeners/{screenerId}', () => {
  let api: TestApi;
  const screener = aScreener();

  beforeAll(async () => {
    api = await startTestApi({ screeners: [screener] });
  });

  it('lists each screener with its id, condition, title and version', async () => {
    const response = await api.request('GET', '/screeners');

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      screeners: [{ id: screener.id, condition: screener.condition, title: screener.title, version: screener.version }],
    });
  });

  it('returns one screener with its questions and consent text', async () => {
    const response = await api.request('GET', `/screeners/${screener.id}`);

    expect(response.status).toBe(200);
    expect(response.body.questions.map((question: { id: string }) => question.id)).toEqual(
      screener.questions.map((question) => question.id),
    );
    expect(response.body.consent.version).toBe(screener.consent.version);
  });

  it('answers 404 SCREENER_NOT_FOUND for an unknown screener', async () => {
    const response = await api.request('GET', '/screeners/knee-pain');

    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error: { code: 'SCREENER_NOT_FOUND', message: expect.any(String) } });
  });

  it('answers 400 for a screener id that cannot exist', async () => {
    const response = await api.request('GET', '/screeners/NOT%20AN%20ID');

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('INVALID_REQUEST');
    expect(response.body.error.details[0].path).toEqual(['screenerId']);
  });
});
