import { describe, expect, it } from '@jest/globals';
import { validateAnswers } from '#core/screener';
import { careAdviceFor, triage } from '#core/triage';
import { aScreener } from '#test/factories/screener';
import { TRIAGE_VIGNETTES } from '#test/vignettes/vignettes';

const screener = aScreener();

describe('the triage vignettes', () => {
  it('tell at least 30 stories, covering every tier', () => {
    expect(TRIAGE_VIGNETTES.length).toBeGreaterThanOrEqual(30);
    expect(new Set(TRIAGE_VIGNETTES.map((vignette) => vignette.expected.tier))).toEqual(
      new Set(['emergency', 'see_doctor_soon', 'none']),
    );
  });

  it('show every triage rule of the screener at least once', () => {
    const shown = new Set(TRIAGE_VIGNETTES.flatMap((vignette) => vignette.expected.reasons ?? []));
    for (const rule of screener.triage) expect(shown).toContain(rule.questionId);
  });

  describe.each(TRIAGE_VIGNETTES.map((vignette) => [vignette.id, vignette] as const))('%s', (_id, vignette) => {
    it('has answers the screener accepts', () => {
      expect(validateAnswers(screener, vignette.answers)).toEqual({ ok: true, answers: vignette.answers });
    });

    it(`is triaged ${vignette.expected.tier}`, () => {
      const triaged = triage(screener, vignette.answers);
      const advice = careAdviceFor(screener, triaged, vignette.answers);

      expect(triaged.level).toBe(vignette.expected.tier);
      if (vignette.expected.reasons)
        expect(triaged.reasons.map((reason) => reason.questionId)).toEqual(vignette.expected.reasons);
      if (vignette.expected.emergencyNumbers) {
        expect(advice.urgentCare?.numbers.emergency.map((phone) => phone.number)).toEqual(vignette.expected.emergencyNumbers);
      }
      if (vignette.expected.contactToday !== undefined) expect(triaged.contactToday).toBe(vignette.expected.contactToday);
      if (vignette.expected.tier === 'see_doctor_soon') expect(advice.medicalAdvice?.level).toBe('see_doctor_soon');
      if (vignette.expected.tier === 'none') expect(advice).toEqual({});
    });
  });
});
