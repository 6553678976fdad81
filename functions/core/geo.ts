/**
 * Geography: where the patient is, how far they can travel, and which recruiting site of a trial
 * they would be referred to.
 *
 * The core does no geocoding (that needs a data set or a service): the caller turns the postal
 * code into a point through an adapter and passes it in. Without a point the match falls back to
 * "a site in the patient's country".
 */
import { countryFromAnswer, countryFromRegistryName } from './countries';
import type { Answers, GeoPoint, Site, SiteReach, SiteSummary, Trial } from './model';

/** Where a patient is and how far they can travel. */
export interface PatientLocation {
  /** ISO 3166-1 alpha-2 of the patient's country; absent for "Another country". */
  countryIso2?: string;
  /** The geocoded postal code, when the caller could geocode it. */
  point?: GeoPoint;
  /** Farthest distance the patient can travel; `null` means any distance. */
  maxDistanceKm: number | null;
}

const KM_PER_MILE = 1.609344;
const EARTH_RADIUS_KM = 6371.0088;

/**
 * The great-circle distance between two points in kilometres (haversine formula, mean Earth
 * radius): accurate to about 0.5%, plenty for "how far is the study site".
 */
export function haversineKm(a: GeoPoint, b: GeoPoint): number {
  const toRadians = Math.PI / 180;
  const dLat = (b.lat - a.lat) * toRadians;
  const dLon = (b.lon - a.lon) * toRadians;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * toRadians) * Math.cos(b.lat * toRadians) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * The farthest distance a `travel_distance` answer allows, in kilometres: `mi_10` → 16.09,
 * `mi_25` → 40.23, `mi_50` → 80.47, `mi_100` → 160.93; `null` for `any` (or no answer, which a
 * valid non-urgent screening never has, because the question is required).
 */
export function maxDistanceKmFromAnswer(value: unknown): number | null {
  const miles = typeof value === 'string' ? /^mi_(\d+)$/.exec(value)?.[1] : undefined;
  return miles === undefined ? null : Number(miles) * KM_PER_MILE;
}

/**
 * The patient's location from their answers (`country`, `travel_distance`) and, when the caller
 * geocoded the postal code, its point.
 */
export function patientLocationFromAnswers(answers: Answers, point?: GeoPoint): PatientLocation {
  const location: PatientLocation = { maxDistanceKm: maxDistanceKmFromAnswer(answers.travel_distance) };
  const country = countryFromAnswer(answers.country);
  if (country) location.countryIso2 = country.iso2;
  if (point) location.point = point;
  return location;
}

/** Whether a lead can be sent for this site: it, or else the trial, has a contact email. */
export function siteAcceptsReferrals(trial: Trial, site: Site): boolean {
  return Boolean(site.contact?.email?.trim() || trial.centralContact?.email?.trim());
}

/**
 * A trial's recruiting site with what does not depend on the patient worked out in advance, so a
 * screening against thousands of trials does no string work per site (country names are
 * normalised, contact emails trimmed) beyond the distance.
 */
export interface RecruitingSite {
  site: Site;
  /** ISO code of the site's registry country name; undefined when the name is not known. */
  countryIso2: string | undefined;
  acceptsReferrals: boolean;
}

/** The trial's sites with status `RECRUITING`, in registry order, prepared for `nearestRecruitingSite`. */
export function recruitingSites(trial: Trial): RecruitingSite[] {
  const sites: RecruitingSite[] = [];
  for (const site of trial.sites) {
    if (site.status !== 'RECRUITING') continue;
    sites.push({
      site,
      countryIso2: countryFromRegistryName(site.country)?.iso2,
      acceptsReferrals: siteAcceptsReferrals(trial, site),
    });
  }
  return sites;
}

/**
 * The recruiting site of a trial a patient would be referred to, or null ("no site near you").
 *
 * Only sites with status `RECRUITING` count. With "any distance" every recruiting site
 * qualifies. With a travel limit, a site qualifies when its distance is known and within the
 * limit; a site whose distance cannot be computed (no coordinates for the patient's postal code or
 * for the site) is never treated as within the limit: one in the patient's own country is offered
 * as `distance_unknown` (the patient sees where it is and decides), one elsewhere is not offered.
 * Among qualifying sites, one that can take a referral comes first (a lead is what the patient
 * asked for), then the nearest, then sites with a known distance before unknown ones, then sites
 * in the patient's own country.
 *
 * Pass the trial's `recruitingSites`, prepared once per catalog, when screening many patients.
 */
export function nearestRecruitingSite(
  trial: Trial,
  location: PatientLocation,
  sites: readonly RecruitingSite[] = recruitingSites(trial),
): SiteSummary | null {
  let best: Candidate | undefined;
  for (const { site, countryIso2, acceptsReferrals } of sites) {
    const distanceKm = location.point && site.geo ? haversineKm(location.point, site.geo) : undefined;
    const sameCountry = location.countryIso2 !== undefined && countryIso2 === location.countryIso2;
    let reach: SiteReach;
    if (location.maxDistanceKm === null) reach = 'any_distance';
    else if (distanceKm !== undefined) {
      if (distanceKm > location.maxDistanceKm) continue;
      reach = 'within_distance';
    } else if (sameCountry) reach = 'distance_unknown';
    else continue;
    const candidate: Candidate = { site, distanceKm, sameCountry, acceptsReferrals, reach };
    if (best === undefined || isBetter(candidate, best)) best = candidate;
  }
  return best ? siteSummary(best) : null;
}

interface Candidate {
  site: Site;
  distanceKm: number | undefined;
  sameCountry: boolean;
  acceptsReferrals: boolean;
  reach: SiteReach;
}

/** Whether `a` ranks before `b`; ties keep the registry's site order. */
function isBetter(a: Candidate, b: Candidate): boolean {
  if (a.acceptsReferrals !== b.acceptsReferrals) return a.acceptsReferrals;
  if (a.distanceKm !== undefined && b.distanceKm !== undefined) return a.distanceKm < b.distanceKm;
  if (a.distanceKm !== undefined || b.distanceKm !== undefined) return a.distanceKm !== undefined;
  return a.sameCountry && !b.sameCountry;
}

function siteSummary({ site, distanceKm, acceptsReferrals, reach }: Candidate): SiteSummary {
  const distance =
    distanceKm === undefined ? undefined : { km: roundToTenth(distanceKm), miles: roundToTenth(distanceKm / KM_PER_MILE) };
  return summarizeSite({ site, acceptsReferrals }, reach, distance);
}

/**
 * The summary of a recruiting site as a result shows it, from the site, how it relates to the
 * patient's travel limit and its distance as shown (rounded): what a stored screening keeps of
 * its nearest site is the site and those three values (`core/stored-results.ts`).
 */
export function summarizeSite(
  { site, acceptsReferrals }: Pick<RecruitingSite, 'site' | 'acceptsReferrals'>,
  reach: SiteReach | undefined,
  distance: { km: number; miles: number } | undefined,
): SiteSummary {
  // Optional fields are left out rather than set to undefined: the summary is stored and sent as is.
  const summary: SiteSummary = { siteId: site.siteId, facility: site.facility, country: site.country, acceptsReferrals };
  if (reach !== undefined) summary.reach = reach;
  if (site.city !== undefined) summary.city = site.city;
  if (site.state !== undefined) summary.state = site.state;
  if (site.postalCode !== undefined) summary.postalCode = site.postalCode;
  if (distance !== undefined) {
    summary.distanceKm = distance.km;
    summary.distanceMiles = distance.miles;
  }
  return summary;
}

function roundToTenth(value: number): number {
  return Math.round(value * 10) / 10;
}
