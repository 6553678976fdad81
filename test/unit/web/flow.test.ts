import { describe, expect, it } from '@jest/globals';
import {
  answersToSubmit,
  checkAnswer,
  checkContact,
  choiceOptions,
  contactFieldOf,
  describeDistance,
  draftFromAnswer,
  firstQuestionId,
  formatRecordDate,
  groupResults,
  stopsForEmergency,
  urgentCareFromAnswers,
  nextQuestionId,
  previousQuestionId,
  progressOf,
  referableResults,
  questionToChange,
  nextUnansweredQuestionId,
  splitSummary,
  toggleOption,
  type ContactDraft,
} from '../../../web/src/flow';
import { NOT_SURE } from '#core/answers';
import type { Question } from '#core/model';
import { adultWithChronicBackPain, aScreener } from '#test/factories/screener';
import { aSite, aTrialResult } from './factories';

function questionOf(id: string): Question {
  return aScreener().questions.find((q) => q.id === id)!;
}

function aContactDraft(overrides: Partial<ContactDraft> = {}): ContactDraft {
  return {
    name: 'Alex Doe',
    email: 'alex@example.com',
    phone: '',
    trialIds: ['NCT01234567'],
    shareWithSites: true,
    phoneContact: false,
    ...overrides,
  };
}

describe('branching between questions', () => {
  it('starts with the first question of the screener', () => {
    expect(firstQuestionId(aScreener(), {})).toBe('diagnosed_lbp');
  });

  it('asks which medicines after a yes to having taken medicine', () => {
    const next = nextQuestionId(aScreener(), { diagnosed_lbp: true, took_medication: true }, 'took_medication');

    expect(next).toBe('medications');
  });

  it('asks which medicines are taken now after which were ever taken', () => {
    const next = nextQuestionId(aScreener(), { took_medication: true, medications: ['nsaids'] }, 'medications');

    expect(next).toBe('current_medications');
  });

  it('skips the medicines questions after a no to having taken medicine', () => {
    const next = nextQuestionId(aScreener(), { diagnosed_lbp: true, took_medication: false }, 'took_medication');

    expect(next).toBe('country');
  });

  it('asks about the opioid dose only of a patient who takes opioids now', () => {
    const screener = aScreener();
    const takesOpioids = { took_medication: true, medications: ['opioids'], current_medications: ['opioids'] };

    expect(nextQuestionId(screener, takesOpioids, 'current_medications')).toBe('opioid_high_dose');
    expect(nextQuestionId(screener, { ...takesOpioids, current_medications: ['none'] }, 'current_medications')).toBe('country');
  });

  it('asks about leg pain only when the pain goes down a leg', () => {
    const screener = aScreener();

    expect(nextQuestionId(screener, { pain_locations: ['one_leg'] }, 'pain_locations')).toBe('leg_pain_intensity');
    expect(nextQuestionId(screener, { pain_locations: ['lower_back'] }, 'pain_locations')).toBe('worse_with');
  });

  it('asks whether a cancer is current only after a yes (or not sure) to having had cancer', () => {
    const screener = aScreener();

    expect(nextQuestionId(screener, { sd_cancer: true }, 'other_conditions')).toBe('cancer_now');
    expect(nextQuestionId(screener, { sd_cancer: false }, 'other_conditions')).toBe('other_treatments');
  });

  it('asks when the last injection and operation were only after a yes', () => {
    const screener = aScreener();

    expect(nextQuestionId(screener, { had_spinal_injection: true }, 'had_spinal_injection')).toBe('last_spinal_injection');
    expect(nextQuestionId(screener, { had_spinal_injection: false }, 'had_spinal_injection')).toBe('had_back_surgery');
    expect(nextQuestionId(screener, { had_back_surgery: true, surgeries: ['discectomy'] }, 'surgeries')).toBe(
      'last_back_surgery',
    );
  });

  it('goes back past a question that no longer applies', () => {
    const previous = previousQuestionId(aScreener(), { diagnosed_lbp: true, took_medication: false }, 'country');

    expect(previous).toBe('took_medication');
  });

  it('has no next question after the last one', () => {
    expect(nextQuestionId(aScreener(), {}, 'travel_distance')).toBeUndefined();
  });

  it('counts only the questions that apply in the progress', () => {
    const screener = aScreener();
    const withMedicines = progressOf(screener, { took_medication: true, current_medications: ['nsaids'] }, 'country');
    const withoutMedicines = progressOf(screener, { took_medication: false }, 'country');

    // "Which medicines" and "which now" (the opioid dose is asked only of those who take opioids).
    expect(withoutMedicines).toEqual({ position: withMedicines.position - 2, total: withMedicines.total - 2 });
  });
});

