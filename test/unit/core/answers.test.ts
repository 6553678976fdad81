import { describe, expect, it } from '@jest/globals';
import { durationInWeeks, isKnownAnswer, NOT_SURE, ruleAnswers } from '#core/answers';
import { aScreener } from '#test/factories/screener';

describe('isKnownAnswer', () => {
  it('knows an answer that was given', () => {
    expect(isKnownAnswer({ pregnant: false }, 'pregnant')).toBe(true);
  });

  it('does not know an answer of "not sure"', () => {
    expect(isKnownAnswer({ diagnoses: NOT_SURE }, 'diagnoses')).toBe(false);
  });

  it('does not know a missing answer, nor an inherited property', () => {
    expect([isKnownAnswer({}, 'age'), isKnownAnswer({}, 'constructor')]).toEqual([false, false]);
  });
});

describe('durationInWeeks', () => {
  it('reads days, weeks, months and years in weeks', () => {
    expect(['P14D', 'P3W', 'P6M', 'P1Y'].map(durationInWeeks)).toEqual([2, 3, 26, 52]);
  });

  it('makes 12 months and 1 year the same length', () => {
    expect(durationInWeeks('P12M')).toBe(durationInWeeks('P1Y'));
  });

  it('reads nothing from a value that is not a duration', () => {
    expect([durationInWeeks('3 months'), durationInWeeks(26), durationInWeeks('P-1M')]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('ruleAnswers', () => {
  it('gives rules a duration in weeks, whatever unit the patient chose', () => {
    expect(ruleAnswers(aScreener(), { pain_duration: 'P3M', age: 40 })).toEqual({ pain_duration: 13, age: 40 });
  });

  it('leaves "not sure" as it is, for every rule to read as unknown', () => {
    expect(ruleAnswers(aScreener(), { diagnoses: NOT_SURE })).toEqual({ diagnoses: NOT_SURE });
  });

  it('changes nothing in the answers it was given', () => {
    const answers = { pain_duration: 'P2Y' };
    ruleAnswers(aScreener(), answers);
    expect(answers).toEqual({ pain_duration: 'P2Y' });
  });
});
