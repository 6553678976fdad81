/**
 * In-memory fakes of the core's ports, for the use cases' unit tests: the same contracts as the
 * DynamoDB repositories (tokens authorise, refusals are the core's), no I/O.
 */
import { prepareCatalog, type PreparedCatalog } from '#core/eligibility';
import { refusals } from '#core/errors';
import { submitScreening } from '#app/submit-screening';
import type { Answers, GeoPoint, Screener, Trial } from '#core/model';
import type {
  CatalogStore,
  Geocoder,
  IdempotencyRequest,
  IdempotencyStore,
  NewReferral,
  NewScreening,
  PhoneNumbers,
  ReferralStore,
  ReferralSummary,
  SavedScreening,
  ScreenerStore,
  ScreeningRecord,
  ScreeningStore,
  TokenSource,
  ErasureReceipt,
} from '#core/ports';
import { DomainError } from '#core/errors';

export function screenerStore(...screeners: Screener[]): ScreenerStore {
  return {
    listScreeners: async () => screeners,
    getScreener: async (screenerId) => screeners.find((screener) => screener.id === screenerId),
  };
}

/** Catalog versions by name; the last one given is current. None given: no catalog loaded. */
export function catalogStore(versions: Record<string, Trial[]> = {}): CatalogStore & { reads: string[] } {
  const prepared = new Map<string, PreparedCatalog>(
    Object.entries(versions).map(([version, trials]) => [version, prepareCatalog(version, trials)]),
  );
  const current = [...prepared.values()].at(-1);
  const reads: string[] = [];
  return {
    reads,
    async getCurrentCatalog() {
      reads.push('current');
      if (!current) throw new DomainError('CATALOG_NOT_LOADED', 'No trial catalog is loaded yet.');
      return current;
    },
    async getCatalogVersion(version) {
      reads.push(version);
      return prepared.get(version);
    },
  };
}

interface StoredScreening {
  record: ScreeningRecord;
  token: string;
}

/** Screenings, idempotency records and referrals in maps, keyed as the table keys them. */
export class InMemoryScreenings implements ScreeningStore, IdempotencyStore, ReferralStore {
  readonly screenings = new Map<string, StoredScreening>();
  readonly replays = new Map<string, { request: string; screeningId: string }>();
  readonly referrals = new Map<string, { referral: ReferralSummary; input: NewReferral }>();
  private sequence = 0;

  async findReplay({ key, request }: IdempotencyRequest): Promise<SavedScreening | undefined> {
    const replay = this.replays.get(key);
    if (!replay) return undefined;
    if (replay.request !== JSON.stringify(request)) throw refusals.idempotencyKeyReused();
    const stored = this.screenings.get(replay.screeningId)!;
    return { screening: stored.record, token: stored.token, replayed: true };
  }

  async createScreening(screening: NewScreening, token: string, idempotency?: IdempotencyRequest): Promise<SavedScreening> {
    const screeningId = `screening-${++this.sequence}`;
    const record: ScreeningRecord = {
      ...screening,
      screeningId,
      createdAt: '2026-12-01T10:00:00.000Z',
      expiresAt: 1,
      referred: false,
    };
    this.screenings.set(screeningId, { record, token });
    if (idempotency) this.replays.set(idempotency.key, { request: JSON.stringify(idempotency.request), screeningId });
    return { screening: record, token, replayed: false };
  }

  async authorizeScreening(screeningId: string, token: string): Promise<ScreeningRecord> {
    const stored = this.screenings.get(screeningId);
    if (!stored || stored.token !== token) throw refusals.invalidToken();
    return stored.record;
  }

  async eraseScreening(screeningId: string, token: string): Promise<ErasureReceipt> {
    await this.authorizeScreening(screeningId, token);
    this.screenings.delete(screeningId);
    this.referrals.delete(screeningId);
    return { screeningId, erasedAt: new Date(0).toISOString(), disclosedTo: [] };
  }

  async createReferral(input: NewReferral): Promise<ReferralSummary> {
    const stored = this.screenings.get(input.screeningId);
    if (!stored || stored.token !== input.token) throw refusals.invalidToken();
    if (stored.record.outcome === 'urgent_care') throw refusals.urgentCare();
    if (stored.record.referred) throw refusals.referralExists();
    const referral: ReferralSummary = {
      referralId: `referral-${++this.sequence}`,
      createdAt: '2026-12-01T10:05:00.000Z',
      leads: input.plans.map((plan, index) => ({
        leadId: `lead-${this.sequence}-${index}`,
        trialId: plan.trialId,
        siteId: plan.site.siteId,
        status: 'PENDING',
        updatedAt: '2026-12-01T10:05:00.000Z',
      })),
    };
    stored.record = { ...stored.record, referred: true };
    this.referrals.set(input.screeningId, { referral, input });
    return referral;
  }

  async getReferral(screeningId: string): Promise<ReferralSummary | undefined> {
    return this.referrals.get(screeningId)?.referral;
  }
}

/** Postal codes → points; every lookup (country and code answered) is recorded. */
export function geocoder(points: Record<string, GeoPoint> = {}): Geocoder & { lookups: string[] } {
  const lookups: string[] = [];
  return {
    lookups,
    locatePatient: async (answers) => {
      if (typeof answers.postal_code !== 'string') return undefined;
      lookups.push(`${String(answers.country)}:${answers.postal_code}`);
      return points[answers.postal_code];
    },
  };
}

/** The freshness setting and clock of the use cases: records verified in 2026 are current. */
export const freshToday = { clock: () => new Date('2026-12-01T10:00:00Z'), freshness: { maxRecordAgeDays: 365 } };

/** Tokens `token-1`, `token-2`, … */
export function sequentialTokens(): TokenSource {
  let n = 0;
  return { newToken: () => `token-${++n}` };
}

/** Accepts digits with an optional leading +, in E.164 as given (country prefix +1 when none). */
export const simplePhoneNumbers: PhoneNumbers = {
  toE164: (text) => {
    const digits = text.replace(/[\s()-]/g, '');
    if (!/^\+?\d{10,15}$/.test(digits)) return undefined;
    return digits.startsWith('+') ? digits : `+1${digits}`;
  },
};

/**
 * A screening of `answers` submitted through the real use case over in-memory stores holding
 * `screener` and one catalog version of `trials`, in Baltimore: the stores and the stored screening.
 */
export async function aSubmittedScreening(screener: Screener, trials: Trial[], answers: Answers) {
  const screenings = new InMemoryScreenings();
  const stores = {
    screeners: screenerStore(screener),
    catalogs: catalogStore({ 'catalog-1': trials }),
    screenings,
    referrals: screenings,
  };
  const { screening, token } = await submitScreening({
    ...stores,
    idempotency: screenings,
    geocoder: geocoder({ '21205': { lat: 39.2976, lon: -76.5929 } }),
    tokens: sequentialTokens(),
    ...freshToday,
  })({ screenerId: screener.id, answers });
  return { stores, screenings, screeningId: screening.screeningId, token };
}
