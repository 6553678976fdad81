import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { NOT_SURE } from '#core/answers';
import { evaluateScreening, prepareCatalog } from '#core/eligibility';
import { patientLocationFromAnswers } from '#core/geo';
import type { Answers, AnswerValue, Screener } from '#core/model';
import { careAdviceFor, medicalAdviceFor, triage, urgentCareFor } from '#core/triage';
import { aTrial } from '#test/factories/catalog';
import { anAnswerTo } from '#test/factories/rules';
import { adultWithChronicBackPain, aScreener } from '#test/factories/screener';

const screener = aScreener();
const catalog = prepareCatalog('v1', [
  aTrial(),
  aTrial({ eligibility: { minAgeYears: null, maxAgeYears: null, sex: 'ALL', healthyVolunteers: true } }),
]);

function screen(answers: Answers) {
  return evaluateScreening(screener, catalog, answers, patientLocationFromAnswers(answers));
}

/** The answers that show each emergency sign on their own (a follow-up with its question). */
const EMERGENCY_SIGNS: Record<string, Answers> = {
  cauda_equina_urine_retention: { rf_urine_retention: true },
  cauda_equina_incontinence: { rf_incontinence: true },
  cauda_equina_saddle_numbness: { rf_saddle_numbness: true },
  cauda_equina_sexual_problems: { rf_sexual_problems: true },
  cauda_equina_both_legs: { rf_both_legs: true },
  progressive_leg_weakness: { rf_leg_weakness: true },
  significant_injury: { rf_serious_injury: true },
  possible_aortic_aneurysm: { rf_sudden_severe_pain: true, rf_faint: true },
  fever_very_unwell: { rf_fever: true, rf_very_unwell: true },
};

describe('triage', () => {
  it('has one story of answers for every emergency rule of the screener', () => {
    const emergencyRules = screener.triage.filter((rule) => rule.level === 'emergency').map((rule) => rule.id);
    expect(Object.keys(EMERGENCY_SIGNS).sort()).toEqual(emergencyRules.sort());
  });

  it('finds nothing for a patient who answers every red-flag question "no"', () => {
    expect(triage(screener, adultWithChronicBackPain())).toEqual({
      level: 'none',
      reasons: [],
      emergencyRules: [],
      redFlags: [],
      contactToday: false,
    });
  });

  it.each(Object.entries(EMERGENCY_SIGNS))('decides emergency for %s alone', (ruleId, sign) => {
    const triaged = triage(screener, adultWithChronicBackPain(sign));
    expect(triaged.level).toBe('emergency');
    expect(triaged.emergencyRules).toEqual([ruleId]);
  });

  it('gives the emergency reasons only, in screener order, when see-a-doctor signs come with them', () => {
    const triaged = triage(
      screener,
      adultWithChronicBackPain({ sd_cancer: true, rf_leg_weakness: true, rf_urine_retention: true }),
    );
    expect(triaged.reasons.map((reason) => reason.questionId)).toEqual(['rf_urine_retention', 'rf_leg_weakness']);
  });

  it('does not take an unanswered red flag for a "yes"', () => {
    expect(triage(screener, { diagnosed_lbp: true, country: 'us' }).level).toBe('none');
  });

  it('makes sudden severe pain an emergency at over 50 without fainting, and a same-day doctor visit at 50 or under', () => {
    const sudden = { rf_sudden_severe_pain: true, rf_faint: false };
    expect(triage(screener, adultWithChronicBackPain({ ...sudden, age: 51 })).level).toBe('emergency');
    expect(triage(screener, adultWithChronicBackPain({ ...sudden, age: 50 }))).toMatchObject({
      level: 'see_doctor_soon',
      contactToday: true,
    });
  });

  it('waits for the age before deciding sudden severe pain without fainting', () => {
    expect(triage(screener, { country: 'us', rf_sudden_severe_pain: true, rf_faint: false }).level).toBe('see_doctor_soon');
    expect(triage(screener, { country: 'us', rf_sudden_severe_pain: true, rf_faint: false, age: 72 }).level).toBe('emergency');
  });

  it('treats fever alone as see a doctor today, and fever with feeling very unwell as an emergency', () => {
    expect(triage(screener, adultWithChronicBackPain({ rf_fever: true, rf_very_unwell: false }))).toMatchObject({
      level: 'see_doctor_soon',
      contactToday: true,
    });
    expect(triage(screener, adultWithChronicBackPain({ rf_fever: true, rf_very_unwell: true })).level).toBe('emergency');
  });

  it('counts a small fall as a possible fracture only with weak bones, steroid tablets or age over 70', () => {
    const fall = { sd_minor_fall: true, sd_osteoporosis: false, sd_steroid_tablets: false };
    expect(triage(screener, adultWithChronicBackPain({ ...fall, age: 70 })).level).toBe('none');
    expect(triage(screener, adultWithChronicBackPain({ ...fall, age: 71 })).level).toBe('see_doctor_soon');
    expect(triage(screener, adultWithChronicBackPain({ ...fall, sd_osteoporosis: true })).level).toBe('see_doctor_soon');
    expect(triage(screener, adultWithChronicBackPain({ ...fall, sd_steroid_tablets: true })).level).toBe('see_doctor_soon');
  });

  it('turns "Not sure" to an emergency question into see a doctor today, never an emergency', () => {
    const triaged = triage(screener, adultWithChronicBackPain({ rf_saddle_numbness: NOT_SURE }));
    expect(triaged).toMatchObject({ level: 'see_doctor_soon', contactToday: true });
    expect(triaged.reasons).toEqual([{ questionId: 'rf_saddle_numbness', text: expect.stringContaining('not sure') }]);
  });

  it('turns "Not sure" to a see-a-doctor question into see a doctor soon, not today', () => {
    expect(triage(screener, adultWithChronicBackPain({ sd_weight_loss: NOT_SURE }))).toMatchObject({
      level: 'see_doctor_soon',
      contactToday: false,
    });
  });

  it('lets a definite emergency win over "Not sure" answers', () => {
    expect(triage(screener, adultWithChronicBackPain({ rf_urine_retention: NOT_SURE, rf_both_legs: true })).level).toBe(
      'emergency',
    );
  });
});

