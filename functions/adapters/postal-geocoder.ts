/**
 * Postal code -> coordinates, for the patient's location at request time and for registry sites
 * that come without a geo point at import time.
 *
 * Data: the `zipcodes` npm package (US ZIP codes and Canadian forward sortation areas), compacted
 * by `cli/import/build-postal-points.ts` into `postal-points.generated.ts` (~120 KB instead of
 * 5 MB in the bundle) and decoded only on the first lookup for that country, so screenings from
 * elsewhere never pay for it. Other countries return `undefined`: the core then matches by
 * country until coordinates are known.
 */
import { brotliDecompressSync } from 'node:zlib';
import type { GeoPoint } from '../core/model';
import { CA_FSA_POINTS, US_ZIP_POINTS } from './postal-points.generated';

interface PointTable {
  keys: Int32Array;
  /** Hundredths of a degree. */
  lats: Int16Array;
  lons: Int16Array;
}

/** Reverses the column encoding written by `build-postal-points.ts`. */
function decodePointTable(base64: string): PointTable {
  const bytes = brotliDecompressSync(Buffer.from(base64, 'base64'));
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

let usTable: PointTable | undefined;
let caTable: PointTable | undefined;

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
      usTable ??= decodePointTable(US_ZIP_POINTS);
      return lookup(usTable, key);
    }
    case 'ca': {
      const key = canadaKey(postalCode);
      if (key === undefined) return undefined;
      caTable ??= decodePointTable(CA_FSA_POINTS);
      return lookup(caTable, key);
    }
    default:
      return undefined;
  }
}
