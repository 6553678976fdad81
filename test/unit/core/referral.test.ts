import { describe, expect, it } from '@jest/globals';
import { evaluateScreening, prepareCatalog } from '#core/eligibility';
import { DomainError } from '#core/errors';
import type { PatientLocation } from '#core/geo';
import type { Answers, Trial } from '#core/model';
import { planReferral } from '#core/referral';
import { aCriterion, aSite, aTrial, PLACES } from '#test/factories/catalog';
import { adultWithChronicBackPain, aScreener } from '#test/factories/screener';

const screener = aScreener();
const inBaltimore: PatientLocation = { countryIso2: 'US', point: PLACES.baltimore, maxDistanceKm: 80.47 };

/** Screens the answers against the trials, then plans a referral to the chosen trials. */
function refer(trials: Trial[], trialIds: string[], answers: Answers = adultWithChronicBackPain()) {
  const catalog = prepareCatalog('v1', trials);
  const { outcome, results } = evaluateScreening(screener, catalog, answers, inBaltimore);
  return planReferral({ screener, outcome, results, answers, catalog, trialIds });
}

function refusal(act: () => unknown): DomainError {
  try {
    act();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

const chronicPain = aCriterion({ id: 'chronic', text: 'You have had back pain for at least 12 weeks' });

describe('planReferral', () => {
  it('refuses a referral for an urgent-care screening', () => {
    const trial = aTrial();
    expect(refusal(() => refer([trial], [trial.nctId], adultWithChronicBackPain({ rf_saddle_numbness: true }))).code).toBe(
      'REFERRAL_NOT_ALLOWED',
    );
  });

  it('refuses a trial that was not among the screening results', () => {
    expect(refusal(() => refer([aTrial()], ['NCT99999999'])).details).toEqual([
      { path: ['trialIds', 0], message: 'Study NCT99999999 was not among the results of this screening.' },
    ]);
  });

  it('refuses a trial the patient is ineligible for', () => {
    const trial = aTrial();
    const error = refusal(() => refer([trial], [trial.nctId], adultWithChronicBackPain({ age: 17 })));
    expect(error).toMatchObject({
      code: 'TRIAL_NOT_REFERABLE',
      details: [{ message: `Study ${trial.nctId} is not a match for the answers given.` }],
    });
  });

  it('refuses a trial with no recruiting site within reach', () => {
    const trial = aTrial({ sites: [aSite({ geo: PLACES.chicago })] });
    expect(refusal(() => refer([trial], [trial.nctId])).details?.[0]?.message).toBe(
      `Study ${trial.nctId} has no recruiting site within reach.`,
    );
  });

  it('refuses a trial whose site cannot receive a lead', () => {
    const trial = aTrial({ sites: [aSite({ contact: { phone: '+1 410 555 0199' } })] });
    expect(refusal(() => refer([trial], [trial.nctId])).details?.[0]?.message).toBe(
      `Study ${trial.nctId} cannot receive referrals; contact the study directly.`,
    );
  });

  it('plans nothing when any chosen trial is refused', () => {
    const good = aTrial();
    const closedToReferrals = aTrial({ sites: [aSite({ contact: undefined })] });
    expect(refusal(() => refer([good, closedToReferrals], [good.nctId, closedToReferrals.nctId])).details).toEqual([
      { path: ['trialIds', 1], message: expect.stringContaining(closedToReferrals.nctId) },
    ]);
  });

  it('plans one lead per trial even when a trial is chosen twice', () => {
    const trial = aTrial();
    expect(refer([trial], [trial.nctId, trial.nctId])).toHaveLength(1);
  });

  it('plans a lead for a possibly eligible patient', () => {
    const trial = aTrial({ criteria: [chronicPain] });
    expect(refer([trial], [trial.nctId], adultWithChronicBackPain({ pain_duration: undefined }))).toHaveLength(1);
  });

  it('addresses the lead to the matched site and its coordinator', () => {
    const site = aSite({ contact: { name: 'Alex Coordinator', email: 'alex@example.org' } });
    const trial = aTrial({ sites: [site] });
    const [plan] = refer([trial], [trial.nctId]);
    expect(plan).toMatchObject({
      trialId: trial.nctId,
      trialTitle: trial.title,
      site: {
        siteId: site.siteId,
        facility: site.facility,
        city: 'Baltimore',
        state: 'Maryland',
        postalCode: '21205',
        country: 'United States',
      },
      recipient: { name: 'Alex Coordinator', email: 'alex@example.org' },
    });
  });

  it("addresses the lead to the study's central contact when the site has no email", () => {
    const trial = aTrial({
      sites: [aSite({ contact: undefined })],
      centralContact: { name: 'Study office', email: 'study@example.org' },
    });
    expect(refer([trial], [trial.nctId])[0]?.recipient).toEqual({ name: 'Study office', email: 'study@example.org' });
  });

  it('tells the site the answers its criteria read, with age and sex, in screener order and plain words', () => {
    const noOpioids = aCriterion({ rule: { '!': { in: ['opioids', { var: 'medications' }] } } });
    const trial = aTrial({ criteria: [chronicPain, noOpioids] });
    expect(refer([trial], [trial.nctId])[0]?.qualifyingAnswers).toEqual([
      {
        question: 'Which medicines have you taken for it, now or in the past?',
        answer: 'Anti-inflammatory painkillers (NSAIDs), such as ibuprofen or naproxen',
      },
      { question: 'How long have you had this back pain?', answer: '6 months' },
      { question: 'How old are you?', answer: '45 years' },
      { question: 'What sex were you assigned at birth?', answer: 'Female' },
    ]);
  });

  it('leaves out qualifying questions the patient did not answer', () => {
    const trial = aTrial();
    const questions = refer([trial], [trial.nctId], adultWithChronicBackPain({ sex: undefined }))[0]?.qualifyingAnswers.map(
      (qa) => qa.question,
    );
    expect(questions).toEqual(['How old are you?']);
  });

  it('lists the criteria the patient met', () => {
    const trial = aTrial({ criteria: [chronicPain] });
    expect(refer([trial], [trial.nctId])[0]?.criteriaMet).toEqual([
      'You are 18 or older',
      'You have had back pain for at least 12 weeks',
    ]);
  });

  it('never lists "not sure" among the answers that qualified the patient', () => {
    const trial = aTrial({ criteria: [aCriterion({ rule: { '==': [{ var: 'pregnant' }, false] } })] });
    const answers = adultWithChronicBackPain({ pregnant: 'not_sure' });

    const plan = refer([trial], [trial.nctId], answers)[0]!;

    expect(plan.qualifyingAnswers.map((qa) => qa.answer)).not.toContain('Not sure');
  });

  it('tells the site what the form could not decide, what is left to it, and the screener version', () => {
    const trial = aTrial({
      criteria: [aCriterion({ text: 'You are not pregnant', rule: { '==': [{ var: 'pregnant' }, false] } })],
      leftToStudyTeam: ['Your blood tests.'],
    });

    const plan = refer([trial], [trial.nctId], adultWithChronicBackPain({ pregnant: 'not_sure' }))[0]!;

    expect(plan.screening).toEqual({
      eligibility: 'possibly_eligible',
      criteriaUnknown: ['You are not pregnant'],
      leftToStudyTeam: ['Your blood tests.'],
      patientArea: 'ZIP 212xx',
      recordDate: trial.recordDate,
      screenerVersion: aScreener().version,
    });
  });
});