describe('urgentCareFor', () => {
  const emergency = (country: string, overrides: Record<string, AnswerValue | undefined> = {}) => {
    const answers = adultWithChronicBackPain({
      country,
      postal_code: country === 'other' ? undefined : '0150',
      rf_urine_retention: true,
      ...overrides,
    });
    return urgentCareFor(screener, triage(screener, answers), answers);
  };

  it("gives only the patient's own country's emergency number: 113 in Norway", () => {
    const care = emergency('no');
    expect(care.numbers.emergency).toEqual([{ number: '113', dial: '113' }]);
    expect(care.action).toBe('Go to the nearest emergency department (akuttmottak) now, or call 113.');
    expect(JSON.stringify(care)).not.toMatch(/\b(911|999|112)\b/);
  });

  it('says to go to an emergency department, never to an urgent care centre instead', () => {
    const care = emergency('us');
    expect(care.action).toBe('Go to the nearest emergency room (ER) now, or call 911.');
    expect(care.message).toMatch(/not an urgent care centre/);
  });

  it('says what to tell the emergency service about the first sign', () => {
    expect(emergency('gb').whatToSay).toBe('Tell them: "I have back pain and I cannot pass urine properly. This is new."');
  });

  it('tells a patient from another country to call their local emergency number', () => {
    const care = emergency('other');
    expect(care.numbers.emergency).toEqual([]);
    expect(care.action).toBe('Go to the nearest emergency department now, or call your local emergency number.');
  });
});

describe('medicalAdviceFor', () => {
  it("asks for a doctor in the next few days, with the reasons and the country's urgent route", () => {
    const answers = adultWithChronicBackPain({ country: 'gb', postal_code: 'SW1A 1AA', sd_cancer: true, sd_weight_loss: true });
    const advice = medicalAdviceFor(screener, triage(screener, answers), answers);
    expect(advice).toEqual({
      level: 'see_doctor_soon',
      message: expect.stringMatching(/in the next few days.*NHS 111/),
      reasons: [
        { questionId: 'sd_cancer', text: 'You have had cancer.' },
        { questionId: 'sd_weight_loss', text: 'You have lost weight without trying to.' },
      ],
    });
  });

  it('asks for a doctor today after "Not sure" to an emergency question', () => {
    const answers = adultWithChronicBackPain({ rf_leg_weakness: NOT_SURE });
    expect(medicalAdviceFor(screener, triage(screener, answers), answers)?.message).toMatch(/contact your doctor today/);
  });

  it('gives no advice when no sign applies, and none beside an emergency', () => {
    const calm = adultWithChronicBackPain();
    const urgent = adultWithChronicBackPain({ rf_incontinence: true, sd_cancer: true });
    expect(careAdviceFor(screener, triage(screener, calm), calm)).toEqual({});
    expect(Object.keys(careAdviceFor(screener, triage(screener, urgent), urgent))).toEqual(['urgentCare']);
  });
});

describe('a screening with an emergency sign', () => {
  it.each(Object.entries(EMERGENCY_SIGNS))(
    "is urgent care with no trial matched for %s, recording the sign's question",
    (ruleId, sign) => {
      const questionId = screener.triage.find((rule) => rule.id === ruleId)!.questionId;
      expect(screen(adultWithChronicBackPain(sign))).toEqual({ outcome: 'urgent_care', redFlags: [questionId], results: [] });
    },
  );

  it('is urgent care whatever else is answered, "Not sure" included', () => {
    fc.assert(
      fc.property(anyAnswers(screener), fc.constantFrom(...Object.values(EMERGENCY_SIGNS)), (answers, sign) => {
        const given = { ...answers, ...sign };
        expect(triage(screener, given).level).toBe('emergency');
        expect(screen(given)).toMatchObject({ outcome: 'urgent_care', results: [] });
      }),
      { numRuns: 300 },
    );
  });

  it('is never urgent care without an emergency sign answered "yes"', () => {
    const emergencyQuestions = new Set(Object.values(EMERGENCY_SIGNS).flatMap((sign) => Object.keys(sign)));
    fc.assert(
      fc.property(anyAnswers(screener), (answers) => {
        for (const id of emergencyQuestions) if (answers[id] === true) answers[id] = false;
        // Sudden pain over 50 is an emergency without fainting: keep it out of this property.
        if (answers.rf_sudden_severe_pain === true) answers.rf_sudden_severe_pain = false;
        expect(triage(screener, answers).level).not.toBe('emergency');
      }),
      { numRuns: 300 },
    );
  });

  it('matches trials normally when no sign is reported', () => {
    expect(screen(adultWithChronicBackPain()).outcome).toBe('matches');
  });
});

/** Answers to any of the questions, any valid value or "Not sure" where offered, in any combination. */
function anyAnswers(of: Screener): fc.Arbitrary<Answers> {
  const entries = of.questions.map((question) => {
    const value = question.notSure ? fc.oneof(anAnswerTo(question), fc.constant(NOT_SURE as AnswerValue)) : anAnswerTo(question);
    return [question.id, value] as const;
  });
  return fc.record(Object.fromEntries(entries), { requiredKeys: [] }) as fc.Arbitrary<Answers>;
}
