/**
 * Every repository reads its items with the item's zod reader: a malformed item is refused with a
 * `MalformedItemError` that names the item and the paths that did not read, never a value (the
 * message can reach a log), rather than crashing deep inside or passing on wrong data.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { CatalogRepository } from '#adapters/catalog-repository';
import { MalformedItemError, documentClient, tableRef, type TableRef } from '#adapters/dynamo';
import { ErasureRepository } from '#adapters/erasure-repository';
import { FunnelRecordsRepository } from '#adapters/funnel-records';
import { idempotencyKeyHash } from '#adapters/idempotency-repository';
import { ReferralRepository } from '#adapters/referral-repository';
import { ScreenerRepository } from '#adapters/screener-repository';
import { ScreeningRepository } from '#adapters/screening-repository';
import { SitePauseRepository } from '#adapters/site-pause-repository';
import { itemKeys, type ItemKey } from '#functions/table-schema';
import { createTestTable, deleteTestTable } from '#test/setup/table';
import { writeReferral } from './delivery-fixtures';

/** A value that must never appear in an error message: it stands for a patient's data. */
const SECRET = 'Quillfeather-private-answer';

let tableName: string;
let table: TableRef;

beforeAll(async () => {
  tableName = await createTestTable();
  table = tableRef(tableName, documentClient());
});

afterAll(async () => {
  await deleteTestTable(tableName);
});

async function put(item: Record<string, unknown>): Promise<void> {
  await table.client.send(new PutCommand({ TableName: tableName, Item: item }));
}

async function set(key: ItemKey, attribute: string, value: unknown): Promise<void> {
  await table.client.send(
    new UpdateCommand({
      TableName: tableName,
      Key: key,
      UpdateExpression: 'SET #attribute = :value',
      ExpressionAttributeNames: { '#attribute': attribute },
      ExpressionAttributeValues: { ':value': value },
    }),
  );
}

/** The error `run` rejects with, asserted to be a MalformedItemError that quotes no stored value. */
async function malformation(run: () => Promise<unknown>): Promise<MalformedItemError> {
  const error = await run().then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(MalformedItemError);
  const malformed = error as MalformedItemError;
  expect(malformed.message).not.toContain(SECRET);
  return malformed;
}

async function aScreening(token: string) {
  const screenings = new ScreeningRepository(table);
  const { screening } = await screenings.createScreening(
    {
      screenerId: 'lower-back-pain',
      screenerVersion: '1',
      catalogVersion: 'v1',
      maxRecordAgeDays: 365,
      answers: { pain_duration: 'more_than_12_weeks' },
      outcome: 'no_matches',
      redFlags: [],
      results: [],
    },
    token,
    { key: `key-${token}`, request: { token } },
  );
  return { screenings, screeningId: screening.screeningId };
}

describe('the Screening item', () => {
  it('is refused naming the answer that does not read, not its value', async () => {
    const { screenings, screeningId } = await aScreening('token-answers');
    await set(itemKeys.screening(screeningId), 'answers', { pain_duration: { typed: SECRET } });

    const error = await malformation(() => screenings.authorizeScreening(screeningId, 'token-answers'));

    expect(error.itemKind).toBe('Screening');
    expect(error.paths).toEqual(['answers.pain_duration']);
    expect(error.message).toContain(`SCREENING#${screeningId}`);
  });

  it('is refused when its stored results are not the stored-results shape', async () => {
    const { screenings, screeningId } = await aScreening('token-results');
    await set(itemKeys.screening(screeningId), 'results', JSON.stringify([[SECRET, '3', null]]));

    const error = await malformation(() => screenings.authorizeScreening(screeningId, 'token-results'));

    expect(error.paths).toEqual(['0.1']);
  });

  it('is still erased when only fields erasure does not need are malformed', async () => {
    const { screenings, screeningId } = await aScreening('token-erase');
    await set(itemKeys.screening(screeningId), 'answers', SECRET);

    const receipt = await new ErasureRepository(table).eraseScreening(screeningId, 'token-erase');

    expect(receipt.disclosedTo).toEqual([]);
    await expect(screenings.findScreening(screeningId)).resolves.toBeUndefined();
  });
});

