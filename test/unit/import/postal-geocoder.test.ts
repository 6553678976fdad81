/**
 * Postal codes to coordinates from the `zipcodes` package's data, compacted into `data/postal-points/`.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from '@jest/globals';
import { geocodePostalCode } from '#adapters/postal-geocoder';

interface ZipcodesEntry {
  zip: string;
  latitude: number;
  longitude: number;
}
const zipcodes = createRequire(import.meta.url)('zipcodes') as {
  lookup(code: string): ZipcodesEntry | undefined;
  codes: Record<string, ZipcodesEntry & { country: string }>;
};

describe('geocodePostalCode', () => {
  it('finds a US ZIP code within 0.01 degree of the zipcodes package', async () => {
    const point = await geocodePostalCode('us', '21205');

    expect(point?.lat).toBeCloseTo(zipcodes.lookup('21205')!.latitude, 2);
    expect(point?.lon).toBeCloseTo(zipcodes.lookup('21205')!.longitude, 2);
  });

  it('agrees with the zipcodes package on every thousandth ZIP code', async () => {
    const sample = Object.values(zipcodes.codes)
      .filter((entry) => entry.country === 'US')
      .filter((_, index) => index % 1000 === 0);
    for (const expected of sample) {
      const point = await geocodePostalCode('US', expected.zip);
      const close = (a: number | undefined, b: number) => a !== undefined && Math.abs(a - b) <= 0.005;
      expect([expected.zip, close(point?.lat, expected.latitude), close(point?.lon, expected.longitude)]).toEqual([
        expected.zip,
        true,
        true,
      ]);
    }
    expect(sample.length).toBeGreaterThan(40);
  });

  it('accepts ZIP+4', async () => {
    expect(await geocodePostalCode('us', '21205-1832')).toEqual(await geocodePostalCode('us', '21205'));
  });

  it('finds a Canadian postal code by its first three characters', async () => {
    const point = await geocodePostalCode('ca', 't6g 2r3');

    expect(point?.lat).toBeCloseTo(53.52, 2);
  });

  it('returns undefined for a ZIP code that does not exist', async () => {
    expect(await geocodePostalCode('us', '00000')).toBeUndefined();
  });

  it('returns undefined for a malformed postal code', async () => {
    expect(await geocodePostalCode('us', 'DROP TABLE')).toBeUndefined();
  });

  it('returns undefined for a country without postal coordinates', async () => {
    expect(await geocodePostalCode('se', '75185')).toBeUndefined();
  });

  it('locates a Norwegian postal code at its post town', async () => {
    expect(await geocodePostalCode('no', '0424')).toEqual({ lat: 59.91, lon: 10.75 });
    expect(await geocodePostalCode('no', '9008')).toEqual({ lat: 69.65, lon: 18.96 });
  });

  it('leaves a Norwegian postal code whose post town has no coordinates unknown', async () => {
    expect(await geocodePostalCode('no', '1300')).toBeUndefined();
  });
});
