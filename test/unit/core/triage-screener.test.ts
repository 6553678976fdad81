/**
 * The screener's red-flag questions and rules as data: asked in the right place, sourced, in
 * plain words, about what is new or getting worse, and readable at a US grade 6-8 level.
 */
import { describe, expect, it } from '@jest/globals';
import { fleschKincaid } from 'flesch-kincaid';
import { syllable } from 'syllable';
import { COUNTRIES_WITH_NUMBERS, careNumbersFor } from '#core/care-numbers';
import { ruleVariables, unsupportedOperators } from '#core/rules';
import { aScreener } from '#test/factories/screener';

const screener = aScreener();
const questionIndex = new Map(screener.questions.map((question, index) => [question.id, index]));
const redFlagQuestions = screener.questions.filter((question) => question.redFlag);
const emergencyQuestionIds = new Set(
  screener.triage.filter((rule) => rule.level === 'emergency').flatMap((rule) => ruleVariables(rule.when)),
);

/** US school grade by the Flesch-Kincaid formula, over sentences, words and syllables. */
function gradeLevel(text: string): number {
  const words = text.match(/[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*/g) ?? [];
  const sentences = Math.max(1, text.split(/[.?!:]+(?:\s|$)/).filter((part) => part.trim() !== '').length);
  return fleschKincaid({
    sentence: sentences,
    word: words.length,
    syllable: words.reduce((sum, word) => sum + syllable(word), 0),
  });
}

describe('the red-flag questions', () => {
  it('come after the country question, so the right numbers are known before any red flag', () => {
    const country = questionIndex.get('country')!;
    for (const question of redFlagQuestions) expect(questionIndex.get(question.id)!).toBeGreaterThan(country);
  });

  it('come right after the opening questions and the country, before the questions about the pain', () => {
    const redFlagPositions = redFlagQuestions.map((question) => questionIndex.get(question.id)!);
    expect(Math.max(...redFlagPositions)).toBeLessThan(questionIndex.get('pain_duration')!);
    expect(Math.max(...redFlagPositions) - Math.min(...redFlagPositions) + 1).toBe(redFlagQuestions.length);
  });

  it('are yes/no questions that all offer "Not sure" and need an answer', () => {
    for (const question of redFlagQuestions) expect(question).toMatchObject({ type: 'boolean', notSure: true, required: true });
  });

  it.each([...emergencyQuestionIds].filter((id) => id !== 'age'))('ask about what is new, sudden or getting worse (%s)', (id) => {
    const question = screener.questions.find((candidate) => candidate.id === id)!;
    expect(`${question.label} ${question.help ?? ''}`).toMatch(
      /\b(new|newly|getting worse|getting weaker|sudden|all of a sudden|in the last|with this pain|also)\b/i,
    );
  });

  it.each(redFlagQuestions.map((question) => [question.id, question] as const))(
    'are written at a US grade 8 level or below, help included (%s)',
    (_id, question) => {
      expect(gradeLevel(question.label)).toBeLessThanOrEqual(8);
      if (question.help) expect(gradeLevel(question.help)).toBeLessThanOrEqual(8);
    },
  );

  it('ask one thing each: never two symptoms that must come together', () => {
    for (const question of redFlagQuestions)
      expect(question.label).not.toMatch(/\b(together with|as well as|along with|and also)\b/i);
  });
});

describe('the triage rules', () => {
  it.each(screener.triage.map((rule) => [rule.id, rule] as const))(
    '%s reads only questions of the screener, with supported operators',
    (_id, rule) => {
      for (const variable of ruleVariables(rule.when)) expect(questionIndex.has(variable)).toBe(true);
      expect(unsupportedOperators(rule.when)).toEqual([]);
      expect(screener.questions.find((question) => question.id === rule.questionId)?.redFlag).toBe(true);
    },
  );

  it.each(screener.triage.map((rule) => [rule.id, rule] as const))('%s cites its sources', (_id, rule) => {
    for (const source of rule.sources) expect(source.url).toMatch(/^(https?:\/\/\S+|docs\/\S+\.md)$/);
  });

  it('tell the emergency service what to say for every emergency rule', () => {
    for (const rule of screener.triage.filter((candidate) => candidate.level === 'emergency'))
      expect(rule.tellThem).toMatch(/^I have/);
  });

  it('are read by every red-flag question', () => {
    const read = new Set(screener.triage.flatMap((rule) => ruleVariables(rule.when)));
    for (const question of redFlagQuestions) expect(read).toContain(question.id);
  });

  it.each([
    ['the urgent-care message', screener.urgentCare.message],
    ['the see-a-doctor-soon message', screener.medicalAdvice.soon],
    ['the see-a-doctor-today message', screener.medicalAdvice.today],
    ...screener.triage.map((rule) => [`the reason of ${rule.id}`, rule.reason] as const),
    ...screener.triage
      .filter((rule) => rule.tellThem)
      .map((rule) => [`what to tell them for ${rule.id}`, rule.tellThem!] as const),
    ...COUNTRIES_WITH_NUMBERS.map(
      (country) => [`how to reach a doctor in ${country}`, careNumbersFor(country).urgentText] as const,
    ),
  ])('write %s at a US grade 8 level or below', (_what, text) => {
    expect(gradeLevel(text)).toBeLessThanOrEqual(8);
  });
});

describe('the country question', () => {
  it('offers only countries whose emergency numbers the data file has', () => {
    const countries = screener.questions.find((question) => question.id === 'country')!.options!.map((option) => option.value);
    for (const country of countries) expect(COUNTRIES_WITH_NUMBERS).toContain(country);
  });
});
