/**
 * The ports: what the use cases (`functions/app/`) need from the world, declared by the core and
 * implemented by the adapters (`functions/adapters/`: DynamoDB repositories, the postal geocoder,
 * the phone number parser, the token generator). A use case is tested with in-memory fakes of
 * these in milliseconds; the handlers wire the real ones.
 *
 * The records here are the domain's view of what is stored; how an item is laid out in the table
 * is the repositories' business.
 */
import type { PreparedCatalog } from './eligibility';
import type { RegistryFacts, SyncPlan } from './registry-sync';
import type {
  Answers,
  GeoPoint,
  LeadStatus,
  MedicalAdvice,
  Screener,
  ScreenerSummary,
  ScreeningOutcome,
  Trial,
  TrialResult,
  UrgentCare,
} from './model';
import type { LeadPlan } from './referral';
import type { DeliveryOutcome, OutboxMessage, OutboxRef } from './delivery';
import type { EmailEventEntry } from './email-events';
import type { SiteLeadEmailInput } from './lead-email';
import type { FollowUp, LeadOutcomeEntry, NotEligibleReason, SiteLinkRecord, SiteOutcome } from './site-leads';
import type { PausedBy, SitePauseStore } from './site-pauses';

/** A screening as the use case hands it to the store (ids and dates are the store's). */
export interface NewScreening {
  screenerId: string;
  screenerVersion: string;
  catalogVersion: string;
  /** The freshness rule's setting the results were decided under (they are shown again under it). */
  maxRecordAgeDays: number;
  answers: Answers;
  outcome: ScreeningOutcome;
  redFlags: string[];
  results: TrialResult[];
  /** The emergency tier's message and the patient's own country's numbers, as shown. */
  urgentCare?: UrgentCare;
  /** The see-a-doctor-soon tier's advice, as shown first with the results. */
  medicalAdvice?: MedicalAdvice;
}

/** A stored screening (the token's hash never leaves the store). */
export interface ScreeningRecord extends NewScreening {
  screeningId: string;
  createdAt: string;
  expiresAt: number;
  referred: boolean;
}

/** The client's Idempotency-Key and the request it came with (the store compares a hash of it). */
export interface IdempotencyRequest {
  key: string;
  request: unknown;
}

export interface SavedScreening {
  screening: ScreeningRecord;
  /** The screening token in clear: returned to the client once (and again on a replay). */
  token: string;
  /** True when this is the stored result of an earlier request with the same Idempotency-Key. */
  replayed: boolean;
}

export interface PatientContact {
  name: string;
  email: string;
  /** E.164. */
  phone?: string;
}

export interface NewReferral {
  screeningId: string;
  /**
   * The screening token the request was authorised with: the write is conditioned on it, and the
   * patient's confirmation keeps it for the erasure link of their email.
   */
  token: string;
  contact: PatientContact;
  consent: { phoneContact: boolean; textVersion: string };
  trialIds: string[];
  plans: LeadPlan[];
}

export interface LeadSummary {
  leadId: string;
  trialId: string;
  siteId: string;
  status: LeadStatus;
  updatedAt: string;
  /** The latest outcome the site recorded, and when (absent until the site records one). */
  latestOutcome?: { outcome: SiteOutcome; at: string } | undefined;
}

export interface ReferralSummary {
  referralId: string;
  createdAt: string;
  leads: LeadSummary[];
}

/** The screeners patients can take. */
export interface ScreenerStore {
  getScreener(screenerId: string): Promise<Screener | undefined>;
}

/** The list of screeners the form's landing page shows. */
export interface ScreenerList {
  /** Every screener as the list shows it (id, version, condition, title), ordered by id. */
  listScreeners(): Promise<ScreenerSummary[]>;
}

/** The trial catalog, prepared for evaluation, by version. */
export interface CatalogStore {
  /** @throws DomainError CATALOG_NOT_LOADED when no catalog was ever loaded. */
  getCurrentCatalog(): Promise<PreparedCatalog>;
  getCatalogVersion(version: string): Promise<PreparedCatalog | undefined>;
}