describe('answersToSubmit', () => {
  it('drops the answer to a question hidden by a later change of an earlier answer', () => {
    const answers = { had_back_surgery: false, surgeries: ['discectomy'], age: 40 };

    expect(answersToSubmit(aScreener(), answers)).toEqual({ had_back_surgery: false, age: 40 });
  });

  it('keeps the answer to a question that still applies', () => {
    const answers = { had_back_surgery: true, surgeries: ['discectomy'] };

    expect(answersToSubmit(aScreener(), answers)).toEqual(answers);
  });
});

describe('checkAnswer', () => {
  it('asks for a choice when a required question has none', () => {
    expect(checkAnswer(questionOf('diagnosed_lbp'), undefined)).toEqual({ ok: false, message: 'Choose one answer to continue.' });
  });

  it('accepts no answer to an optional question', () => {
    expect(checkAnswer(questionOf('worse_with'), [])).toEqual({ ok: true, value: undefined });
  });

  it('turns a yes into true', () => {
    expect(checkAnswer(questionOf('rf_urine_retention'), 'yes')).toEqual({ ok: true, value: true });
  });

  it('turns digits into a number', () => {
    expect(checkAnswer(questionOf('age'), ' 45 ')).toEqual({ ok: true, value: 45 });
  });

  it('refuses a number that is not a whole number', () => {
    expect(checkAnswer(questionOf('age'), '4.5')).toMatchObject({ ok: false });
  });

  it('refuses a number above the maximum with the limit in words', () => {
    expect(checkAnswer(questionOf('age'), '130')).toEqual({ ok: false, message: 'Enter a number of at most 120 years.' });
  });

  it('normalises a postal code to upper case with single spaces', () => {
    expect(checkAnswer(questionOf('postal_code'), 'sw1a   1aa')).toEqual({ ok: true, value: 'SW1A 1AA' });
  });

  it('refuses a postal code with symbols', () => {
    expect(checkAnswer(questionOf('postal_code'), '10001!')).toMatchObject({ ok: false });
  });
});

describe('"Not sure"', () => {
  it('is offered after Yes and No on a yes/no question that allows it', () => {
    expect(choiceOptions(questionOf('pregnant')).map((o) => o.label)).toEqual(['Yes', 'No', 'Not sure']);
  });

  it('is offered apart from "None of these" on the diagnoses', () => {
    expect(
      choiceOptions(questionOf('diagnoses'))
        .slice(-2)
        .map((o) => o.label),
    ).toEqual(['None of these', 'Not sure']);
  });

  it('is not offered where the question does not allow it', () => {
    expect(choiceOptions(questionOf('had_back_surgery')).map((o) => o.label)).toEqual(['Yes', 'No']);
  });

  it('becomes the whole answer to a yes/no question', () => {
    expect(checkAnswer(questionOf('pregnant'), NOT_SURE)).toEqual({ ok: true, value: NOT_SURE });
  });

  it('becomes the whole answer, not a list, to a multi-choice question', () => {
    expect(checkAnswer(questionOf('diagnoses'), [NOT_SURE])).toEqual({ ok: true, value: NOT_SURE });
  });

  it('clears the other choices when ticked', () => {
    expect(toggleOption(questionOf('diagnoses'), ['sciatica', 'none'], NOT_SURE)).toEqual([NOT_SURE]);
  });

  it('is cleared when another choice is ticked', () => {
    expect(toggleOption(questionOf('diagnoses'), [NOT_SURE], 'sciatica')).toEqual(['sciatica']);
  });

  it('is shown ticked again when the patient comes back to the question', () => {
    expect(draftFromAnswer(questionOf('diagnoses'), NOT_SURE)).toEqual([NOT_SURE]);
  });
});

