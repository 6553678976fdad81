/**
 * The matching vignettes against the shipped catalog, the way submit-screening evaluates them:
 * answers validated by the screener, the postal code geocoded, every recruiting trial evaluated.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { readCatalogFiles } from '#adapters/catalog-files';
import { geocodePostalCode } from '#adapters/postal-geocoder';
import { evaluateScreening, prepareCatalog, type PreparedCatalog } from '#core/eligibility';
import { patientLocationFromAnswers } from '#core/geo';
import type { Screener, Trial, TrialResult } from '#core/model';
import { validateAnswers } from '#core/screener';
import { MATCHING_VIGNETTES, VIGNETTE_DATE, type ExpectedTrial, type MatchingVignette } from '#test/vignettes/matching';

const DATA_DIR = new URL('../../../data/', import.meta.url).pathname;
let screener: Screener;
let trials: Trial[];
let asShipped: PreparedCatalog;
let confirmed: PreparedCatalog;

beforeAll(async () => {
  const files = await readCatalogFiles(DATA_DIR);
  screener = files.screeners.find((s) => s.id === 'lower-back-pain')!;
  trials = files.trials;
  asShipped = prepareCatalog(files.catalogVersion, trials);
  const confirmation = { by: 'matching vignettes', at: VIGNETTE_DATE.toISOString() };
  confirmed = prepareCatalog(
    `${files.catalogVersion}-confirmed`,
    trials.map((trial) => (trial.status === 'RECRUITING' ? { ...trial, confirmations: [confirmation] } : trial)),
  );
});

async function screen(vignette: MatchingVignette) {
  const { answers } = vignette;
  const point =
    typeof answers.postal_code === 'string' ? await geocodePostalCode(String(answers.country), answers.postal_code) : undefined;
  const catalog = vignette.confirmed ? confirmed : asShipped;
  return evaluateScreening(screener, catalog, answers, patientLocationFromAnswers(answers, point), {
    maxRecordAgeDays: 365,
    now: VIGNETTE_DATE,
  });
}

/** A result in the vignettes' terms: eligibility, referability and the criteria not met or unknown. */
function asExpected(result: TrialResult): ExpectedTrial {
  const summary: ExpectedTrial = {
    eligibility: result.eligibility,
    referable: result.referable ? true : result.notReferableReason!.code,
  };
  const notMet = result.criteria.filter((c) => c.result === 'not_met').map((c) => c.id);
  const unknown = result.criteria.filter((c) => c.result === 'unknown').map((c) => c.id);
  if (notMet.length > 0) summary.notMet = notMet;
  if (unknown.length > 0) summary.unknown = unknown;
  return summary;
}

describe('the matching vignettes', () => {
  it('tell at least 20 stories', () => {
    expect(MATCHING_VIGNETTES.length).toBeGreaterThanOrEqual(20);
  });

  it('find every recruiting trial a patient it fits, and one it does not', () => {
    const recruiting = trials.filter((t) => t.status === 'RECRUITING').map((t) => t.nctId);
    const fits = new Set(
      MATCHING_VIGNETTES.flatMap((v) =>
        Object.entries(v.expected.trials)
          .filter(([, t]) => t.eligibility !== 'ineligible')
          .map(([id]) => id),
      ),
    );
    expect(recruiting.filter((id) => !fits.has(id))).toEqual([]);
  });

  it('show every reason a trial cannot be referred', () => {
    const codes = new Set(MATCHING_VIGNETTES.flatMap((v) => Object.values(v.expected.trials).map((t) => t.referable)));
    expect([...codes].sort()).toEqual([true, 'INELIGIBLE', 'NO_SITE_IN_REACH', 'ON_SITE_ONLY', 'RECORD_STALE'].sort());
  });

  describe.each(MATCHING_VIGNETTES.map((vignette) => [vignette.id, vignette] as const))('%s', (_id, vignette) => {
    it('has answers the screener accepts', () => {
      expect(validateAnswers(screener, vignette.answers)).toEqual({ ok: true, answers: vignette.answers });
    });

    it('gives every recruiting trial the expected result, criterion by criterion', async () => {
      const evaluation = await screen(vignette);
      const actual = Object.fromEntries(evaluation.results.map((result) => [result.trialId, asExpected(result)]));
      expect({ outcome: evaluation.outcome, trials: actual }).toEqual(vignette.expected);
    });
  });
});