describe('the Idempotency record', () => {
  it('is refused naming the sealed token it lacks', async () => {
    const { screenings } = await aScreening('token-replay');
    await set(itemKeys.idempotency(idempotencyKeyHash('key-token-replay')), 'sealedToken', 42);

    const error = await malformation(() =>
      screenings.idempotency.findReplay({ key: 'key-token-replay', request: { token: 'token-replay' } }),
    );

    expect(error.paths).toEqual(['sealedToken']);
  });
});

describe('the Referral and its leads', () => {
  it('are refused naming the lead ids a referral lacks', async () => {
    const referral = await writeReferral(tableName, { name: SECRET, email: 'patient@example.org' }, [
      { trialId: 'NCT00000001', recipientEmail: 'site@example.org' },
    ]);
    await table.client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: itemKeys.screening(referral.screeningId),
        UpdateExpression: 'SET #referral.leadIds = :value',
        ExpressionAttributeNames: { '#referral': 'referral' },
        ExpressionAttributeValues: { ':value': SECRET },
      }),
    );

    const error = await malformation(() => new ReferralRepository(table).getReferral(referral.screeningId));

    expect(error.itemKind).toBe('Referral');
    expect(error.paths).toEqual(['referral.leadIds']);
  });

  it("are refused naming a lead's status that is not a delivery status", async () => {
    const referral = await writeReferral(tableName, { name: 'Pat Example', email: 'patient@example.org' }, [
      { trialId: 'NCT00000001', recipientEmail: 'site@example.org' },
    ]);
    await set(itemKeys.lead(referral.leadIds[0]!), 'status', SECRET);

    const error = await malformation(() => new ReferralRepository(table).getReferral(referral.screeningId));

    expect(error.itemKind).toBe('Lead');
    expect(error.paths).toEqual(['status']);
  });
});

describe('the Disclosure record', () => {
  it('is refused naming the disclosure entry that does not read', async () => {
    await put({
      ...itemKeys.disclosure('erased-1'),
      entityType: 'DISCLOSURE',
      screeningId: 'erased-1',
      erasedAt: '2026-12-01T10:00:00.000Z',
      disclosedTo: [{ leadId: 'lead-1', trialId: 'NCT00000001', siteId: 'site-1', status: SECRET }],
      expiresAt: 1,
    });

    const error = await malformation(() => new ErasureRepository(table).getDisclosure('erased-1'));

    expect(error.paths).toEqual(['disclosedTo.0.status']);
  });
});

describe('catalog, screener and site pause items', () => {
  it('refuses a catalog pointer whose trial count is not a number', async () => {
    await put({ ...itemKeys.catalogPointer(), entityType: 'CATALOG_POINTER', version: 'v1', trialCount: '3', loadedAt: 'now' });

    const error = await malformation(() => new CatalogRepository(table).readPointer());

    expect(error.paths).toEqual(['trialCount']);
  });

  it('refuses a screener item without its screener', async () => {
    await put({ ...itemKeys.screener('broken'), entityType: 'SCREENER', version: '1' });

    const error = await malformation(() => new ScreenerRepository(table).getScreener('broken'));

    expect(error.paths).toEqual(['screener']);
  });

  it('refuses a site pause it cannot read rather than leaving the site unpaused', async () => {
    await put({
      ...itemKeys.sitePause('NCT00000001', 'site-1'),
      entityType: 'SITE_PAUSE',
      kind: 'site',
      trialId: 'NCT00000001',
      siteId: 'site-1',
      pausedAt: '2026-12-01T10:00:00.000Z',
      pausedBy: SECRET,
    });

    const error = await malformation(() => new SitePauseRepository(table).list());

    expect(error.paths).toEqual(['pausedBy']);
  });
});

describe('the funnel report', () => {
  it('counts a lead whose outcome history does not read as unreadable, rather than as a lead without outcomes', async () => {
    const referral = await writeReferral(tableName, { name: 'Pat Example', email: 'patient@example.org' }, [
      { trialId: 'NCT00000001', recipientEmail: 'site@example.org' },
    ]);
    await set(itemKeys.lead(referral.leadIds[0]!), 'outcomes', [{ outcome: SECRET, at: 'now', link: 'l1' }]);
    const funnel = new FunnelRecordsRepository(table);

    const leadIds: string[] = [];
    for await (const lead of funnel.leads()) leadIds.push(lead.leadId);

    expect(leadIds).not.toContain(referral.leadIds[0]);
    expect(funnel.unreadable.leads).toBe(1);
  });
});
