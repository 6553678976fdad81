import { describe, expect, it } from '@jest/globals';
import { NOT_SURE } from '#core/answers';
import { Question as QuestionSchema, type Question } from '#core/model';
import { applicableQuestions, describeAnswer, validateAnswers } from '#core/screener';
import { adultWithChronicBackPain, answersFor, aScreener } from '#test/factories/screener';

const screener = aScreener();
const today = '2026-06-01';

function question(id: string): Question {
  const found = screener.questions.find((q) => q.id === id);
  if (!found) throw new Error(`no question ${id}`);
  return found;
}

function applicableIds(answers: Record<string, unknown>): string[] {
  return applicableQuestions(screener, answers as never).map((q) => q.id);
}

function issuesFor(raw: unknown) {
  const validation = validateAnswers(screener, raw, { today });
  return validation.ok ? [] : validation.issues;
}

function aDateQuestion(): Question {
  return { id: 'pain_started', type: 'date', label: 'When did the pain start?', required: false };
}

describe('applicableQuestions', () => {
  it('hides the pregnancy question for men', () => {
    expect(applicableIds({ sex: 'male' })).not.toContain('pregnant');
  });

  it('asks about pregnancy when sex is not answered', () => {
    expect(applicableIds({})).toContain('pregnant');
  });

  it('keeps a question whose condition reads a "not sure" answer: unknown never hides a question', () => {
    const withNotSure = aScreener();
    withNotSure.questions.find((q) => q.id === 'took_medication')!.notSure = true;
    expect(applicableQuestions(withNotSure, { took_medication: NOT_SURE }).map((q) => q.id)).toContain('medications');
  });

  it('hides the list of medicines when no medicine was taken', () => {
    expect(applicableIds({ took_medication: false })).not.toContain('medications');
  });

  it('asks which medicines once the patient says they took some', () => {
    expect(applicableIds({ took_medication: true })).toContain('medications');
  });

  it('hides the postal code for patients in another country', () => {
    expect(applicableIds({ country: 'other' })).not.toContain('postal_code');
  });

  it('keeps the screener order', () => {
    expect(applicableIds({})).toEqual(screener.questions.map((q) => q.id));
  });
});

