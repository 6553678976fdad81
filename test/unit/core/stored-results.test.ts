/**
 * A screening's results stored by id and value come back exactly as they were shown, on the
 * shipped catalog and on generated ones, and the stored form is small.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { readCatalogFiles } from '#adapters/catalog-files';
import { geocodePostalCode } from '#adapters/postal-geocoder';
import { evaluateScreening, prepareCatalog, type PreparedCatalog } from '#core/eligibility';
import type { FreshnessPolicy } from '#core/freshness';
import { patientLocationFromAnswers } from '#core/geo';
import type { Answers, Screener } from '#core/model';
import { presentStoredResults, storeResults, UnstorableResultError } from '#core/stored-results';
import { aSite, aTrial, PLACES } from '#test/factories/catalog';
import { partialAnswersFor } from '#test/factories/rules';
import { adultWithChronicBackPain, aScreener } from '#test/factories/screener';

const DATA_DIR = new URL('../../../data/', import.meta.url).pathname;
const POLICY: FreshnessPolicy = { maxRecordAgeDays: 365, now: new Date('2026-12-01T10:00:00Z') };
let screener: Screener;
let catalog: PreparedCatalog;

beforeAll(async () => {
  const files = await readCatalogFiles(DATA_DIR);
  screener = files.screeners.find((candidate) => candidate.id === 'lower-back-pain')!;
  catalog = prepareCatalog(files.catalogVersion, files.trials);
});

async function resultsFor(answers: Answers, against: PreparedCatalog = catalog) {
  const country = typeof answers.country === 'string' ? answers.country : 'us';
  const point = typeof answers.postal_code === 'string' ? await geocodePostalCode(country, answers.postal_code) : undefined;
  return evaluateScreening(screener, against, answers, patientLocationFromAnswers(answers, point), POLICY).results;
}

/** Through the table and back: stored, serialised as the item holds it, parsed, shown again. */
function roundTrip(results: Awaited<ReturnType<typeof resultsFor>>, against: PreparedCatalog = catalog) {
  const stored = JSON.parse(JSON.stringify(storeResults(results, against)));
  return presentStoredResults(stored, against, POLICY);
}

describe('stored results', () => {
  it('show the typical patient every trial, criterion and site exactly as evaluated', async () => {
    const results = await resultsFor(adultWithChronicBackPain());

    expect(results.length).toBeGreaterThan(0);
    expect(roundTrip(results)).toEqual(results);
  });

  it('keep the typical patient results in well under a kilobyte and a half', async () => {
    const stored = storeResults(await resultsFor(adultWithChronicBackPain()), catalog);

    expect(Buffer.byteLength(JSON.stringify(stored))).toBeLessThan(1536);
  });

  it('come back exactly for answers of any completeness, "not sure" included', async () => {
    await fc.assert(
      fc.asyncProperty(partialAnswersFor(aScreener()), async (answers) => {
        const results = await resultsFor({ ...answers, country: 'us', postal_code: '21205', travel_distance: 'mi_50' });
        expect(roundTrip(results)).toEqual(results);
      }),
      { numRuns: 60 },
    );
  });

  it('keep a site abroad, offered at any distance, as it was', async () => {
    const abroad = aTrial({ sites: [aSite({ country: 'Norway', city: 'Oslo', geo: PLACES.oslo })] });
    const generated = prepareCatalog('generated', [abroad, aTrial()]);
    const results = await resultsFor(adultWithChronicBackPain({ travel_distance: 'any' }), generated);

    expect(results.map((result) => result.nearestSite?.reach)).toContain('any_distance');
    expect(roundTrip(results, generated)).toEqual(results);
  });

  it('refuse to store a result whose trial is not in the catalog version', async () => {
    const results = await resultsFor(adultWithChronicBackPain());

    expect(() => storeResults(results, prepareCatalog('other', [aTrial()]))).toThrow(UnstorableResultError);
  });
});
