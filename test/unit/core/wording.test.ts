/**
 * The words a patient agrees to and reads after asking to be contacted: short sentences at a
 * reading level a patient in pain can follow (Flesch-Kincaid grade 8 or lower), and no promise
 * of contact the study team may not keep.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { fleschKincaid } from 'flesch-kincaid';
import { syllable } from 'syllable';
import { aScreener } from '#test/factories/screener';

/** The Flesch-Kincaid grade of a text (sentences end at . ! or ?). */
function gradeOf(text: string): number {
  const sentences = text.split(/[.!?]+(?:\s|$)/).filter((part) => part.trim() !== '');
  const words = text.match(/[A-Za-z][A-Za-z'-]*/g) ?? [];
  return fleschKincaid({
    sentence: sentences.length,
    word: words.length,
    syllable: words.reduce((sum, word) => sum + syllable(word), 0),
  });
}

const TEMPLATES = new URL('../../../templates/email/', import.meta.url);
const CONFIRMATION_SCREEN = new URL('../../../web/src/screens/confirmation.tsx', import.meta.url);

describe('the consent text', () => {
  const { consent } = aScreener();

  it('reads at grade 8 or lower', () => {
    expect(gradeOf(consent.shareWithSites)).toBeLessThanOrEqual(8);
    expect(gradeOf(consent.phoneContact)).toBeLessThanOrEqual(8);
  });

  it('promises no contact: the study team "may" contact the patient', () => {
    expect(consent.shareWithSites).toMatch(/may then contact me/);
    expect(`${consent.shareWithSites} ${consent.phoneContact}`).not.toMatch(/will (contact|phone|call)/);
  });
});

describe('the confirmation', () => {
  it('in the email reads at grade 8 or lower and never promises contact', () => {
    const text = readFileSync(new URL('patient-confirmation.txt', TEMPLATES), 'utf8');
    const whatHappensNext = text.slice(
      text.indexOf('WHAT HAPPENS NEXT') + 'WHAT HAPPENS NEXT'.length,
      text.indexOf('This questionnaire'),
    );

    expect(gradeOf(whatHappensNext)).toBeLessThanOrEqual(8);
    expect(text).not.toMatch(/(will|should) contact you/);
  });

  it('on the screen says the study team "may" contact the patient, by phone only when the patient agreed', () => {
    const screen = readFileSync(CONFIRMATION_SCREEN, 'utf8');

    expect(screen).toContain("The study team may contact you by email{props.phoneContact ? ' or phone' : ''}");
    expect(screen).not.toMatch(/will contact you/);
  });
});

describe('the grade measure', () => {
  it('finds long academic sentences above grade 8, so the tests above can fail', () => {
    const legalese =
      'I hereby irrevocably authorise the aforementioned organisation to disseminate my personally identifiable information to investigational institutions for the purposes of determining eligibility.';
    expect(gradeOf(legalese)).toBeGreaterThan(8);
  });
});
