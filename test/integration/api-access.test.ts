import { beforeAll, describe, expect, it } from '@jest/globals';
import { aTrial } from '#test/factories/catalog';
import { aScreener, adultWithChronicBackPain } from '#test/factories/screener';
import { startTestApi, type TestApi } from '#test/setup/api';

const SCREENER_ID = 'lower-back-pain';

describe('GET and DELETE /screenings/{screeningId}', () => {
  let api: TestApi;
  const trial = aTrial();

  beforeAll(async () => {
    api = await startTestApi({ screeners: [aScreener()], trials: [trial] });
  });

  async function aScreening(headers: Record<string, string> = {}) {
    const response = await api.request('POST', '/screenings', {
      body: { screenerId: SCREENER_ID, answers: adultWithChronicBackPain() },
      headers,
    });
    return { screeningId: response.body.screeningId as string, token: response.body.token as string, body: response.body };
  }

  async function aReferredScreening() {
    const screening = await aScreening({ 'Idempotency-Key': `erase-${Math.random().toString(36).slice(2)}` });
    const referral = await api.request('POST', `/screenings/${screening.screeningId}/referrals`, {
      token: screening.token,
      body: {
        trialIds: [trial.nctId],
        contact: { name: 'Robin Patient', email: 'robin@example.com' },
        consent: { shareWithSites: true, textVersion: aScreener().consent.version },
      },
    });
    expect(referral.status).toBe(202);
    return screening;
  }

  const itemsOfScreening = async (screeningId: string) =>
    (await api.items()).filter((item) => item.screeningId === screeningId || String(item.PK).endsWith(screeningId));

  it('returns the results of a screening to the holder of its token', async () => {
    const screening = await aScreening();

    const response = await api.request('GET', `/screenings/${screening.screeningId}`, { token: screening.token });

    expect(response.status).toBe(200);
    expect(response.body).toEqual(
      expect.objectContaining({
        screeningId: screening.screeningId,
        screenerId: SCREENER_ID,
        outcome: screening.body.outcome,
        catalogVersion: screening.body.catalogVersion,
        results: screening.body.results,
      }),
    );
    expect(response.body.referral).toBeUndefined();
  });

  it('shows each lead and its delivery status once referred', async () => {
    const screening = await aReferredScreening();

    const response = await api.request('GET', `/screenings/${screening.screeningId}`, { token: screening.token });

    expect(response.body.referral.leads).toEqual([
      expect.objectContaining({ trialId: trial.nctId, siteId: trial.sites[0]!.siteId, status: 'PENDING' }),
    ]);
  });

  it('never echoes the patient’s contact details', async () => {
    const screening = await aReferredScreening();

    const response = await api.request('GET', `/screenings/${screening.screeningId}`, { token: screening.token });

    expect(JSON.stringify(response.body)).not.toContain('robin@example.com');
  });

  it('answers 401 TOKEN_MISSING without a token', async () => {
    const screening = await aScreening();

    const response = await api.request('GET', `/screenings/${screening.screeningId}`);

    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('TOKEN_MISSING');
  });

  it('answers 401 for an Authorization header that is not a bearer token', async () => {
    const screening = await aScreening();

    const response = await api.request('GET', `/screenings/${screening.screeningId}`, {
      headers: { Authorization: `Basic ${screening.token}` },
    });

    expect(response.status).toBe(401);
  });

  it('answers the same 403 for a wrong token and for an unknown screening', async () => {
    const screening = await aScreening();

    const wrongToken = await api.request('GET', `/screenings/${screening.screeningId}`, { token: 'AAAAAAAAAAAAAAAAAAAAAA' });
    const unknownId = await api.request('GET', '/screenings/00000000-0000-4000-8000-000000000000', { token: screening.token });

    expect(wrongToken.status).toBe(403);
    expect(unknownId.status).toBe(403);
    expect(unknownId.body).toEqual(wrongToken.body);
  });

  it('erases a screening with its referral, leads, confirmation and idempotency record', async () => {
    const screening = await aReferredScreening();
    expect((await itemsOfScreening(screening.screeningId)).length).toBeGreaterThan(2);
    const idempotencyBefore = (await api.itemsOf('IDEMPOTENCY')).filter((item) => item.screeningId === screening.screeningId);
    expect(idempotencyBefore).toHaveLength(1);

    const response = await api.request('DELETE', `/screenings/${screening.screeningId}`, { token: screening.token });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ erased: true, disclosedTo: [] });
    expect(await itemsOfScreening(screening.screeningId)).toEqual([]);
  });

  /** Rewrites a referral as older code wrote it: a Referral item of its own, none on the screening. */
  async function asWrittenByOlderCode(screeningId: string) {
    const { PutCommand, UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    const { itemKeys } = await import('#functions/table-schema');
    const [screeningItem] = (await api.itemsOf('SCREENING')).filter((item) => item.screeningId === screeningId);
    const record = screeningItem!.referral;
    expect(record.leadIds).toHaveLength(1);
    await api.table.client.send(
      new PutCommand({
        TableName: api.tableName,
        Item: {
          ...itemKeys.referral(screeningId),
          entityType: 'REFERRAL',
          screeningId,
          ...record,
          contact: { name: 'Robin Patient', email: 'robin@example.com' },
          consent: { shareWithSites: true, phoneContact: false, textVersion: 'v1', acceptedAt: record.createdAt },
          expiresAt: screeningItem!.expiresAt,
        },
      }),
    );
    await api.table.client.send(
      new UpdateCommand({ TableName: api.tableName, Key: itemKeys.screening(screeningId), UpdateExpression: 'REMOVE referral' }),
    );
  }

  it('keeps the referral on the screening item, with no Referral item of its own', async () => {
    const screening = await aReferredScreening();

    const items = await itemsOfScreening(screening.screeningId);

    expect(items.map((item) => item.entityType).sort()).toEqual(['CONFIRMATION', 'IDEMPOTENCY', 'LEAD', 'SCREENING']);
    const [screeningItem] = items.filter((item) => item.entityType === 'SCREENING');
    expect(screeningItem!.referral).toEqual(
      expect.objectContaining({ trialIds: [trial.nctId], leadIds: [expect.any(String)], confirmationId: expect.any(String) }),
    );
  });

  it('shows and erases a referral that older code wrote as an item of its own', async () => {
    const screening = await aReferredScreening();
    const shown = await api.request('GET', `/screenings/${screening.screeningId}`, { token: screening.token });
    await asWrittenByOlderCode(screening.screeningId);
    expect((await api.itemsOf('REFERRAL')).filter((item) => item.screeningId === screening.screeningId)).toHaveLength(1);

    const shownAfter = await api.request('GET', `/screenings/${screening.screeningId}`, { token: screening.token });
    const erased = await api.request('DELETE', `/screenings/${screening.screeningId}`, { token: screening.token });

    expect(shownAfter.body.referral).toEqual(shown.body.referral);
    expect(shownAfter.body.referral.leads).toHaveLength(1);
    expect(erased.status).toBe(200);
    expect(await itemsOfScreening(screening.screeningId)).toEqual([]);
  });

  it('treats an erased screening like an unknown one', async () => {
    const screening = await aScreening();
    await api.request('DELETE', `/screenings/${screening.screeningId}`, { token: screening.token });

    const afterwards = await api.request('GET', `/screenings/${screening.screeningId}`, { token: screening.token });

    expect(afterwards.status).toBe(403);
    expect(afterwards.body.error.code).toBe('TOKEN_INVALID');
  });

  it('refuses to erase with a wrong token and erases nothing', async () => {
    const screening = await aReferredScreening();
    const before = await itemsOfScreening(screening.screeningId);

    const response = await api.request('DELETE', `/screenings/${screening.screeningId}`, { token: 'BBBBBBBBBBBBBBBBBBBBBB' });

    expect(response.status).toBe(403);
    expect(await itemsOfScreening(screening.screeningId)).toHaveLength(before.length);
  });
});