describe('a duration', () => {
  it('becomes an answer in the unit the patient chose', () => {
    expect(checkAnswer(questionOf('pain_duration'), ['3', 'M'])).toEqual({ ok: true, value: 'P3M' });
  });

  it('asks for a number when none was typed', () => {
    expect(checkAnswer(questionOf('pain_duration'), ['', 'W'])).toMatchObject({ ok: false });
  });

  it('refuses a number that is not whole', () => {
    expect(checkAnswer(questionOf('pain_duration'), ['2.5', 'W'])).toEqual({
      ok: false,
      message: 'Enter a whole number using digits only, for example 3.',
    });
  });

  it('shows the number and unit again when the patient comes back to the question', () => {
    expect(draftFromAnswer(questionOf('pain_duration'), 'P10D')).toEqual(['10', 'D']);
  });
});

describe('draftFromAnswer', () => {
  it('shows a stored false as "no" when the patient comes back to the question', () => {
    expect(draftFromAnswer(questionOf('took_medication'), false)).toBe('no');
  });

  it('shows nothing chosen for an unanswered question', () => {
    expect(draftFromAnswer(questionOf('took_medication'), undefined)).toBeUndefined();
  });
});

describe('toggleOption', () => {
  it('clears the other options when "None of these" is ticked', () => {
    expect(toggleOption(questionOf('worse_with'), ['sitting', 'walking'], 'none')).toEqual(['none']);
  });

  it('clears "None of these" when another option is ticked', () => {
    expect(toggleOption(questionOf('worse_with'), ['none'], 'sitting')).toEqual(['sitting']);
  });

  it('unticks a ticked option', () => {
    expect(toggleOption(questionOf('worse_with'), ['sitting', 'walking'], 'sitting')).toEqual(['walking']);
  });
});

describe('stopsForEmergency', () => {
  it('stops the form at a yes to an emergency sign', () => {
    expect(
      stopsForEmergency(aScreener(), { diagnosed_lbp: true, took_medication: false, country: 'no', rf_saddle_numbness: true }),
    ).toBe(true);
  });

  it('does not stop at a yes to a see-a-doctor sign, nor at "Not sure" to an emergency one', () => {
    expect(stopsForEmergency(aScreener(), { country: 'no', sd_cancer: true })).toBe(false);
    expect(stopsForEmergency(aScreener(), { country: 'no', rf_saddle_numbness: 'not_sure' })).toBe(false);
  });

  it('stops when a later answer completes an emergency sign: sudden severe pain, then an age over 50', () => {
    const answers = { country: 'us', rf_sudden_severe_pain: true, rf_faint: false };
    expect(stopsForEmergency(aScreener(), answers)).toBe(false);
    expect(stopsForEmergency(aScreener(), { ...answers, age: 64 })).toBe(true);
  });

  it('does not count an answer that a later change hid', () => {
    expect(stopsForEmergency(aScreener(), { country: 'us', rf_fever: false, rf_very_unwell: true })).toBe(false);
  });
});

describe('urgentCareFromAnswers', () => {
  it("shows only the patient's own country's numbers before the server replies", () => {
    const care = urgentCareFromAnswers(aScreener(), { country: 'gb', rf_incontinence: true });
    expect(care.numbers.emergency.map((phone) => phone.number)).toEqual(['999']);
    expect(care.action).toMatch(/A&E/);
  });
});

