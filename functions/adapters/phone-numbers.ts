/**
 * Phone-number parsing and validation by `libphonenumber-js`, with the package's own `min`
 * metadata (the one its default entry uses) read from its JSON file on the first number parsed,
 * rather than bundled. Bundled, that metadata is an 80 KB JavaScript object literal that every
 * cold start of create-referral parses, whether or not the patient gave a phone number;
 * `JSON.parse` of the same file on first use is cheaper and costs no bundle bytes.
 *
 * The file is resolved as a package file from this module: from a checkout (local runtime, CLI,
 * tests) that is the installed package; in a Lambda bundle it is the copy that
 * `lib/lambda-function.ts` puts at the same path beside the bundle (the function manifest's
 * `runtimeFiles`), so the metadata always comes from the installed version of the package.
 */
import { createRequire } from 'node:module';
import {
  getCountries,
  parsePhoneNumberFromString as parseWithMetadata,
  type CountryCode,
  type MetadataJson,
  type PhoneNumber,
} from 'libphonenumber-js/core';
import type { PhoneNumbers } from '#core/ports';

export type { CountryCode, PhoneNumber };

/** The package file, as the function manifest lists it (`node_modules/<this>`). */
export const PHONE_METADATA_FILE = 'libphonenumber-js/metadata.min.json';

let metadata: MetadataJson | undefined;

/**
 * `libphonenumber-js`'s `parsePhoneNumberFromString`: the number, or `undefined` when the text is
 * not a phone number. A number without a country code is read as one of `defaultCountry`.
 */
export function parsePhoneNumberFromString(text: string, defaultCountry?: CountryCode): PhoneNumber | undefined {
  return parseWithMetadata(text, { defaultCountry }, phoneMetadata());
}

function phoneMetadata(): MetadataJson {
  // The `require` condition of the package's exports maps this path to the JSON file itself.
  metadata ??= createRequire(import.meta.url)(PHONE_METADATA_FILE) as MetadataJson;
  return metadata;
}

/** The `PhoneNumbers` port: a valid number in E.164, the patient's country the default prefix. */
export const phoneNumbers: PhoneNumbers = {
  toE164(text, countryIso2) {
    const country = countryIso2?.toUpperCase();
    const defaultCountry = country ? getCountries(phoneMetadata()).find((code) => code === country) : undefined;
    const phone = parsePhoneNumberFromString(text, defaultCountry);
    return phone?.isValid() ? phone.number : undefined;
  },
};
