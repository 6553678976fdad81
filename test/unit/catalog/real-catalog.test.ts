/**
 * The shipped catalog (data/) through the core's evaluation, the way submit-screening uses it:
 * geography, structured age and sex limits, and statuses that must never be offered.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { readCatalogFiles } from '#adapters/catalog-files';
import { geocodePostalCode } from '#adapters/postal-geocoder';
import { evaluateScreening, prepareCatalog, type PreparedCatalog } from '#core/eligibility';
import { patientLocationFromAnswers } from '#core/geo';
import type { Answers, Screener, Trial } from '#core/model';
import { ruleVariables } from '#core/rules';
import { NOT_SURE } from '#core/answers';
import { anAnswerTo, completeAnswersFor, partialAnswersFor } from '#test/factories/rules';
import { adultWithChronicBackPain, type AnswerOverrides } from '#test/factories/screener';

const DATA_DIR = new URL('../../../data/', import.meta.url).pathname;
let screener: Screener;
let trials: Trial[];
let catalog: PreparedCatalog;

beforeAll(async () => {
  const files = await readCatalogFiles(DATA_DIR);
  screener = files.screeners.find((s) => s.id === 'lower-back-pain')!;
  trials = files.trials;
  catalog = prepareCatalog(files.catalogVersion, trials);
});

/** Evaluates answers as the submit-screening handler does, geocoding the postal code first. */
async function screen(answers: Answers, against: PreparedCatalog = catalog) {
  const point =
    typeof answers.country === 'string' && typeof answers.postal_code === 'string'
      ? await geocodePostalCode(answers.country, answers.postal_code)
      : undefined;
  return evaluateScreening(screener, against, answers, patientLocationFromAnswers(answers, point));
}

/** A 70-year-old man with a year of chronic low back pain, eligible for the Baltimore acupressure trial. */
const olderAdultInBaltimore = (overrides: AnswerOverrides = {}) =>
  adultWithChronicBackPain({
    age: 70,
    sex: 'male',
    pregnant: undefined,
    pain_duration_weeks: 52,
    postal_code: '21218',
    ...overrides,
  });

describe('the shipped catalog', () => {
  it('holds at least 10 lower back pain trials', () => {
    expect(trials.filter((t) => t.screenerIds.includes('lower-back-pain')).length).toBeGreaterThanOrEqual(10);
  });

  it('names the nearest recruiting site and its distance for a patient near it', async () => {
    const evaluation = await screen(olderAdultInBaltimore());

    const acupressure = evaluation.results.find((r) => r.trialId === 'NCT03589703');
    expect(acupressure?.eligibility).toBe('eligible');
    expect(acupressure?.nearestSite).toMatchObject({ facility: 'Johns Hopkins Hospital', city: 'Baltimore' });
    expect(acupressure?.nearestSite?.distanceMiles).toBeLessThan(5);
  });

  it('shows "no site near you" to a patient far from every site', async () => {
    const evaluation = await screen(olderAdultInBaltimore({ postal_code: '99501', travel_distance: 'mi_100' }));

    const acupressure = evaluation.results.find((r) => r.trialId === 'NCT03589703');
    expect(acupressure?.nearestSite).toBeNull();
  });

  it('reports no matches to a patient far from every recruiting site', async () => {
    const evaluation = await screen(olderAdultInBaltimore({ postal_code: '99501', travel_distance: 'mi_100' }));

    expect(evaluation.outcome).toBe('no_matches');
  });

  it('never offers a 17-year-old an adults-only trial', async () => {
    const evaluation = await screen(adultWithChronicBackPain({ age: 17, travel_distance: 'any' }));

    const adultsOnly = new Set(trials.filter((t) => (t.eligibility.minAgeYears ?? 0) >= 18).map((t) => t.nctId));
    const offered = evaluation.results.filter((r) => adultsOnly.has(r.trialId) && r.eligibility !== 'ineligible');
    expect(adultsOnly.size).toBeGreaterThan(0);
    expect(offered).toEqual([]);
  });

  it('never offers a man a women-only trial', async () => {
    // No shipped record is women-only, so every recruiting one is made women-only here.
    const womenOnly = prepareCatalog(
      'women-only',
      trials.map((t) => ({ ...t, eligibility: { ...t.eligibility, sex: 'FEMALE' as const } })),
    );

    const evaluation = await screen(olderAdultInBaltimore({ travel_distance: 'any' }), womenOnly);

    expect(evaluation.results.length).toBeGreaterThan(0);
    expect(evaluation.results.filter((r) => r.eligibility !== 'ineligible')).toEqual([]);
  });

  it('never offers a trial that is not recruiting, even to a patient who fits it', async () => {
    // SPORT spinal stenosis (NCT00000411) is completed; this patient meets all its criteria.
    const fitsSport = adultWithChronicBackPain({
      diagnoses: ['spinal_stenosis'],
      pain_duration_weeks: 20,
      other_treatments: ['physical_therapy'],
      travel_distance: 'any',
    });

    const evaluation = await screen(fitsSport);

    const notRecruiting = new Set(trials.filter((t) => t.status !== 'RECRUITING').map((t) => t.nctId));
    expect(notRecruiting.has('NCT00000411')).toBe(true);
    expect(evaluation.results.filter((r) => notRecruiting.has(r.trialId))).toEqual([]);
  });

  it('never offers a site that is not recruiting', async () => {
    // NCT03507049's Stockholm site is "Active, not recruiting"; its Oslo site is recruiting.
    const inSweden = adultWithChronicBackPain({ country: 'se', postal_code: '11428', travel_distance: 'mi_100' });

    const evaluation = await screen(inSweden);

    const sacroiliac = evaluation.results.find((r) => r.trialId === 'NCT03507049');
    expect(sacroiliac?.nearestSite).toBeNull();
  });

  it('matches a patient by country where postal codes have no coordinates yet', async () => {
    const inNorway = adultWithChronicBackPain({ country: 'no', postal_code: '0372', travel_distance: 'mi_25' });

    const evaluation = await screen(inNorway);

    const sacroiliac = evaluation.results.find((r) => r.trialId === 'NCT03507049');
    expect(sacroiliac?.nearestSite).toMatchObject({ city: 'Oslo', country: 'Norway' });
  });
});