describe('results', () => {
  it('groups results by eligibility, and lists apart those that may fit but cannot take a request', () => {
    const eligible = aTrialResult({ trialId: 'NCT00000001', eligibility: 'eligible' });
    const possibly = aTrialResult({ trialId: 'NCT00000002', eligibility: 'possibly_eligible' });
    const ineligible = aTrialResult({
      trialId: 'NCT00000003',
      eligibility: 'ineligible',
      referable: false,
      notReferableReason: { code: 'INELIGIBLE', message: 'Not a match.' },
    });
    const onSiteOnly = aTrialResult({
      trialId: 'NCT00000004',
      referable: false,
      notReferableReason: { code: 'ON_SITE_ONLY', message: 'Only in its emergency department.' },
    });

    expect(groupResults([ineligible, possibly, eligible, onSiteOnly])).toEqual({
      eligible: [eligible],
      possiblyEligible: [possibly],
      notReferable: [onSiteOnly],
      ineligible: [ineligible],
    });
  });

  it('offers referral only to the trials the server says are referable', () => {
    const referable = aTrialResult({ trialId: 'NCT00000001', eligibility: 'possibly_eligible' });
    const outOfReach = aTrialResult({
      trialId: 'NCT00000003',
      nearestSite: null,
      referable: false,
      notReferableReason: { code: 'NO_SITE_IN_REACH', message: 'No site in reach.' },
    });

    expect(referableResults([referable, outOfReach])).toEqual([referable]);
  });

  it('offers no referral to a trial whose registry record is not current', () => {
    const stale = aTrialResult({
      referable: false,
      notReferableReason: { code: 'RECORD_STALE', message: 'This study may no longer be recruiting.' },
      freshness: {
        current: false,
        basis: 'none',
        reason: { code: 'RECORD_STALE', message: 'This study may no longer be recruiting.' },
      },
    });

    expect(referableResults([stale])).toEqual([]);
  });

  it('goes back, from a criterion not known, to the question answered "not sure"', () => {
    const answers = { sex: 'female', pregnant: 'not_sure' };

    expect(questionToChange(aScreener(), answers, ['sex', 'pregnant'])).toBe('pregnant');
  });

  it('goes back, from a criterion not met, to the first question it reads that applies', () => {
    const answers = { sex: 'male' };

    expect(questionToChange(aScreener(), answers, ['sex', 'pregnant'])).toBe('sex');
  });

  it('asks, after a changed answer, only the follow-up question the change brought in', () => {
    const answers = { ...adultWithChronicBackPain(), had_back_surgery: true };

    expect(nextUnansweredQuestionId(aScreener(), answers, 'had_back_surgery')).toBe('surgeries');
    expect(nextUnansweredQuestionId(aScreener(), adultWithChronicBackPain(), 'had_back_surgery')).toBeUndefined();
  });

  it('says where the site is when its distance is unknown under a travel limit', () => {
    const oslo = aSite({
      city: 'Oslo',
      country: 'Norway',
      distanceKm: undefined,
      distanceMiles: undefined,
      reach: 'distance_unknown',
    });

    expect(describeDistance(oslo)).toBe('distance unknown — the site is in Oslo');
  });

  it('describes a known distance in miles and kilometres', () => {
    expect(describeDistance(aSite({ distanceMiles: 12.4, distanceKm: 19.96 }))).toBe('about 12 miles (20 km) away');
  });

  it('writes long distances with thousands separators', () => {
    expect(describeDistance(aSite({ distanceMiles: 1984.5, distanceKm: 3193.7 }))).toBe('about 1,985 miles (3,194 km) away');
  });

  it('describes no distance when it is not known', () => {
    expect(describeDistance(aSite({ distanceMiles: undefined, distanceKm: undefined }))).toBeUndefined();
  });

  it('cuts a long summary at the end of a sentence and keeps the rest', () => {
    const summary = `${'A first sentence about the study. '.repeat(5)}${'More detail. '.repeat(30)}`;

    const { opening, rest } = splitSummary(summary, 100);

    expect([opening.endsWith('.'), `${opening} ${rest}`]).toEqual([true, summary.trim()]);
  });

  it('leaves a short summary whole', () => {
    expect(splitSummary('A short summary.')).toEqual({ opening: 'A short summary.', rest: '' });
  });

  it('writes the registry record date in words', () => {
    expect(formatRecordDate('2026-03-12')).toBe('12 March 2026');
  });
});

describe('checkContact', () => {
  it('accepts a complete contact form', () => {
    expect(checkContact(aContactDraft())).toEqual({});
  });

  it('requires the consent to share with the chosen sites', () => {
    expect(checkContact(aContactDraft({ shareWithSites: false }))).toHaveProperty('shareWithSites');
  });

  it('requires at least one chosen study', () => {
    expect(checkContact(aContactDraft({ trialIds: [] }))).toHaveProperty('trialIds');
  });

  it('refuses an email address without a domain', () => {
    expect(checkContact(aContactDraft({ email: 'alex@' }))).toHaveProperty('email');
  });

  it('refuses a phone number with letters', () => {
    expect(checkContact(aContactDraft({ phone: 'call me' }))).toHaveProperty('phone');
  });

  it('accepts a phone number with its country code and spaces', () => {
    expect(checkContact(aContactDraft({ phone: '+1 410 555 0123', phoneContact: true }))).toEqual({});
  });

  it('refuses consent to phone contact without a phone number', () => {
    expect(checkContact(aContactDraft({ phoneContact: true }))).toHaveProperty('phoneContact');
  });
});

describe('contactFieldOf', () => {
  it('maps the API path of the email to the email field', () => {
    expect(contactFieldOf(['contact', 'email'])).toBe('email');
  });

  it('maps nothing for a path outside the contact form', () => {
    expect(contactFieldOf(['answers', 'age'])).toBeUndefined();
  });
});