describe('validateAnswers', () => {
  it('accepts a complete answer set', () => {
    const answers = adultWithChronicBackPain();
    expect(validateAnswers(screener, answers, { today })).toEqual({ ok: true, answers });
  });

  it('accepts the plain answers the factory derives from the screener', () => {
    expect(validateAnswers(screener, answersFor(screener), { today }).ok).toBe(true);
  });

  it('accepts "not sure" as the whole answer to a yes/no question that offers it', () => {
    expect(issuesFor(adultWithChronicBackPain({ pregnant: NOT_SURE }))).toEqual([]);
  });

  it('accepts "not sure" as the whole answer to a multi-choice question that offers it', () => {
    expect(issuesFor(adultWithChronicBackPain({ diagnoses: NOT_SURE }))).toEqual([]);
  });

  it('refuses "not sure" as one choice in a list', () => {
    expect(issuesFor(adultWithChronicBackPain({ diagnoses: [NOT_SURE] }))).toEqual([
      { path: ['answers', 'diagnoses'], message: 'Choose only from the options given.' },
    ]);
  });

  it('refuses "not sure" to a question that does not offer it', () => {
    expect(issuesFor(adultWithChronicBackPain({ had_back_surgery: NOT_SURE }))).toContainEqual({
      path: ['answers', 'had_back_surgery'],
      message: 'Answer yes or no.',
    });
  });

  it('does not take a "not sure" red flag for a "yes": the other required answers are still needed', () => {
    expect(
      issuesFor({ diagnosed_lbp: true, took_medication: false, country: 'us', rf_urine_retention: NOT_SURE }).length,
    ).toBeGreaterThan(1);
  });

  it('accepts a duration in the unit the patient chose', () => {
    expect(issuesFor(adultWithChronicBackPain({ pain_duration: 'P10D' }))).toEqual([]);
  });

  it('refuses a duration that is not a whole number of days, weeks, months or years', () => {
    expect(issuesFor(adultWithChronicBackPain({ pain_duration: '3 months' }))).toEqual([
      {
        path: ['answers', 'pain_duration'],
        message: 'Give a whole number of days, weeks, months or years, such as P3M for 3 months.',
      },
    ]);
  });

  it('refuses a duration longer than the question allows', () => {
    expect(issuesFor(adultWithChronicBackPain({ pain_duration: 'P200Y' }))).toEqual([
      { path: ['answers', 'pain_duration'], message: 'Enter a number from 0 to 5200 weeks.' },
    ]);
  });

  it('refuses answers that are not an object', () => {
    expect(issuesFor(['yes'])).toEqual([{ path: ['answers'], message: expect.any(String) }]);
  });

  it('refuses an answer to a question the screener does not have, without repeating its key', () => {
    expect(issuesFor(adultWithChronicBackPain({ favourite_colour: 'blue' }))).toEqual([
      { path: ['answers'], message: 'One answer is not to a question in this screener.' },
    ]);
  });

  it('reports many unknown answer keys as one issue of constant size', () => {
    const hostile = Object.fromEntries(Array.from({ length: 1500 }, (_, index) => [`<key-${index}-${'x'.repeat(20)}>`, 1]));

    const issues = issuesFor(adultWithChronicBackPain(hostile));

    expect(issues).toEqual([{ path: ['answers'], message: '1500 answers are not to questions in this screener.' }]);
  });

  it('refuses an answer to the pregnancy question from a man', () => {
    expect(issuesFor(adultWithChronicBackPain({ sex: 'male', pregnant: false }))).toEqual([
      { path: ['answers', 'pregnant'], message: 'This question does not apply given your other answers.' },
    ]);
  });

  it('refuses a list of medicines from a patient who took none', () => {
    expect(issuesFor(adultWithChronicBackPain({ took_medication: false, medications: ['nsaids'] }))).toEqual([
      { path: ['answers', 'medications'], message: 'This question does not apply given your other answers.' },
    ]);
  });

  it('accepts a man who skips the pregnancy question', () => {
    expect(validateAnswers(screener, adultWithChronicBackPain({ sex: 'male', pregnant: undefined }), { today }).ok).toBe(true);
  });

  it('requires the pregnancy question when sex is skipped', () => {
    expect(issuesFor(adultWithChronicBackPain({ sex: undefined, pregnant: undefined }))).toEqual([
      { path: ['answers', 'pregnant'], message: 'This question needs an answer.' },
    ]);
  });

  it('reports a missing required answer', () => {
    expect(issuesFor(adultWithChronicBackPain({ age: undefined }))).toEqual([
      { path: ['answers', 'age'], message: 'This question needs an answer.' },
    ]);
  });

  it('accepts a red-flag submission with only the answers given so far', () => {
    const raw = { diagnosed_lbp: true, took_medication: false, country: 'us', rf_urine_retention: true };
    expect(validateAnswers(screener, raw, { today })).toEqual({ ok: true, answers: raw });
  });

  it('still refuses a malformed answer in a red-flag submission', () => {
    expect(issuesFor({ rf_urine_retention: true, age: 'old' })).toEqual([
      { path: ['answers', 'age'], message: 'Enter a number.' },
    ]);
  });

  it('refuses a yes/no answer that is not a boolean', () => {
    expect(issuesFor(adultWithChronicBackPain({ diagnosed_lbp: 'yes' }))).toEqual([
      { path: ['answers', 'diagnosed_lbp'], message: 'Answer yes or no.' },
    ]);
  });

  it('refuses a single choice that is not one of the options', () => {
    expect(issuesFor(adultWithChronicBackPain({ travel_distance: 'mi_500' }))).toEqual([
      { path: ['answers', 'travel_distance'], message: 'Choose one of the options.' },
    ]);
  });

  it('refuses an empty multiple choice', () => {
    expect(issuesFor(adultWithChronicBackPain({ pain_locations: [] }))).toContainEqual({
      path: ['answers', 'pain_locations'],
      message: 'Choose at least one option.',
    });
  });

  it('refuses the same option chosen twice', () => {
    expect(issuesFor(adultWithChronicBackPain({ pain_locations: ['lower_back', 'lower_back'] }))).toContainEqual({
      path: ['answers', 'pain_locations'],
      message: 'Choose each option only once.',
    });
  });

  it('refuses "None of these" combined with another option', () => {
    expect(issuesFor(adultWithChronicBackPain({ other_treatments: ['none', 'massage'] }))).toEqual([
      { path: ['answers', 'other_treatments'], message: '"None of these" cannot be combined with other options.' },
    ]);
  });

  it('accepts "None of these" on its own', () => {
    expect(validateAnswers(screener, adultWithChronicBackPain({ other_treatments: ['none'] }), { today }).ok).toBe(true);
  });

  it('refuses a number outside the question range', () => {
    expect(issuesFor(adultWithChronicBackPain({ age: 121 }))).toEqual([
      { path: ['answers', 'age'], message: 'Enter a number from 0 to 120 years.' },
    ]);
  });

  it('refuses a postal code with characters a postal code never has', () => {
    expect(issuesFor(adultWithChronicBackPain({ postal_code: '<script>' }))).toEqual([
      { path: ['answers', 'postal_code'], message: 'Enter a postal code of 2 to 10 letters, digits, spaces or hyphens.' },
    ]);
  });

  it('trims the postal code', () => {
    const validation = validateAnswers(screener, adultWithChronicBackPain({ postal_code: ' SW1A 1AA ' }), { today });
    expect(validation.ok && validation.answers.postal_code).toBe('SW1A 1AA');
  });

  it('never repeats the submitted value in a message', () => {
    const issues = issuesFor(adultWithChronicBackPain({ age: 'forty-two', postal_code: 'secret!!', sex: 'unknown-sex' }));
    expect(JSON.stringify(issues)).not.toMatch(/forty-two|secret|unknown-sex/);
  });

  it('reports every problem at once', () => {
    expect(issuesFor(adultWithChronicBackPain({ age: undefined, country: 'mars' })).map((issue) => issue.path)).toEqual([
      ['answers', 'country'],
      ['answers', 'age'],
    ]);
  });

  describe('for date questions', () => {
    const withDate = { ...screener, questions: [...screener.questions, aDateQuestion()] };

    it('accepts a past date', () => {
      expect(validateAnswers(withDate, adultWithChronicBackPain({ pain_started: '2024-02-29' }), { today }).ok).toBe(true);
    });

    it('refuses a date that does not exist', () => {
      const validation = validateAnswers(withDate, adultWithChronicBackPain({ pain_started: '2023-02-29' }), { today });
      expect(validation.ok ? [] : validation.issues).toEqual([
        { path: ['answers', 'pain_started'], message: 'Enter a real date as YYYY-MM-DD.' },
      ]);
    });

    it('refuses a date in the future', () => {
      const validation = validateAnswers(withDate, adultWithChronicBackPain({ pain_started: '2026-06-02' }), { today });
      expect(validation.ok ? [] : validation.issues).toEqual([
        { path: ['answers', 'pain_started'], message: 'This date cannot be in the future.' },
      ]);
    });
  });
});

