/**
 * Trial, site and criterion factories: small valid objects with sensible defaults, so each test
 * states only what matters to it. Every trial has a fresh NCT id and every site a fresh site id.
 */
import { Site, Trial } from '#core/model';
import type { GeoPoint, ScreeningCriterion } from '#core/model';

/** Real places, for distances that read naturally in tests. */
export const PLACES = {
  /** Johns Hopkins area, ZIP 21205. */
  baltimore: { lat: 39.2976, lon: -76.5929 },
  /** About 55 km from Baltimore. */
  washington: { lat: 38.9072, lon: -77.0369 },
  /** About 270 km from Baltimore. */
  newYork: { lat: 40.7128, lon: -74.006 },
  chicago: { lat: 41.8781, lon: -87.6298 },
  oslo: { lat: 59.9139, lon: 10.7522 },
} satisfies Record<string, GeoPoint>;

let sequence = 0;
const next = () => ++sequence;

/** A recruiting US site in Baltimore whose coordinator has an email address. */
export function aSite(overrides: Partial<Site> = {}): Site {
  const n = next();
  return Site.parse({
    siteId: `site-${n}`,
    facility: `Spine Research Clinic ${n}`,
    city: 'Baltimore',
    state: 'Maryland',
    postalCode: '21205',
    country: 'United States',
    status: 'RECRUITING',
    geo: PLACES.baltimore,
    contact: { name: 'Sam Coordinator', email: `coordinator${n}@example.org`, phone: '+1 410 555 0100' },
    ...overrides,
  });
}

/** An inclusion criterion that reads one question. */
export function aCriterion(overrides: Partial<ScreeningCriterion> = {}): ScreeningCriterion {
  return {
    id: `criterion-${next()}`,
    kind: 'inclusion',
    text: 'You have had back pain for at least 12 weeks',
    rule: { '>=': [{ var: 'pain_duration' }, 12] },
    ...overrides,
  };
}

/** Registry dates that make a record current today: verified this month, completion years away. */
export function currentRecordDates(now: Date = new Date()): NonNullable<Trial['recordDates']> {
  const month = now.toISOString().slice(0, 7);
  return {
    lastUpdated: now.toISOString().slice(0, 10),
    verified: month,
    primaryCompletion: `${now.getUTCFullYear() + 10}-06`,
    primaryCompletionType: 'ANTICIPATED',
  };
}

/**
 * A recruiting adult lower back pain trial (18 or older, any sex) with one site in Baltimore, no
 * authored criteria, and a registry record verified this month.
 */
export function aTrial(overrides: Partial<Trial> = {}): Trial {
  const n = next();
  return Trial.parse({
    nctId: `NCT${String(n).padStart(8, '0')}`,
    title: `Exercise for chronic lower back pain ${n}`,
    summary: 'A study of a supervised exercise programme for people with long-lasting lower back pain.',
    conditions: ['Low Back Pain'],
    screenerIds: ['lower-back-pain'],
    status: 'RECRUITING',
    phase: 'NA',
    eligibility: { minAgeYears: 18, maxAgeYears: null, sex: 'ALL', healthyVolunteers: false },
    criteria: [],
    sites: [aSite()],
    recordDate: '2026-01-15',
    // Verified this month, finishing in ten years: current under the freshness rule today.
    recordDates: currentRecordDates(),
    ...overrides,
  });
}
