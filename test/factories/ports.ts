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
  AuthorizedSiteLead,
  NewSiteOutcome,
  PauseDetails,
  SiteLeadRecord,
  SiteLeadStore,
  SitePauses,
  ErasureStore,
  EmailEventMonitor,
  EmailEventStore,
  OutboxMessageRef,
  ReminderMonitor,
  UnansweredLead,
  UnansweredLeadSource,
  CatalogLeads,
  CatalogPublisher,
  RegistryChanges,
  RegistrySyncLog,
  RegistrySyncMonitor,
  DueMessages,
  MessageDelivery,
  ReconcilerMonitor,
} from '#core/ports';
import type { DeliveryOutcome, OutboxRef } from '#core/delivery';
import { planRegistrySync, type RegistryFacts } from '#core/registry-sync';
import type { EmailEventEntry } from '#core/email-events';
import type { LeadOutcomeEntry, SiteLinkRecord } from '#core/site-leads';
import { normaliseAddress, type SitePause } from '#core/site-pauses';

export function screenerStore(...screeners: Screener[]): ScreenerStore {
  return {
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
      if (!current) throw refusals.catalogNotLoaded();
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
export class InMemoryScreenings implements ScreeningStore, IdempotencyStore, ReferralStore, ErasureStore {
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
    erasures: screenings,
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

/** A lead as the referral wrote it, for the site's use cases (overrides for what a test is about). */
export function aSiteLead(overrides: Partial<SiteLeadRecord> = {}): SiteLeadRecord {
  return {
    leadId: 'lead-1',
    trialId: 'NCT00000001',
    siteId: 'site-1',
    createdAt: '2026-12-01T10:05:00.000Z',
    contact: { name: 'Robin Patient', email: 'robin@example.org' },
    consent: { phoneContact: false, textVersion: 'consent-v1', acceptedAt: '2026-12-01T10:05:00.000Z' },
    trial: { nctId: 'NCT00000001', title: 'A study of back pain' },
    site: { facility: 'Example Hospital', city: 'Baltimore', country: 'United States' },
    qualifyingAnswers: [{ question: 'How old are you?', answer: '45' }],
    criteriaMet: ['Adults aged 18 to 65'],
    recipient: { email: 'coordinator@hospital.example.org' },
    outcomes: [],
    ...overrides,
  };
}

interface StoredSiteLead {
  lead: SiteLeadRecord;
  /** Link tokens in clear (a fake: the table keeps hashes) and their expiry. */
  links: { token: string; record: SiteLinkRecord }[];
  views: string[];
  remindedAt?: string;
}

/** Leads by id with their links; a link opens only its own lead, until it expires. */
export class InMemorySiteLeads implements SiteLeadStore {
  readonly leads = new Map<string, StoredSiteLead>();
  /** The most outcomes a lead keeps (the table's limit), smaller in a test about it. */
  constructor(private readonly maxOutcomes = 50) {}

  /** Adds a lead that `token` opens until `expiresAt` (epoch seconds). */
  add(lead: SiteLeadRecord, token: string, expiresAt = Date.parse('2026-12-31T00:00:00Z') / 1000): this {
    this.leads.set(lead.leadId, { lead, links: [{ token, record: { hash: `hash-of-${token}`, expiresAt } }], views: [] });
    return this;
  }

  /** Erases a lead (as the patient's erasure does). */
  erase(leadId: string): void {
    this.leads.delete(leadId);
  }

  async authorize(leadId: string, token: string, now: Date): Promise<AuthorizedSiteLead> {
    const stored = this.leads.get(leadId);
    const link = stored?.links.find(
      (candidate) => candidate.token === token && candidate.record.expiresAt > now.getTime() / 1000,
    );
    if (!stored || !link) throw refusals.invalidSiteLink();
    return {
      lead: { ...stored.lead, outcomes: [...stored.lead.outcomes] },
      linkId: link.record.hash.slice(0, 12),
      linkExpiresAt: new Date(link.record.expiresAt * 1000).toISOString(),
    };
  }

  async recordView(leadId: string, linkId: string): Promise<void> {
    this.leads.get(leadId)?.views.push(linkId);
  }

  async recordOutcome(leadId: string, linkId: string, outcome: NewSiteOutcome, now: Date): Promise<LeadOutcomeEntry | undefined> {
    const stored = this.leads.get(leadId);
    if (!stored) return undefined;
    if (stored.lead.outcomes.length >= this.maxOutcomes) throw refusals.outcomeLimitReached(this.maxOutcomes);
    const entry: LeadOutcomeEntry = { ...outcome, at: now.toISOString(), link: linkId };
    stored.lead = { ...stored.lead, outcomes: [...stored.lead.outcomes, entry] };
    return entry;
  }

  async addLink(leadId: string, link: SiteLinkRecord, claim: { remindedAt?: string } = {}): Promise<boolean> {
    const stored = this.leads.get(leadId);
    if (!stored || (claim.remindedAt && stored.remindedAt)) return false;
    stored.links.push({ token: `token-for-${link.hash}`, record: link });
    if (claim.remindedAt) stored.remindedAt = claim.remindedAt;
    return true;
  }

  async clearReminder(leadId: string): Promise<void> {
    const stored = this.leads.get(leadId);
    if (stored) delete stored.remindedAt;
  }
}

/** Pauses in a list, the first pause of a site or address kept. */
export class InMemorySitePauses implements SitePauses {
  readonly pauses: SitePause[] = [];

  async list(): Promise<SitePause[]> {
    return [...this.pauses];
  }

  async pauseSite(trialId: string, siteId: string, details: PauseDetails, now: Date): Promise<boolean> {
    if (this.pauses.some((pause) => pause.kind === 'site' && pause.trialId === trialId && pause.siteId === siteId)) return false;
    this.pauses.push({ kind: 'site', trialId, siteId, pausedAt: now.toISOString(), ...details });
    return true;
  }

  async pauseAddress(address: string, details: PauseDetails, now: Date): Promise<boolean> {
    const normalised = normaliseAddress(address);
    if (this.pauses.some((pause) => pause.kind === 'address' && pause.address === normalised)) return false;
    this.pauses.push({ kind: 'address', address: normalised, pausedAt: now.toISOString(), ...details });
    return true;
  }
}

/** Email events by message (`LEAD:<id>`), for messages that exist; SENT until marked BOUNCED. */
export class InMemoryEmailEvents implements EmailEventStore {
  readonly events = new Map<string, EmailEventEntry[]>();
  readonly status = new Map<string, 'SENT' | 'BOUNCED'>();

  /** A message that was sent (events are kept only on messages that exist). */
  sent(ref: OutboxMessageRef): this {
    this.events.set(`${ref.kind}:${ref.id}`, []);
    this.status.set(`${ref.kind}:${ref.id}`, 'SENT');
    return this;
  }

  async record(ref: OutboxMessageRef, entry: EmailEventEntry): Promise<boolean> {
    const kept = this.events.get(`${ref.kind}:${ref.id}`);
    kept?.push(entry);
    return kept !== undefined;
  }

  async markBounced(ref: OutboxMessageRef): Promise<boolean> {
    if (this.status.get(`${ref.kind}:${ref.id}`) !== 'SENT') return false;
    this.status.set(`${ref.kind}:${ref.id}`, 'BOUNCED');
    return true;
  }
}

/** A monitor that writes down what it is told, as `name: detail` lines. */
export function recordingMonitor(): EmailEventMonitor & ReminderMonitor & ReconcilerMonitor & { told: string[] } {
  const told: string[] = [];
  return {
    told,
    ignored: (id) => told.push(`ignored: ${id}`),
    delivered: () => told.push('delivered'),
    complained: (ref) => told.push(`complained: ${ref.kind} ${ref.id}`),
    hardBounced: (ref) => told.push(`hardBounced: ${ref.kind} ${ref.id}`),
    reminded: (leadId) => told.push(`reminded: ${leadId}`),
    notReminded: (leadId, reason) => told.push(`notReminded: ${leadId} (${reason})`),
    notDelivered: (ref, errorName, retryInSeconds) =>
      told.push(`notDelivered: ${ref.kind} ${ref.id} (${errorName}, retry in ${retryInSeconds} s)`),
    oldestDue: (ageSeconds) => told.push(`oldestDue: ${ageSeconds} s`),
    oldestDueUnknown: (errorName) => told.push(`oldestDueUnknown: ${errorName}`),
    published: () => told.push('published'),
    finished: (summary) => told.push(`finished: ${JSON.stringify(summary)}`),
  };
}

/** The given unanswered leads, whatever the time asked about. */
export function unansweredLeads(...leads: UnansweredLead[]): UnansweredLeadSource & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async *unanswered(now, reminderWorkingDays) {
      asked.push(`${now.toISOString()} after ${reminderWorkingDays} working days`);
      yield* leads;
    },
  };
}

/** A catalog store (versions as `catalogStore`) that also publishes: versions `published-1`, … */
export function publishingCatalogStore(versions: Record<string, Trial[]> = {}) {
  const store = catalogStore(versions);
  const published: { version: string; trials: Trial[]; at: string }[] = [];
  const publisher: CatalogPublisher = {
    versionOf: () => `published-${published.length + 1}`,
    writeCatalog: async (version, trials, now) => published.push({ version, trials, at: now.toISOString() }),
  };
  return { ...store, ...publisher, published };
}

/** A registry whose records are `fetched` (or that fails with `fetched`), planned as the real one plans. */
export function fakeRegistry(fetched: RegistryFacts[] | Error): RegistryChanges & { asked: (string | undefined)[] } {
  const asked: (string | undefined)[] = [];
  return {
    asked,
    plan: async (current, since, newEntry) => {
      asked.push(since);
      if (fetched instanceof Error) throw fetched;
      return { plan: planRegistrySync(current, fetched, newEntry), failures: [] };
    },
  };
}

/** The last successful sync (a day) and every sync recorded. */
export function inMemorySyncLog(lastDay?: string): RegistrySyncLog & { recorded: string[] } {
  const recorded: string[] = [];
  return {
    recorded,
    lastSyncDay: async () => lastDay,
    recordSync: async (at, conditions) => {
      recorded.push(`${at.toISOString()} ${conditions.join('|')}`);
    },
  };
}

/** Leads of the given trials; what the sync asked to hold is kept. */
export function catalogLeadsOf(...trialIds: string[]): CatalogLeads & { holds: string[][] } {
  const holds: string[][] = [];
  return {
    holds,
    holdLeadsOfClosedSites: async (trials) => {
      holds.push(trials.map((trial) => trial.nctId));
      return 0;
    },
    trialsWithLeads: async () => new Set(trialIds),
  };
}

/** A registry sync monitor that writes down what it is told. */
export function recordingSyncMonitor(): RegistrySyncMonitor & { told: unknown[] } {
  const told: unknown[] = [];
  return { told, synced: (report) => told.push({ synced: report }), failed: (error) => told.push({ failed: String(error) }) };
}

/**
 * Due outbox messages in line order, each with when it became due. `failing`: the reads and
 * deferrals that throw (a failing table).
 */
export function dueMessages(
  due: { ref: OutboxRef; dueAt: Date }[],
  failing: { dueRefs?: Error; oldestDueAt?: Error; defer?: Error } = {},
): DueMessages & { asked: string[]; deferred: string[] } {
  const asked: string[] = [];
  const deferred: string[] = [];
  return {
    asked,
    deferred,
    async dueRefs(now, limit) {
      asked.push(`due at ${now.toISOString()}, at most ${limit}`);
      if (failing.dueRefs) throw failing.dueRefs;
      return due
        .filter((entry) => entry.dueAt <= now)
        .slice(0, limit)
        .map((entry) => entry.ref);
    },
    async oldestDueAt() {
      if (failing.oldestDueAt) throw failing.oldestDueAt;
      return due[0]?.dueAt;
    },
    async defer(ref, dueAt) {
      if (failing.defer) throw failing.defer;
      deferred.push(`${ref.kind} ${ref.id} to ${dueAt.toISOString()}`);
    },
  };
}

/** Delivers each message with the outcome given for its id (`sent` otherwise); an Error is thrown. */
export function scriptedDelivery(
  outcomes: Record<string, DeliveryOutcome['outcome'] | Error> = {},
): MessageDelivery & { delivered: string[] } {
  const delivered: string[] = [];
  return {
    delivered,
    async deliver(ref) {
      delivered.push(ref.id);
      const outcome = outcomes[ref.id] ?? 'sent';
      if (outcome instanceof Error) throw outcome;
      // The reconciler reads only the outcome; the other fields are the delivery log's.
      return { outcome, ref } as DeliveryOutcome;
    },
  };
}
