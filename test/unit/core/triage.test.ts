import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { evaluateScreening, prepareCatalog } from '../../../functions/core/eligibility';
import { patientLocationFromAnswers } from '../../../functions/core/geo';
import { triageRedFlags } from '../../../functions/core/triage';
import { aTrial } from '../../factories/catalog';
import { partialAnswersFor } from '../../factories/rules';
import { adultWithChronicBackPain, aScreener, redFlagIds } from '../../factories/screener';

const screener = aScreener();
const catalog = prepareCatalog('v1', [aTrial(), aTrial({ eligibility: { minAgeYears: null, maxAgeYears: null, sex: 'ALL', healthyVolunteers: true } })]);

function screen(answers: ReturnType<typeof adultWithChronicBackPain>) {
  return evaluateScreening(screener, catalog, answers, patientLocationFromAnswers(answers));
}

describe('triageRedFlags', () => {
  it('finds no red flag when every red-flag question is answered "no"', () => {
    expect(triageRedFlags(screener, adultWithChronicBackPain())).toEqual([]);
  });

  it('lists the red flags answered "yes" in screener order', () => {
    const answers = adultWithChronicBackPain({ rf_pain_prevents_sleep: true, rf_bladder_bowel: true });
    expect(triageRedFlags(screener, answers)).toEqual(['rf_bladder_bowel', 'rf_pain_prevents_sleep']);
  });

  it('does not take an unanswered red flag for a "yes"', () => {
    expect(triageRedFlags(screener, { diagnosed_lbp: true })).toEqual([]);
  });
});

describe('a screening with a red flag', () => {
  it.each(redFlagIds(screener))('sends the patient to urgent care when %s alone is answered "yes"', (redFlag) => {
    expect(screen(adultWithChronicBackPain({ [redFlag]: true }))).toEqual({ outcome: 'urgent_care', redFlags: [redFlag], results: [] });
  });

  it('sends the patient to urgent care with only the answers given before the red flag', () => {
    expect(screen({ diagnosed_lbp: true, took_medication: false, rf_lost_feeling: true }).outcome).toBe('urgent_care');
  });

  it('sends the patient to urgent care for any combination of red flags and other answers', () => {
    // Other questions answered or not, in any combination; other red flags "no" or unanswered.
    const anyAnswers = partialAnswersFor(screener);
    const flagged = fc.subarray(redFlagIds(screener), { minLength: 1 });
    fc.assert(
      fc.property(anyAnswers, flagged, (answers, redFlags) => {
        for (const id of redFlagIds(screener)) {
          if (redFlags.includes(id)) answers[id] = true;
          else if (answers[id] === true) answers[id] = false;
        }
        expect(screen(answers)).toEqual({ outcome: 'urgent_care', redFlags, results: [] });
      }),
      { numRuns: 300 },
    );
  });

  it('matches trials normally when no red flag is reported', () => {
    expect(screen(adultWithChronicBackPain()).outcome).toBe('matches');
  });
});