describe('describeAnswer', () => {
  it('says "Yes" for a true yes/no answer', () => {
    expect(describeAnswer(question('diagnosed_lbp'), true)).toBe('Yes');
  });

  it('says "No" for a false yes/no answer', () => {
    expect(describeAnswer(question('had_back_surgery'), false)).toBe('No');
  });

  it('uses the option label for a single choice', () => {
    expect(describeAnswer(question('sex'), 'female')).toBe('Female');
  });

  it('joins option labels for a multiple choice', () => {
    expect(describeAnswer(question('imaging'), ['xray', 'mri'])).toBe('X-ray, MRI scan');
  });

  it('adds the unit to a number', () => {
    expect(describeAnswer(question('age'), 42)).toBe('42 years');
  });

  it('uses the singular unit for one', () => {
    expect(describeAnswer(question('pain_duration'), 'P1W')).toBe('1 week');
  });

  it('gives a duration in the unit the patient chose', () => {
    expect(describeAnswer(question('pain_duration'), 'P3M')).toBe('3 months');
  });

  it('says "Not sure" for the not-sure answer', () => {
    expect(describeAnswer(question('diagnoses'), NOT_SURE)).toBe('Not sure');
  });

  it('writes a date out in words', () => {
    expect(describeAnswer(aDateQuestion(), '2021-03-03')).toBe('3 March 2021');
  });
});

describe('the question schema', () => {
  it('refuses "not sure" on a number question', () => {
    expect(QuestionSchema.safeParse({ id: 'age', type: 'number', label: 'Age', required: true, notSure: true }).success).toBe(
      false,
    );
  });

  it('refuses an option whose value is the not-sure answer', () => {
    const options = [{ value: NOT_SURE, label: 'Not sure' }];
    expect(QuestionSchema.safeParse({ id: 'scans', type: 'multi', label: 'Scans', required: true, options }).success).toBe(false);
  });
});
