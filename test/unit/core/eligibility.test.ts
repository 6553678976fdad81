import { describe, expect, it } from '@jest/globals';
import { criteriaOf, decideCriteria, evaluateScreening, prepareCatalog } from '#core/eligibility';
import type { PatientLocation } from '#core/geo';
import type { Answers, Trial } from '#core/model';
import { aCriterion, aSite, aTrial, PLACES } from '#test/factories/catalog';
import { adultWithChronicBackPain, aScreener } from '#test/factories/screener';

const screener = aScreener();
const inBaltimore: PatientLocation = { countryIso2: 'US', point: PLACES.baltimore, maxDistanceKm: 80.47 };

function screen(trials: Trial[], answers: Answers = adultWithChronicBackPain(), location: PatientLocation = inBaltimore) {
  return evaluateScreening(screener, prepareCatalog('v1', trials), answers, location);
}

function onlyResult(trial: Trial, answers?: Answers, location?: PatientLocation) {
  const [result] = screen([trial], answers, location).results;
  if (!result) throw new Error('the trial was not evaluated');
  return result;
}

const notPregnant = aCriterion({
  id: 'not-pregnant',
  kind: 'exclusion',
  text: 'You are not pregnant',
  rule: { or: [{ '==': [{ var: 'sex' }, 'male'] }, { '==': [{ var: 'pregnant' }, false] }] },
});
const noOpioids = aCriterion({
  id: 'no-opioids',
  kind: 'exclusion',
  text: 'You are not taking strong painkillers (opioids)',
  rule: { '!': { in: ['opioids', { var: 'medications' }] } },
});

describe('prepareCatalog', () => {
  it('indexes the trials by NCT id', () => {
    const trial = aTrial();
    expect(prepareCatalog('v1', [trial]).byId.get(trial.nctId)?.trial).toBe(trial);
  });

  it('refuses a criterion with an unsupported operator, naming the trial and criterion', () => {
    const trial = aTrial({ nctId: 'NCT01234567', criteria: [aCriterion({ id: 'bad-rule', rule: { reduce: [[1], 1, 0] } })] });
    expect(() => prepareCatalog('v1', [trial])).toThrow(
      'Trial NCT01234567, criterion bad-rule: Rule uses unsupported operators: reduce',
    );
  });

  it('lists the questions a trial reads, with age and sex, for the lead email', () => {
    const prepared = prepareCatalog('v1', [aTrial({ criteria: [noOpioids] })]).trials[0]!;
    expect([...prepared.qualifyingQuestionIds]).toEqual(['age', 'sex', 'medications']);
  });

  it('compiles a rule written alike in several trials once', () => {
    const [first, second] = prepareCatalog('v1', [aTrial({ criteria: [noOpioids] }), aTrial({ criteria: [noOpioids] })]).trials;
    expect(first!.criteria[1]!.rule).toBe(second!.criteria[1]!.rule);
  });
});

