/**
 * Normalisation shared by the two ClinicalTrials.gov formats: NCT ids, ages with units, status,
 * sex, phase, dates, contacts, site addresses and site ids. Every function either returns a
 * normalised value or throws a `RegistryRecordError` naming the field, so a malformed record is
 * reported precisely.
 */
import { createHash } from 'node:crypto';
import type { Contact, RecordDates, RegistryDateType, Site, TrialStatus } from '#core/model';

/** A problem in one field of one registry record. */
export class RegistryRecordError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'RegistryRecordError';
  }
}

/** The record's NCT id (`NCT` and eight digits), cleaned. */
export function parseNctId(value: string | undefined, field: string): string {
  const nctId = cleanText(value);
  if (!nctId || !/^NCT\d{8}$/.test(nctId)) {
    throw new RegistryRecordError(field, nctId ? `"${nctId}" is not an NCT id` : 'missing');
  }
  return nctId;
}

const DAYS_PER_YEAR = 365.25;
const AGE_UNIT_YEARS: Record<string, number> = {
  year: 1,
  month: 1 / 12,
  week: 7 / DAYS_PER_YEAR,
  day: 1 / DAYS_PER_YEAR,
  hour: 1 / (24 * DAYS_PER_YEAR),
  minute: 1 / (60 * 24 * DAYS_PER_YEAR),
};

/**
 * "18 Years", "6 Months", "2 Weeks"... in years (rounded to 4 decimals); absent, empty or "N/A"
 * means no bound (`null`).
 */
export function parseAgeYears(value: string | undefined, field: string): number | null {
  const text = value?.trim();
  if (!text || /^n\/?a$/i.test(text)) return null;
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]+?)s?$/i.exec(text);
  const perUnit = match ? AGE_UNIT_YEARS[match[2]!.toLowerCase()] : undefined;
  if (!match || perUnit === undefined) {
    throw new RegistryRecordError(field, `"${text}" is not an age with a unit (Years, Months, Weeks, Days, Hours)`);
  }
  return Math.round(Number(match[1]) * perUnit * 10_000) / 10_000;
}

/** Both age bounds, checked against each other. */
export function parseAgeRange(
  minimum: string | undefined,
  maximum: string | undefined,
  fields: { min: string; max: string },
): { minAgeYears: number | null; maxAgeYears: number | null } {
  const minAgeYears = parseAgeYears(minimum, fields.min);
  const maxAgeYears = parseAgeYears(maximum, fields.max);
  if (minAgeYears !== null && maxAgeYears !== null && minAgeYears > maxAgeYears) {
    throw new RegistryRecordError(fields.max, `maximum age ${maximum} is below the minimum age ${minimum}`);
  }
  return { minAgeYears, maxAgeYears };
}

const STATUS_BY_WORDS: Record<string, TrialStatus> = {
  recruiting: 'RECRUITING',
  not_yet_recruiting: 'NOT_YET_RECRUITING',
  enrolling_by_invitation: 'ENROLLING_BY_INVITATION',
  active_not_recruiting: 'ACTIVE_NOT_RECRUITING',
  completed: 'COMPLETED',
  suspended: 'SUSPENDED',
  terminated: 'TERMINATED',
  withdrawn: 'WITHDRAWN',
  unknown: 'UNKNOWN',
  unknown_status: 'UNKNOWN',
  // Expanded-access statuses: not a trial a patient can be referred to.
  available: 'UNKNOWN',
  no_longer_available: 'UNKNOWN',
  temporarily_not_available: 'UNKNOWN',
  approved_for_marketing: 'UNKNOWN',
  withheld: 'UNKNOWN',
};

/** "Active, not recruiting" (classic) and "ACTIVE_NOT_RECRUITING" (v2) alike. */
export function parseStatus(value: string | undefined, field: string): TrialStatus {
  const key = (value ?? '')
    .trim()
    .toLowerCase()
    .replace(/[^a-z]+/g, '_')
    .replace(/^_|_$/g, '');
  const status = STATUS_BY_WORDS[key];
  if (!status) throw new RegistryRecordError(field, value ? `unknown status "${value}"` : 'missing');
  return status;
}

/** ALL / FEMALE / MALE; an absent value puts no limit on sex. */
export function parseSex(value: string | undefined, field: string): 'ALL' | 'FEMALE' | 'MALE' {
  const text = (value ?? '').trim().toUpperCase();
  if (text === '' || text === 'ALL' || text === 'BOTH') return 'ALL';
  if (text === 'FEMALE' || text === 'MALE') return text;
  throw new RegistryRecordError(field, `unknown sex "${value}" (expected All, Female or Male)`);
}

