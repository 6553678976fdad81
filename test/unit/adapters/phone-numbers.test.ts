/**
 * Phone numbers parsed with `libphonenumber-js`'s metadata read from its JSON file on first use
 * (not bundled): the same answers as the package's default entry, which bundles that metadata.
 */
import { describe, expect, it } from '@jest/globals';
import { parsePhoneNumberFromString as parseWithBundledMetadata } from 'libphonenumber-js';
import { parsePhoneNumberFromString } from '#adapters/phone-numbers';

describe('parsePhoneNumberFromString', () => {
  it('reads a national number in the E.164 form the referral stores', () => {
    const phone = parsePhoneNumberFromString('(410) 555-0199', 'US');

    expect(phone?.isValid()).toBe(true);
    expect(phone?.number).toBe('+14105550199');
  });

  it('reads an international number whatever the default country', () => {
    expect(parsePhoneNumberFromString('+47 22 12 34 56', 'US')?.number).toBe('+4722123456');
  });

  it('refuses text that is too short to be a phone number', () => {
    expect(parsePhoneNumberFromString('12', 'US')?.isValid() ?? false).toBe(false);
  });

  it("gives the package's default entry's answers for every sample, valid or not", () => {
    const samples: [string, 'US' | 'CA' | 'GB' | 'NO' | undefined][] = [
      ['(410) 555-0199', 'US'],
      ['410 555 019', 'US'],
      ['+1 416 555 0123', undefined],
      ['020 7946 0958', 'GB'],
      ['22 12 34 56', 'NO'],
      ['+44 7700 900123', 'CA'],
      ['not a number', 'US'],
      ['+999 123', undefined],
    ];
    const summary = (parse: typeof parsePhoneNumberFromString) =>
      samples.map(([text, country]) => {
        const phone = parse(text, country);
        return [text, phone?.number ?? null, phone?.isValid() ?? false];
      });

    expect(summary(parsePhoneNumberFromString)).toEqual(summary(parseWithBundledMetadata));
  });
});