/** Replays of `POST /screenings` by Idempotency-Key. */
export interface IdempotencyStore {
  /**
   * The stored result of an earlier request with this key, if any.
   *
   * @throws DomainError IDEMPOTENCY_KEY_REUSED when the key came with a different request.
   */
  findReplay(idempotency: IdempotencyRequest): Promise<SavedScreening | undefined>;
}

/** Screenings, authorised by their token. */
export interface ScreeningStore {
  /**
   * Stores a new screening with its token, and the idempotency record with it when there is a
   * key; a concurrent request with the same key gets the first one's result.
   */
  createScreening(screening: NewScreening, token: string, idempotency?: IdempotencyRequest): Promise<SavedScreening>;
  /** @throws DomainError TOKEN_INVALID for a wrong token, an unknown or an expired screening alike. */
  authorizeScreening(screeningId: string, token: string): Promise<ScreeningRecord>;
}

/** Erasure of a screening by its token. */
export interface ErasureStore {
  /**
   * Erases the screening and everything of the patient's that hangs from it, after any send in
   * flight, and says which sites had already received the patient's data.
   *
   * @throws DomainError TOKEN_INVALID for a wrong token or an unknown screening.
   */
  eraseScreening(screeningId: string, token: string): Promise<ErasureReceipt>;
}

/** One site that received (or may have received) a lead before the patient's erasure. */
export interface Disclosure {
  leadId: string;
  trialId: string;
  siteId: string;
  facility?: string | undefined;
  /** `SENT`: SES accepted it at `sentAt`; `POSSIBLY_SENT`: a send was claimed and never recorded. */
  status: 'SENT' | 'POSSIBLY_SENT';
  sentAt?: string | undefined;
}

/** What an erasure did: which sites had already received the patient's data (no patient data). */
export interface ErasureReceipt {
  screeningId: string;
  erasedAt: string;
  disclosedTo: Disclosure[];
}

/** Referrals, their leads and the patient's confirmation. */
export interface ReferralStore {
  /**
   * Records the referral, one pending lead per plan and the patient's confirmation at once, or
   * nothing (refusing a wrong token, an urgent-care screening and a second referral itself).
   */
  createReferral(referral: NewReferral): Promise<ReferralSummary>;
  /** The referral of a screening with each lead's delivery status, or undefined when none. */
  getReferral(screeningId: string): Promise<ReferralSummary | undefined>;
}

/** The patient's postal code as a point, for the distance to each site. */
export interface Geocoder {
  /**
   * The point of the postal code the patient gave for their country, when its coordinates are
   * known; undefined when the country has none or no code was given.
   *
   * @throws DomainError INVALID_ANSWERS (at `answers.postal_code`) for a code that is not one of that country's
   */
  locatePatient(answers: Answers): Promise<GeoPoint | undefined>;
}

/** Phone numbers as the patient typed them, normalised for the sites. */
export interface PhoneNumbers {
  /** E.164 for a valid number (the country is the default for numbers without a prefix), else undefined. */
  toE164(text: string, countryIso2: string | undefined): string | undefined;
}

/** Fresh random secrets: the per-screening token. */
export interface TokenSource {
  newToken(): string;
}

/** The current time (a port so use cases decide dates deterministically in tests). */
export type Clock = () => Date;

/**
 * A lead as its site sees it on the lead page (the store's reading of the Lead item): the parts
 * the site email also carries, and what only the page shows.
 */
export type SiteLeadRecord = Pick<
  SiteLeadEmailInput,
  'leadId' | 'createdAt' | 'contact' | 'trial' | 'site' | 'qualifyingAnswers' | 'criteriaMet'
> & {
  trialId: string;
  siteId: string;
  consent: Omit<SiteLeadEmailInput['consent'], 'shareWithSites'>;
  /** What the form left undecided and what the trial leaves to the study team. */
  screening?: { criteriaUnknown: string[]; leftToStudyTeam: string[] } | undefined;
  /** Where the lead email went. */
  recipient: { email: string };
  /** Oldest first. */
  outcomes: LeadOutcomeEntry[];
};

/** A lead a link opened, and which link it was. */
export interface AuthorizedSiteLead {
  lead: SiteLeadRecord;
  /** The link's id (a prefix of its hash) for records; never the token. */
  linkId: string;
  /** When the link stops working (ISO). */
  linkExpiresAt: string;
}