/** "Phase 1/Phase 2" from either "Phase 1/Phase 2" or ["PHASE1", "PHASE2"]; none for N/A. */
export function formatPhase(phases: string[]): string | undefined {
  const named = phases
    .map((p) => p.trim())
    .filter((p) => p !== '' && !/^n\/?a$/i.test(p))
    .flatMap((p) => p.split('/'))
    .map((p) =>
      p
        .trim()
        .replace(/^EARLY_PHASE(\d)$/i, 'Early Phase $1')
        .replace(/^PHASE(\d)$/i, 'Phase $1'),
    );
  return named.length > 0 ? named.join('/') : undefined;
}

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/**
 * An ISO date (YYYY-MM-DD) from "March 11, 2020", "March 2020", "2020-03-11" or "2020-03"; a
 * month without a day counts from its first day.
 */
export function parseRegistryDate(value: string | undefined, field: string): string {
  const text = (value ?? '').trim();
  const iso = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(text);
  if (iso) return `${iso[1]}-${iso[2]}-${iso[3] ?? '01'}`;
  const written = /([A-Za-z]+)\s+(?:(\d{1,2}),\s*)?(\d{4})\s*$/.exec(text);
  const month = written ? MONTHS.indexOf(written[1]!.toLowerCase()) : -1;
  if (!written || month < 0) throw new RegistryRecordError(field, text ? `"${text}" is not a date` : 'missing');
  return `${written[3]}-${String(month + 1).padStart(2, '0')}-${(written[2] ?? '1').padStart(2, '0')}`;
}

/**
 * A registry date at the precision the registry gives it: "March 11, 2020" or "2020-03-11" is
 * `2020-03-11`; "March 2020" or "2020-03" stays `2020-03` (a sponsor who entered a month did not
 * say which day, and freshness decisions must not pretend otherwise). Absent or empty is
 * `undefined`.
 */
export function parseRegistryDateKeepingPrecision(value: string | undefined, field: string): string | undefined {
  const text = (value ?? '').trim();
  if (text === '') return undefined;
  const iso = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(text);
  if (iso) return iso[3] ? text : `${iso[1]}-${iso[2]}`;
  const written = /^([A-Za-z]+)\s+(?:(\d{1,2}),\s*)?(\d{4})$/.exec(text);
  const month = written ? MONTHS.indexOf(written[1]!.toLowerCase()) : -1;
  if (!written || month < 0) throw new RegistryRecordError(field, `"${text}" is not a date`);
  const yearMonth = `${written[3]}-${String(month + 1).padStart(2, '0')}`;
  return written[2] ? `${yearMonth}-${written[2].padStart(2, '0')}` : yearMonth;
}

/**
 * ACTUAL or ANTICIPATED from v2 (`ACTUAL`, `ESTIMATED`) or classic (`Actual`, `Anticipated`,
 * `Estimate`) date types; absent is `undefined`.
 */
export function parseRegistryDateType(value: string | undefined, field: string): RegistryDateType | undefined {
  const text = (value ?? '').trim().toUpperCase();
  if (text === '') return undefined;
  if (text === 'ACTUAL') return 'ACTUAL';
  if (text === 'ANTICIPATED' || text === 'ESTIMATED' || text === 'ESTIMATE') return 'ANTICIPATED';
  throw new RegistryRecordError(field, `unknown date type "${value}" (expected Actual or Anticipated/Estimated)`);
}

/** The raw date fields of either format, with the field names to report problems against. */
export interface RawRecordDates {
  lastUpdated?: { value?: string; field: string };
  verified?: { value?: string; field: string };
  start?: { value?: string; field: string };
  primaryCompletion?: { value?: string; type?: string; field: string };
  completion?: { value?: string; type?: string; field: string };
}

/** `RecordDates` from either format's raw fields, leaving out what the record does not give. */
export function recordDatesFrom(raw: RawRecordDates): RecordDates {
  const dates: RecordDates = {};
  const date = (entry: { value?: string; field: string } | undefined) =>
    entry ? parseRegistryDateKeepingPrecision(entry.value, entry.field) : undefined;
  const lastUpdated = date(raw.lastUpdated);
  const verified = date(raw.verified);
  const start = date(raw.start);
  const primaryCompletion = date(raw.primaryCompletion);
  const completion = date(raw.completion);
  if (lastUpdated) dates.lastUpdated = lastUpdated;
  if (verified) dates.verified = verified;
  if (start) dates.start = start;
  if (primaryCompletion) {
    dates.primaryCompletion = primaryCompletion;
    const type = parseRegistryDateType(raw.primaryCompletion!.type, `${raw.primaryCompletion!.field}.type`);
    if (type) dates.primaryCompletionType = type;
  }
  if (completion) {
    dates.completion = completion;
    const type = parseRegistryDateType(raw.completion!.type, `${raw.completion!.field}.type`);
    if (type) dates.completionType = type;
  }
  return dates;
}