describe('decideCriteria', () => {
  const chronic = aCriterion({ id: 'chronic' });

  it("decides each criterion as a code and each trial's eligibility as a code, trial after trial", () => {
    const catalog = prepareCatalog('v1', [aTrial({ criteria: [noOpioids, chronic] }), aTrial({ criteria: [noOpioids] })]);
    const answers = adultWithChronicBackPain({ pain_duration: undefined });
    const decided = decideCriteria(catalog, screener.id, answers);
    expect([...decided.criteriaStart]).toEqual([0, 3, 5]);
    // age-min met, no-opioids met, chronic unknown; age-min met, no-opioids met.
    expect([...decided.codes]).toEqual([1, 1, 2, 1, 1]);
    expect([...decided.eligibility]).toEqual([1, 0]);
  });

  it('decides only the offered trials its screener screens, in catalog order', () => {
    const closed = aTrial({ nctId: 'NCT00000002', status: 'COMPLETED' });
    const elsewhere = aTrial({ nctId: 'NCT00000003', screenerIds: ['another-screener'] });
    const offered = aTrial({ nctId: 'NCT00000004' });
    const catalog = prepareCatalog('v1', [closed, elsewhere, offered]);
    const decided = decideCriteria(catalog, screener.id, adultWithChronicBackPain());
    expect(decided.trials.map((prepared) => prepared.trial.nctId)).toEqual(['NCT00000004']);
  });

  it('decides nothing for a screener no trial is screened by', () => {
    const decided = decideCriteria(prepareCatalog('v1', [aTrial()]), 'another-screener', adultWithChronicBackPain());
    expect([decided.trials.length, decided.codes.length, decided.eligibility.length]).toEqual([0, 0, 0]);
  });

  it('gives a trial its criteria joined to their results, in order, with its eligibility', () => {
    const catalog = prepareCatalog('v1', [aTrial({ criteria: [noOpioids, chronic] })]);
    const answers = adultWithChronicBackPain({ medications: ['opioids'], pain_duration: undefined });
    const evaluation = criteriaOf(decideCriteria(catalog, screener.id, answers), 0);
    expect(evaluation).toEqual({
      eligibility: 'ineligible',
      criteria: [
        { id: 'age-min', kind: 'inclusion', text: 'You are 18 or older', result: 'met', basedOn: ['age'] },
        {
          id: 'no-opioids',
          kind: 'exclusion',
          text: 'You are not taking strong painkillers (opioids)',
          result: 'not_met',
          basedOn: ['medications'],
        },
        {
          id: 'chronic',
          kind: 'inclusion',
          text: 'You have had back pain for at least 12 weeks',
          result: 'unknown',
          basedOn: ['pain_duration'],
        },
      ],
    });
  });
});

