/**
 * The patient's postal code: checked against their country's format, then located.
 *
 * Formats come from `postcode-validator` (maintained per-country patterns); a code in a country
 * that also has a coordinates dataset (`postal-geocoder.ts`: US ZIP codes, Canadian areas) must
 * also exist there, so a well-formed but unused code such as `00000` is refused rather than
 * silently matched by country. Either problem is a 400 naming `answers.postal_code`.
 */
import { postcodeValidator, postcodeValidatorExistsForCountry } from 'postcode-validator';
import { countryFromAnswer } from '#core/countries';
import { refusals } from '#core/errors';
import type { Answers, GeoPoint } from '#core/model';
import { geocodePostalCode, hasPostalPoints } from './postal-geocoder';

const FIELD = ['answers', 'postal_code'];

function refuse(message: string): never {
  throw refusals.invalidAnswers([{ path: FIELD, message }]);
}

/**
 * The point of the patient's postal code, or `undefined` when their country has no coordinates
 * dataset (the distance is then unknown, never assumed near).
 *
 * @throws DomainError INVALID_ANSWERS at `answers.postal_code` when the code is not a postal code
 *   of the patient's country, or is not in that country's dataset.
 */
export async function locatePatient(answers: Answers): Promise<GeoPoint | undefined> {
  const country = countryFromAnswer(answers.country);
  const postalCode = answers.postal_code;
  if (!country || typeof postalCode !== 'string') return undefined;
  const code = postalCode.trim();
  const iso2 = country.iso2.toUpperCase();
  if (postcodeValidatorExistsForCountry(iso2) && !postcodeValidator(code, iso2)) {
    refuse(`This is not a postal code in ${country.registryName}.`);
  }
  // A code of zeros fits several countries' patterns and belongs to no place.
  if (/^[0\s-]+$/.test(code)) refuse(`This is not a postal code in ${country.registryName}.`);
  const point = await geocodePostalCode(country.iso2, code);
  if (!point && hasPostalPoints(country.iso2))
    refuse(`We could not find this postal code in ${country.registryName}. Please check it.`);
  return point;
}