/** INTERVENTIONAL / OBSERVATIONAL / EXPANDED_ACCESS from v2 (`INTERVENTIONAL`) or classic (`Interventional`, `Expanded Access`). */
export function parseStudyType(
  value: string | undefined,
  field: string,
): 'INTERVENTIONAL' | 'OBSERVATIONAL' | 'EXPANDED_ACCESS' | undefined {
  const key = (value ?? '')
    .trim()
    .toUpperCase()
    .replace(/[^A-Z]+/g, '_');
  if (key === '') return undefined;
  if (key === 'INTERVENTIONAL' || key === 'OBSERVATIONAL' || key === 'EXPANDED_ACCESS') return key;
  // Classic records wrote "Observational [Patient Registry]".
  if (key.startsWith('OBSERVATIONAL')) return 'OBSERVATIONAL';
  throw new RegistryRecordError(field, `unknown study type "${value}"`);
}

/** Removes zero-width and control characters that registry exports sometimes carry. */
export function cleanText(value: string | undefined): string | undefined {
  const text = value
    ?.replace(/[\u200B-\u200D\u2060\uFEFF\u00AD]/g, '')
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '')
    .trim();
  return text ? text : undefined;
}

/**
 * Free text kept as the registry wrote it, minus the indentation of the XML textblock and
 * Windows line ends, so authors read it as it reads on the registry page.
 */
export function verbatimText(value: string | undefined): string {
  const lines = (value ?? '').replace(/\r\n?/g, '\n').split('\n');
  while (lines.length > 0 && lines[0]!.trim() === '') lines.shift();
  while (lines.length > 0 && lines.at(-1)!.trim() === '') lines.pop();
  // The XML parser trims the first line, so the common indentation is read from the others.
  const indents = lines
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((l) => /^ */.exec(l)![0].length);
  const common = indents.length > 0 ? Math.min(...indents) : 0;
  return lines.map((l, i) => (i === 0 ? l.trim() : l.slice(common).trimEnd())).join('\n');
}

/** A paragraph-preserving, whitespace-collapsed version of a registry summary. */
export function summaryText(value: string | undefined): string {
  return verbatimText(value)
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .join('\n\n');
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A raw contact from either format, before normalisation. */
export interface RawContact {
  name?: string;
  email?: string;
  phone?: string;
  phoneExt?: string;
}

/**
 * A normalised contact, or undefined when it gives no way to reach anyone. An email that is not
 * an address is dropped (and reported) rather than failing the whole record.
 */
export function normaliseContact(raw: RawContact, field: string, warnings: string[]): Contact | undefined {
  const name = cleanText(raw.name);
  const emailText = cleanText(raw.email);
  // Some records list several addresses in one field ("a@x.no; b@y.no"): the first one is used.
  const addresses = emailText?.split(/[;,\s]+/).filter(Boolean) ?? [];
  const email = addresses.find((a) => EMAIL.test(a));
  if (emailText && !email) warnings.push(`${field}.email: "${emailText}" is not an email address; ignored`);
  else if (addresses.length > 1) warnings.push(`${field}.email: several addresses; the first one is used`);
  const phone = cleanText(raw.phone);
  const ext = cleanText(raw.phoneExt);
  // v2 records sometimes put the country code in phoneExt ("+33").
  const fullPhone = phone && ext ? (/^\+\d+$/.test(ext) ? `${ext} ${phone}` : `${phone} ext. ${ext}`) : phone;
  if (!email && !fullPhone) return undefined;
  return { ...(name && { name }), ...(email && { email }), ...(fullPhone && { phone: fullPhone }) };
}

/** The contact to use from a list: the first with an email, else the first with a phone. */
export function pickContact(candidates: (Contact | undefined)[]): Contact | undefined {
  const present = candidates.filter((c): c is Contact => c !== undefined);
  return present.find((c) => c.email) ?? present[0];
}

/** A location's facility and address, cleaned, without the parts the registry left blank. */
export function siteAddress(raw: {
  facility?: string;
  city?: string;
  state?: string;
  zip?: string;
}): Pick<Site, 'facility' | 'city' | 'state' | 'postalCode'> {
  const city = cleanText(raw.city);
  const state = cleanText(raw.state);
  const postalCode = cleanText(raw.zip);
  return {
    facility: cleanText(raw.facility) ?? '',
    ...(city && { city }),
    ...(state && { state }),
    ...(postalCode && { postalCode }),
  };
}

/**
 * A site id that stays the same across re-imports: derived from facility, city, postal code and
 * country; a repeated location in the same record gets a numbered suffix in record order.
 */
export function assignSiteIds(sites: Omit<Site, 'siteId'>[]): Site[] {
  const seen = new Map<string, number>();
  return sites.map((site) => {
    const identity = [site.facility, site.city ?? '', site.postalCode ?? '', site.country].join('|').toLowerCase();
    const base = `site-${createHash('sha256').update(identity).digest('hex').slice(0, 10)}`;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return { siteId: count === 1 ? base : `${base}-${count}`, ...site };
  });
}

/** ISO 3166-1 alpha-2 for the registry's country names that have postal-code coordinates. */
export const GEOCODABLE_COUNTRIES: Record<string, string> = { 'United States': 'us', Canada: 'ca', Norway: 'no' };
