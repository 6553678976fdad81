/**
 * The emergency and urgent medical numbers of each country the screener offers, from
 * `data/care-numbers.json`, where every entry cites its sources. The urgent-care screen and the
 * see-a-doctor advice show only the patient's own country's numbers; any other country gets
 * "your local emergency number".
 *
 * Imported as data (bundled at build time, no I/O), so the form shows the same numbers as the
 * server the moment a red flag is answered, before the server has replied.
 */
import careNumbersDocument from '../../data/care-numbers.json' with { type: 'json' };
import type { CareNumbers, PhoneNumber } from './model';

interface CountryEntry {
  name: string | null;
  emergency: { number: string; alternatives?: string[] } | null;
  emergencyDepartment: string;
  urgent: { number: string; name: string } | null;
  urgentText: string;
  note?: string;
}

const COUNTRIES: Readonly<Record<string, CountryEntry>> = careNumbersDocument.countries;

/** The entry every country not in the file gets: call your local emergency number. */
export const OTHER_COUNTRY = 'other';

/** The country answers the file has numbers for (`us`, `gb`, `no`, …, and `other`). */
export const COUNTRIES_WITH_NUMBERS: readonly string[] = Object.keys(COUNTRIES);

/**
 * The numbers for a screener's `country` answer (`"no"` → 113 and 116 117). An unanswered,
 * "not sure" or unlisted country gets the `other` entry, whose emergency list is empty: the
 * patient is told to call their local emergency number.
 */
export function careNumbersFor(countryAnswer: unknown): CareNumbers {
  const key = typeof countryAnswer === 'string' && Object.hasOwn(COUNTRIES, countryAnswer) ? countryAnswer : OTHER_COUNTRY;
  const entry = COUNTRIES[key]!;
  const emergency = entry.emergency ? [entry.emergency.number, ...(entry.emergency.alternatives ?? [])].map(phoneNumber) : [];
  return {
    country: key,
    ...(entry.name ? { countryName: entry.name } : {}),
    emergency,
    emergencyDepartment: entry.emergencyDepartment,
    ...(entry.urgent ? { urgent: { ...phoneNumber(entry.urgent.number), name: entry.urgent.name } } : {}),
    urgentText: entry.urgentText,
    ...(entry.note ? { note: entry.note } : {}),
  };
}

/** "112 or 999"; "your local emergency number" when there is none. */
export function describeEmergencyNumbers(numbers: CareNumbers): string {
  if (numbers.emergency.length === 0) return 'your local emergency number';
  return numbers.emergency.map((phone) => phone.number).join(' or ');
}

function phoneNumber(number: string): PhoneNumber {
  return { number, dial: number.replace(/[^\d+]/g, '') };
}
