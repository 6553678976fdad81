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
import type { Answers, GeoPoint, LeadStatus, MedicalAdvice, Screener, ScreeningOutcome, TrialResult, UrgentCare } from './model';
import type { LeadPlan } from './referral';
import type { SiteOutcome } from './site-leads';

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
  listScreeners(): Promise<Screener[]>;
  getScreener(screenerId: string): Promise<Screener | undefined>;
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