describe('evaluateScreening', () => {
  it('finds a patient who meets every criterion eligible', () => {
    expect(onlyResult(aTrial({ criteria: [noOpioids] })).eligibility).toBe('eligible');
  });

  it('finds a patient who fails one criterion ineligible', () => {
    const answers = adultWithChronicBackPain({ medications: ['nsaids', 'opioids'] });
    expect(onlyResult(aTrial({ criteria: [noOpioids] }), answers).eligibility).toBe('ineligible');
  });

  it('marks a criterion over an unanswered question unknown, never met', () => {
    const answers = adultWithChronicBackPain({ pain_duration: undefined });
    const result = onlyResult(aTrial({ criteria: [aCriterion({ id: 'chronic' })] }), answers);
    expect(result.criteria.find((criterion) => criterion.id === 'chronic')?.result).toBe('unknown');
  });

  it('finds a patient possibly eligible when an answer a criterion needs is missing', () => {
    const answers = adultWithChronicBackPain({ pain_duration: undefined });
    expect(onlyResult(aTrial({ criteria: [aCriterion()] }), answers).eligibility).toBe('possibly_eligible');
  });

  it('finds a patient ineligible when one criterion fails even if another is unknown', () => {
    const answers = adultWithChronicBackPain({ pain_duration: undefined, medications: ['opioids'] });
    expect(onlyResult(aTrial({ criteria: [aCriterion(), noOpioids] }), answers).eligibility).toBe('ineligible');
  });

  it('meets a pregnancy exclusion for a man, whose pregnancy question is hidden', () => {
    const answers = adultWithChronicBackPain({ sex: 'male', pregnant: undefined });
    expect(onlyResult(aTrial({ criteria: [notPregnant] }), answers).criteria.at(-1)?.result).toBe('met');
  });

  describe("with the registry's age and sex limits", () => {
    const adultsUpTo65: Trial['eligibility'] = { minAgeYears: 18, maxAgeYears: 65, sex: 'ALL', healthyVolunteers: false };

    it('states the age limits as criteria, before the authored ones', () => {
      const result = onlyResult(aTrial({ eligibility: adultsUpTo65, criteria: [noOpioids] }));
      expect(result.criteria.map((criterion) => [criterion.id, criterion.text])).toEqual([
        ['age-min', 'You are 18 or older'],
        ['age-max', 'You are 65 or younger'],
        ['no-opioids', 'You are not taking strong painkillers (opioids)'],
      ]);
    });

    it('turns away a patient younger than the minimum age', () => {
      expect(onlyResult(aTrial({ eligibility: adultsUpTo65 }), adultWithChronicBackPain({ age: 17 })).eligibility).toBe(
        'ineligible',
      );
    });

    it('turns away a patient older than the maximum age', () => {
      expect(onlyResult(aTrial({ eligibility: adultsUpTo65 }), adultWithChronicBackPain({ age: 66 })).eligibility).toBe(
        'ineligible',
      );
    });

    it('accepts a patient exactly at the maximum age', () => {
      expect(onlyResult(aTrial({ eligibility: adultsUpTo65 }), adultWithChronicBackPain({ age: 65 })).eligibility).toBe(
        'eligible',
      );
    });

    it('turns away a man from a study for women', () => {
      const forWomen = aTrial({ eligibility: { ...adultsUpTo65, sex: 'FEMALE' } });
      const result = onlyResult(forWomen, adultWithChronicBackPain({ sex: 'male', pregnant: undefined }));
      expect(result.criteria.find((criterion) => criterion.id === 'sex')).toMatchObject({
        text: 'This study is for women',
        result: 'not_met',
      });
    });

    it('leaves the sex limit unknown when the patient skipped the question', () => {
      const forMen = aTrial({ eligibility: { ...adultsUpTo65, sex: 'MALE' } });
      const result = onlyResult(forMen, adultWithChronicBackPain({ sex: undefined }));
      expect(result.criteria.find((criterion) => criterion.id === 'sex')).toMatchObject({
        text: 'This study is for men',
        result: 'unknown',
      });
    });
  });

  it('never offers a trial that is not recruiting', () => {
    const closed = aTrial({ status: 'ACTIVE_NOT_RECRUITING' });
    expect(screen([closed, aTrial({ status: 'NOT_YET_RECRUITING' })]).results).toEqual([]);
  });

  it('never offers a trial screened by another screener', () => {
    expect(screen([aTrial({ screenerIds: ['knee-pain'] })]).results).toEqual([]);
  });

  it('orders results eligible, possibly eligible, then ineligible', () => {
    const ineligible = aTrial({ eligibility: { minAgeYears: 65, maxAgeYears: null, sex: 'ALL', healthyVolunteers: false } });
    const possibly = aTrial({ criteria: [aCriterion({ rule: { in: ['sitting', { var: 'worse_with' }] } })] });
    const eligible = aTrial();
    const results = screen([ineligible, possibly, eligible]).results;
    expect(results.map((result) => result.trialId)).toEqual([eligible.nctId, possibly.nctId, ineligible.nctId]);
  });

  it('orders equally eligible trials nearest first', () => {
    const washington = aTrial({ sites: [aSite({ geo: PLACES.washington })] });
    const baltimore = aTrial({ sites: [aSite({ geo: PLACES.baltimore })] });
    expect(screen([washington, baltimore]).results.map((result) => result.trialId)).toEqual([baltimore.nctId, washington.nctId]);
  });

  it("orders trials with a site in the patient's country first when no distance is known", () => {
    const inOslo: PatientLocation = { countryIso2: 'NO', maxDistanceKm: null };
    const chicago = aTrial({ sites: [aSite({ geo: PLACES.chicago, city: 'Chicago' })] });
    const oslo = aTrial({ sites: [aSite({ geo: PLACES.oslo, city: 'Oslo', country: 'Norway' })] });
    const results = screen(
      [chicago, oslo],
      adultWithChronicBackPain({ country: 'no', postal_code: '0450', travel_distance: 'any' }),
      inOslo,
    ).results;
    expect(results.map((result) => result.trialId)).toEqual([oslo.nctId, chicago.nctId]);
  });

  it('reports a match when an eligible trial has a site within reach', () => {
    expect(screen([aTrial()]).outcome).toBe('matches');
  });

  it('reports no match when the only eligible trial has no site within reach', () => {
    const farAway = aTrial({ sites: [aSite({ geo: PLACES.newYork })] });
    expect(screen([farAway])).toMatchObject({ outcome: 'no_matches', results: [{ trialId: farAway.nctId, nearestSite: null }] });
  });

  it('reports no match when every trial is ineligible', () => {
    expect(screen([aTrial()], adultWithChronicBackPain({ age: 16 })).outcome).toBe('no_matches');
  });

  it('gives the nearest recruiting site with its distance', () => {
    const site = aSite({ geo: PLACES.washington });
    expect(onlyResult(aTrial({ sites: [site] })).nearestSite).toMatchObject({
      siteId: site.siteId,
      distanceKm: expect.any(Number),
      acceptsReferrals: true,
    });
  });

  it("gives the study's contact when no site can take a referral", () => {
    const trial = aTrial({
      sites: [aSite({ contact: undefined })],
      centralContact: { name: 'Study office', phone: '+1 410 555 0123' },
    });
    expect(onlyResult(trial).studyContact).toEqual({ name: 'Study office', phone: '+1 410 555 0123' });
  });

  it("gives the site's phone when neither the site nor the study has an email", () => {
    const trial = aTrial({ sites: [aSite({ contact: { name: 'Front desk', phone: '+1 410 555 0199' } })] });
    expect(onlyResult(trial).studyContact).toEqual({ name: 'Front desk', phone: '+1 410 555 0199' });
  });

  it('gives no study contact when the site can take a referral', () => {
    const trial = aTrial({ centralContact: { name: 'Study office', phone: '+1 410 555 0123' } });
    expect(onlyResult(trial)).not.toHaveProperty('studyContact');
  });

  it('returns the trial facts the results page shows', () => {
    const trial = aTrial({ phase: 'PHASE2' });
    expect(onlyResult(trial)).toMatchObject({
      trialId: trial.nctId,
      title: trial.title,
      summary: trial.summary,
      phase: 'PHASE2',
      recordDate: trial.recordDate,
    });
  });

  it('names the questions each criterion is based on, the registry limits included', () => {
    const result = onlyResult(aTrial({ criteria: [notPregnant] }));
    expect(result.criteria.map((criterion) => [criterion.id, criterion.basedOn])).toEqual([
      ['age-min', ['age']],
      ['not-pregnant', ['sex', 'pregnant']],
    ]);
  });

  it('makes a criterion that reads a "not sure" answer unknown, and the trial possibly eligible', () => {
    const result = onlyResult(aTrial({ criteria: [notPregnant] }), adultWithChronicBackPain({ pregnant: 'not_sure' }));
    expect([result.criteria[1]?.result, result.eligibility]).toEqual(['unknown', 'possibly_eligible']);
  });

  it("reads a duration in the patient's own unit as weeks", () => {
    const result = onlyResult(
      aTrial({ criteria: [aCriterion({ id: 'chronic' })] }),
      adultWithChronicBackPain({ pain_duration: 'P3M' }),
    );
    expect(result.criteria[1]?.result).toBe('met');
  });

  it('says what is left to the study team', () => {
    const trial = aTrial({ leftToStudyTeam: ['Your blood test results.'] });
    expect(onlyResult(trial).leftToStudyTeam).toEqual(['Your blood test results.']);
  });

  it("gives our plain summary beside the registry's", () => {
    const trial = aTrial({ plainSummary: 'This study tests an exercise programme.' });
    expect(onlyResult(trial)).toMatchObject({ summary: trial.summary, plainSummary: 'This study tests an exercise programme.' });
  });

  it('makes an eligible trial with a site in reach referable', () => {
    expect(onlyResult(aTrial())).toMatchObject({ referable: true });
    expect(onlyResult(aTrial())).not.toHaveProperty('notReferableReason');
  });

  it('shows a trial that enrols only on site, never referable, with its reason', () => {
    const trial = aTrial({ onSiteOnly: 'Only patients who come to its emergency department.' });
    expect(onlyResult(trial)).toMatchObject({
      eligibility: 'eligible',
      referable: false,
      notReferableReason: { code: 'ON_SITE_ONLY', message: 'Only patients who come to its emergency department.' },
    });
  });

  it('reports no match when the only eligible trial enrols only on site', () => {
    expect(screen([aTrial({ onSiteOnly: 'Only in its emergency department.' })]).outcome).toBe('no_matches');
  });
});