describe('evaluation of the shipped catalog with random answers', () => {
  it('never crashes, whatever the answers', async () => {
    await fc.assert(
      fc.asyncProperty(partialAnswersFor(screener), async (answers) => {
        const evaluation = await screen(answers);
        expect(['urgent_care', 'matches', 'no_matches']).toContain(evaluation.outcome);
      }),
      { numRuns: 200 },
    );
  });

  it('never marks a criterion met that an answer still to come could change', async () => {
    const redFlagsOff = Object.fromEntries(screener.questions.filter((q) => q.redFlag).map((q) => [q.id, false]));
    await fc.assert(
      fc.asyncProperty(partialAnswersFor(screener), completeAnswersFor(screener), async (partial, completion) => {
        const given = { ...partial, ...redFlagsOff };
        const before = await screen(given);
        const after = await screen({ ...completion, ...given });
        for (const result of before.results) {
          const later = after.results.find((r) => r.trialId === result.trialId)!;
          for (const criterion of result.criteria.filter((c) => c.result === 'met')) {
            expect([result.trialId, criterion.id, later.criteria.find((c) => c.id === criterion.id)?.result]).toEqual([
              result.trialId,
              criterion.id,
              'met',
            ]);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('never marks a criterion met when none of the questions it reads is answered', async () => {
    const byTrial = new Map(trials.map((t) => [t.nctId, t]));
    await fc.assert(
      fc.asyncProperty(partialAnswersFor(screener), async (answers) => {
        const evaluation = await screen(answers);
        for (const result of evaluation.results) {
          for (const criterion of result.criteria) {
            const authored = byTrial.get(result.trialId)?.criteria.find((c) => c.id === criterion.id);
            if (!authored) continue;
            const read = ruleVariables(authored.rule);
            if (read.every((id) => answers[id] === undefined)) expect(criterion.result).not.toBe('met');
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('never yields "met" by replacing any answer a criterion reads with "not sure", unless no answer to it could change the criterion', () => {
    const notSureQuestions = screener.questions.filter((q) => q.notSure);
    expect(notSureQuestions.length).toBeGreaterThan(0);
    const otherAnswers = fc.record(Object.fromEntries(notSureQuestions.map((q) => [q.id, anAnswerTo(q)])));
    fc.assert(
      fc.property(completeAnswersFor(screener), otherAnswers, (answers, others) => {
        for (const prepared of catalog.trials) {
          for (const criterion of prepared.criteria) {
            for (const questionId of criterion.rule.variables) {
              if (!notSureQuestions.some((q) => q.id === questionId)) continue;
              const evaluate = (given: Answers) => criterion.rule.evaluate(given);
              const withNotSure = evaluate({ ...answers, [questionId]: NOT_SURE });
              const unanswered = { ...answers };
              delete unanswered[questionId];
              const where = [prepared.trial.nctId, criterion.id, questionId];
              // "Not sure" reads exactly as no answer: unknown, never "no" nor any option.
              expect([...where, withNotSure]).toEqual([...where, evaluate(unanswered)]);
              if (withNotSure === true)
                expect([...where, evaluate({ ...answers, [questionId]: others[questionId]! })]).toEqual([...where, true]);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never marks a criterion met when every question it reads that offers "not sure" is answered so, and it reads no other', () => {
    const notSure = Object.fromEntries(screener.questions.filter((q) => q.notSure).map((q) => [q.id, NOT_SURE]));
    for (const prepared of catalog.trials) {
      for (const criterion of prepared.criteria) {
        if (criterion.rule.variables.every((id) => id in notSure)) {
          expect([prepared.trial.nctId, criterion.id, criterion.rule.evaluate(notSure)]).toEqual([
            prepared.trial.nctId,
            criterion.id,
            undefined,
          ]);
        }
      }
    }
  });
});

describe('the shipped catalog under the freshness rule', () => {
  it('makes no result referable without an in-date confirmation, and says why for each', async () => {
    const evaluation = await screen(olderAdultInBaltimore({ travel_distance: 'any' }));

    expect(evaluation.results.length).toBeGreaterThan(0);
    expect(evaluation.outcome).toBe('no_matches');
    for (const result of evaluation.results) {
      expect(result.freshness?.current).toBe(false);
      expect(result.freshness?.reason?.message).toMatch(/^This study may no longer be recruiting: /);
    }
  });
});
