/**
 * Small factories for the delivery tests: email inputs, and in-memory fakes of the two delivery
 * ports (the outbox store and the mailer) that behave like the real adapters' contracts.
 */
import type { ConfirmationEmailInput, LeadScreeningSummary, RenderedEmail, SiteLeadEmailInput } from '#core/lead-email';
import type { Mailer, OutboxClaim, OutboxMessage, OutboxRef, OutboxStore, SendResult } from '#core/delivery';

export function aSiteLead(overrides: Partial<SiteLeadEmailInput> = {}): SiteLeadEmailInput {
  return {
    leadId: 'lead-1',
    createdAt: '2026-11-26T09:30:00.000Z',
    contact: { name: 'Pat Example', email: 'pat@example.org', phone: '+1 617 555 0100' },
    consent: { shareWithSites: true, phoneContact: true, textVersion: 'consent-v1', acceptedAt: '2026-11-26T09:29:00.000Z' },
    trial: { nctId: 'NCT01234567', title: 'Exercise for chronic lower back pain' },
    site: {
      facility: 'Boston Spine Center',
      city: 'Boston',
      state: 'Massachusetts',
      postalCode: '02115',
      country: 'United States',
    },
    recipient: { name: 'Sam Coordinator', email: 'coordinator@site.example' },
    qualifyingAnswers: [
      { question: 'How long have you had this back pain?', answer: '16 weeks' },
      { question: 'Have you taken any medicine for your back pain?', answer: 'Yes' },
    ],
    criteriaMet: ['Has had lower back pain for more than 12 weeks'],
    ...overrides,
  };
}

/** A possibly eligible patient in Boston with one criterion unknown and one check left to the study team. */
export function aScreeningSummary(overrides: Partial<LeadScreeningSummary> = {}): LeadScreeningSummary {
  return {
    eligibility: 'possibly_eligible',
    criteriaUnknown: ['You are not pregnant or breastfeeding.'],
    leftToStudyTeam: ['Your blood test results.'],
    patientArea: 'ZIP 021xx',
    recordDate: '2026-06-01',
    screenerVersion: '2026-12-01.3',
    ...overrides,
  };
}

export function aConfirmation(overrides: Partial<ConfirmationEmailInput> = {}): ConfirmationEmailInput {
  return {
    confirmationId: 'confirmation-1',
    screeningId: 'screening-1',
    screeningToken: 'tok_EN-123',
    contact: { name: 'Pat Example', email: 'pat@example.org' },
    leads: [
      {
        leadId: 'lead-1',
        trialTitle: 'Exercise for chronic lower back pain',
        facility: 'Boston Spine Center',
        city: 'Boston',
        country: 'United States',
      },
      {
        leadId: 'lead-2',
        trialTitle: 'Heat therapy for sciatica',
        facility: 'Oslo University Hospital',
        city: 'Oslo',
        country: 'Norway',
      },
    ],
    ...overrides,
  };
}

interface StoredMessage {
  status: 'PENDING' | 'SENDING' | 'SENT' | 'FAILED';
  attempts: number;
  createdAt: string;
  abandonedClaims: number;
  claimedAt?: string;
  nextAttemptAt?: string;
  sesMessageId?: string;
  lastError?: string;
  message: OutboxMessage;
}

/** An in-memory outbox with the same conditional semantics as the DynamoDB repository. */
export class InMemoryOutbox implements OutboxStore {
  readonly messages = new Map<string, StoredMessage>();
  /** Errors thrown by the next `markSent` calls, one per call (a table fault after SES accepted). */
  readonly markSentFaults: Error[] = [];

  add(ref: OutboxRef, message: OutboxMessage, state: Partial<StoredMessage> = {}): void {
    this.messages.set(keyOf(ref), {
      status: 'PENDING',
      attempts: 0,
      abandonedClaims: 0,
      createdAt: '2026-11-26T09:59:00.000Z',
      message,
      ...state,
    });
  }

  status(ref: OutboxRef): StoredMessage | undefined {
    return this.messages.get(keyOf(ref));
  }

  async claim(ref: OutboxRef, now: Date, staleBefore: Date): Promise<OutboxClaim | null> {
    const stored = this.messages.get(keyOf(ref));
    if (!stored) return null;
    const due = stored.status === 'PENDING' && (stored.nextAttemptAt ?? '') <= now.toISOString();
    const abandoned = stored.status === 'SENDING' && (stored.claimedAt ?? '') < staleBefore.toISOString();
    if (!due && !abandoned) return null;
    if (abandoned) stored.abandonedClaims += 1;
    stored.status = 'SENDING';
    stored.attempts += 1;
    stored.claimedAt = now.toISOString();
    return {
      ref,
      attempts: stored.attempts,
      claimedAt: stored.claimedAt,
      createdAt: stored.createdAt,
      abandonedClaims: stored.abandonedClaims,
      message: stored.message,
    };
  }

  async markSent(claim: OutboxClaim, sesMessageId: string): Promise<boolean> {
    const fault = this.markSentFaults.shift();
    if (fault) throw fault;
    const stored = this.owned(claim);
    stored.status = 'SENT';
    stored.sesMessageId = sesMessageId;
    return true;
  }

  async markFailed(claim: OutboxClaim, reason: string): Promise<void> {
    const stored = this.owned(claim);
    stored.status = 'FAILED';
    stored.lastError = reason;
  }

  async reschedule(claim: OutboxClaim, reason: string, nextAttemptAt: Date): Promise<void> {
    const stored = this.owned(claim);
    stored.status = 'PENDING';
    stored.lastError = reason;
    stored.nextAttemptAt = nextAttemptAt.toISOString();
  }

  private owned(claim: OutboxClaim): StoredMessage {
    const stored = this.messages.get(keyOf(claim.ref));
    if (!stored || stored.status !== 'SENDING' || stored.claimedAt !== claim.claimedAt) throw new Error('claim lost');
    return stored;
  }
}

/** A mailer that records what it sent and answers with scripted results (then succeeds). */
export class RecordingMailer implements Mailer {
  readonly sent: RenderedEmail[] = [];
  private readonly script: SendResult[];

  constructor(script: SendResult[] = []) {
    this.script = [...script];
  }

  async send(email: RenderedEmail): Promise<SendResult> {
    const scripted = this.script.shift();
    if (scripted && !scripted.ok) return scripted;
    this.sent.push(email);
    return { ok: true, messageId: `message-${this.sent.length}` };
  }
}

function keyOf(ref: OutboxRef): string {
  return `${ref.kind}#${ref.id}`;
}