/** What a site records about a lead (validated by the HTTP layer). */
export interface NewSiteOutcome {
  outcome: SiteOutcome;
  reason?: NotEligibleReason | undefined;
  note?: string | undefined;
}

/** The site's side of the leads: lead page links, views, outcomes, reminders. */
export interface SiteLeadStore {
  /**
   * The lead `token` opens, with the link it matched.
   *
   * @throws DomainError TOKEN_INVALID (`refusals.invalidSiteLink`) for an unknown lead, another
   *   lead's token or an expired link alike.
   */
  authorize(leadId: string, token: string, now: Date): Promise<AuthorizedSiteLead>;
  /** Counts a view of the lead page and names the link that made it (nothing when erased meanwhile). */
  recordView(leadId: string, linkId: string, now: Date): Promise<void>;
  /**
   * Appends an outcome to the lead's history.
   *
   * @returns the entry as stored, or undefined when the lead was erased meanwhile.
   * @throws DomainError OUTCOME_LIMIT_REACHED when the history is full.
   */
  recordOutcome(leadId: string, linkId: string, outcome: NewSiteOutcome, now: Date): Promise<LeadOutcomeEntry | undefined>;
  /**
   * Adds a link to a lead (for a reminder email); with `remindedAt`, only if no reminder was
   * claimed yet. False when the lead is gone or the reminder already claimed.
   */
  addLink(leadId: string, link: SiteLinkRecord, claim?: { remindedAt?: string }): Promise<boolean>;
  /** Gives a reminder claim back (its send failed), so the next run tries again. */
  clearReminder(leadId: string): Promise<void>;
}

/** Who paused a site or address, why, and from which lead. */
export interface PauseDetails {
  pausedBy: PausedBy;
  reason?: string | undefined;
  /** The lead whose page (or bounce) paused it. */
  leadId?: string | undefined;
}

/** Paused sites and addresses, read and written. */
export interface SitePauses extends SitePauseStore {
  /** Pauses a trial's site; false when it was already paused (the first pause is kept). */
  pauseSite(trialId: string, siteId: string, details: PauseDetails, now: Date): Promise<boolean>;
  /** Pauses an address for every trial it receives leads for; false when it was already paused. */
  pauseAddress(address: string, details: PauseDetails, now: Date): Promise<boolean>;
}

/** An outbox message: a site's lead or a patient's confirmation. */
export interface OutboxMessageRef {
  kind: 'LEAD' | 'CONFIRMATION';
  id: string;
}

/** SES delivery events, kept on the message they are about. */
export interface EmailEventStore {
  /** Appends an event to its message; false when the message is gone (erased) or full. */
  record(ref: OutboxMessageRef, entry: EmailEventEntry): Promise<boolean>;
  /** Marks a SENT message BOUNCED; false when it is not SENT (already bounced, or erased). */
  markBounced(ref: OutboxMessageRef, now: Date): Promise<boolean>;
}

/** What the email-event recorder tells the operator (metrics, log lines; never an address). */
export interface EmailEventMonitor {
  /** An event with no outbox message tag (mail this system did not send), or not an SES event. */
  ignored(notificationId: string | undefined): void;
  delivered(): void;
  complained(ref: OutboxMessageRef, sesMessageId: string): void;
  /** A hard bounce marked its message BOUNCED (and, for a lead, paused the address). */
  hardBounced(ref: OutboxMessageRef, sesMessageId: string, bounceSubType: string | undefined): void;
  /** The batch is done (also when it failed): the counts, published. */
  finished(summary: { recorded: number; bounced: number; ignored: number }): void;
}

/** A sent lead the site has said nothing about, with what its follow-up needs now. */
export interface UnansweredLead {
  leadId: string;
  followUp: FollowUp;
  /** The lead's content as the outbox holds it, to render the reminder from. */
  message: OutboxMessage;
}

/** The sent leads without an outcome after the reminder delay. */
export interface UnansweredLeadSource {
  /** Every SENT lead with no outcome sent at least `reminderWorkingDays` working days before `now`. */
  unanswered(now: Date, reminderWorkingDays: number): AsyncIterable<UnansweredLead>;
}

/** What the reminder run tells the operator. */
export interface ReminderMonitor {
  reminded(leadId: string, sesMessageId: string, overridden: boolean): void;
  /** A reminder not sent (its claim given back): the next run tries again. */
  notReminded(leadId: string, reason: string): void;
  /** The run is done (also when it failed): the counts, published, zero included. */
  finished(summary: { examined: number; reminded: number; failed: number; unanswered: number }): void;
}

/** Publishing a catalog version (trials first, the pointer flip last, so readers never see half). */
export interface CatalogPublisher {
  writeCatalog(version: string, trials: Trial[], now: Date): Promise<unknown>;
  /** The name of a catalog version made at `at`: equal catalogs share a name. */
  versionOf(trials: readonly Trial[], at: Date): string;
}

/** What the registry says changed, merged into the catalog (nothing is written). */
export interface RegistryChanges {
  /**
   * Fetches every record changed since `since` (all, when absent) and plans the merge into
   * `current`; `newEntry` makes the catalog entry of a trial new to it.
   *
   * @throws when a page cannot be fetched: nothing may be published then.
   */
  plan(
    current: readonly Trial[],
    since: string | undefined,
    newEntry: (facts: RegistryFacts) => Trial,
  ): Promise<{ plan: SyncPlan<Trial>; failures: string[] }>;
}

/** When the registry was last synced successfully. */
export interface RegistrySyncLog {
  /** The ISO day of the last successful sync, or undefined before the first. */
  lastSyncDay(): Promise<string | undefined>;
  recordSync(at: Date, conditions: readonly string[]): Promise<void>;
}

/** The leads a catalog change affects. */
export interface CatalogLeads {
  /** Holds the unsent leads of trials and sites `trials` no longer offers; how many it held. */
  holdLeadsOfClosedSites(trials: readonly Trial[], now: Date): Promise<number>;
  /** The trials that have a lead in any delivery state (waiting, sent or failed). */
  trialsWithLeads(): Promise<ReadonlySet<string>>;
}

/** What the registry sync tells the operator. */
export interface RegistrySyncMonitor {
  synced(report: {
    since: string | undefined;
    published: string | undefined;
    summary: SyncPlan<Trial>['summary'];
    heldLeads: number;
    staleTrialsWithLeads: string[];
    /** Record-level problems, naming a field (there is no patient data in the registry). */
    failures: string[];
    durationMs: number;
  }): void;
  /** Nothing was published. */
  failed(error: unknown): void;
}

/** The undelivered outbox messages the reconciler re-drives, and its way to move one back in line. */
export interface DueMessages {
  /** At most `limit` messages due at `now` (delivery retries, stale claims, messages the stream missed), longest-waiting first. */
  dueRefs(now: Date, limit: number): Promise<OutboxRef[]>;
  /** When the longest-waiting undelivered message became due; undefined when none is due. */
  oldestDueAt(): Promise<Date | undefined>;
  /** Makes a message due again at `dueAt` (and no sooner). */
  defer(ref: OutboxRef, dueAt: Date): Promise<void>;
}

/**
 * Delivers one message through the delivery lifecycle (`deliverOutboxItem`), logging and counting
 * its outcome as every delivery path does.
 */
export interface MessageDelivery {
  /** @throws on table errors only (a send's failure is an outcome). */
  deliver(ref: OutboxRef): Promise<DeliveryOutcome>;
}

/** Milliseconds left of the current invocation. */
export type RemainingTime = () => number;

/** What the reconciler tells the operator (metrics, log lines; ids and error names only). */
export interface ReconcilerMonitor {
  /** A delivery threw (`errorName`: never the message, which can quote item values); the message was moved back. */
  notDelivered(ref: OutboxRef, errorName: string, retryInSeconds: number): void;
  /** Seconds since the longest-waiting undelivered message became due (0 when none is overdue). */
  oldestDue(ageSeconds: number): void;
  /** The oldest due message could not be read: no figure this run. */
  oldestDueUnknown(errorName: string): void;
  /** The run is over (also when it failed): publishes what it counted. */
  published(): void;
  /** The run finished without a table error reading the due messages. */
  finished(summary: Record<DeliveryOutcome['outcome'] | 'examined' | 'errors', number>): void;
}
