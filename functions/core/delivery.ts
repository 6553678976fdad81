/**
 * The delivery lifecycle of outbound messages (site leads and patient confirmations):
 * claim -> render -> send -> record, with the recipient guard in front. Both the stream-driven
 * function and the reconciler deliver through `deliverOutboxItem`, so there is one behaviour to
 * reason about. The table and SES are reached through the two ports below; this module does no
 * I/O itself, which keeps every branch unit-testable with in-memory fakes.
 *
 * Status: PENDING -> SENDING -> SENT | FAILED. A transient send error puts the message back to
 * PENDING (to be retried by the stream or the reconciler) until `maxAttempts` claims were made.
 */
import {
  renderConfirmationEmail,
  renderSiteLeadEmail,
  UnsafeEmailError,
  type ConfirmationEmailInput,
  type EmailTemplates,
  type RenderedEmail,
  type SiteLeadEmailInput,
} from './lead-email';

export type OutboxKind = 'LEAD' | 'CONFIRMATION';

/** Identifies one outbound message: a lead id or a confirmation id. */
export interface OutboxRef {
  kind: OutboxKind;
  id: string;
}

/** The content of a claimed message, or why it cannot be used (schema paths only, no values). */
export type OutboxMessage =
  | { kind: 'LEAD'; lead: SiteLeadEmailInput }
  | { kind: 'CONFIRMATION'; confirmation: ConfirmationEmailInput }
  | { kind: 'INVALID'; reason: string };

/** A message this worker owns until it records an outcome or the claim goes stale. */
export interface OutboxClaim {
  ref: OutboxRef;
  /** Claims made so far, this one included. */
  attempts: number;
  /** ISO timestamp of this claim; later writes are conditioned on it (a fencing token). */
  claimedAt: string;
  message: OutboxMessage;
}

/** The table side of delivery (implemented by `adapters/outbox-repository.ts`). */
export interface OutboxStore {
  /**
   * Moves a PENDING message (or one SENDING since before `staleBefore`) to SENDING and returns
   * it, or null when it is not claimable: already sent, failed, claimed by someone else or erased.
   */
  claim(ref: OutboxRef, now: Date, staleBefore: Date): Promise<OutboxClaim | null>;
  markSent(claim: OutboxClaim, sesMessageId: string, now: Date): Promise<void>;
  markFailed(claim: OutboxClaim, reason: string, now: Date): Promise<void>;
  /** Puts the message back to PENDING so a later attempt can claim it. */
  release(claim: OutboxClaim, reason: string, now: Date): Promise<void>;
}

/** The result of one send; `reason` names the error class only (no addresses, no content). */
export type SendResult = { ok: true; messageId: string } | { ok: false; permanent: boolean; reason: string };

/** The email side of delivery (implemented by `adapters/ses-mailer.ts`). */
export interface Mailer {
  send(email: RenderedEmail): Promise<SendResult>;
}

/**
 * Who may receive email. The shipped catalog lists real study coordinators, so nothing goes to
 * a catalog or patient address until the operator approves the loaded catalog's contacts; a
 * configured override (staging) receives everything instead.
 */
export interface RecipientPolicy {
  contactsApproved: boolean;
  override?: string | undefined;
}

export type RecipientDecision = { action: 'send'; to: string; overridden: boolean } | { action: 'hold' };

export interface DeliverySettings {
  templates: EmailTemplates;
  policy: RecipientPolicy;
  /** The patient form's public URL, for the erasure link in confirmations. */
  appUrl: string;
  maxAttempts: number;
  /** A SENDING claim older than this is presumed lost (its worker died) and may be re-claimed. */
  staleSendingSeconds: number;
}

export interface DeliveryPorts {
  outbox: OutboxStore;
  mailer: Mailer;
  now: () => Date;
}

/** What happened to one message; `retry` asks the caller to report the record as failed. */
export type DeliveryOutcome =
  | { outcome: 'sent'; ref: OutboxRef; attempts: number; messageId: string; overridden: boolean }
  | { outcome: 'held'; ref: OutboxRef }
  | { outcome: 'skipped'; ref: OutboxRef }
  | { outcome: 'retry'; ref: OutboxRef; attempts: number; reason: string }
  | { outcome: 'failed'; ref: OutboxRef; attempts: number; reason: string };

/**
 * Decides where an email goes under the operator's policy: the override when one is set, the
 * intended address when the catalog's contacts are approved, otherwise nowhere yet (held).
 */
export function decideRecipient(intended: string, policy: RecipientPolicy): RecipientDecision {
  if (policy.override) return { action: 'send', to: policy.override, overridden: policy.override !== intended };
  if (policy.contactsApproved) return { action: 'send', to: intended, overridden: false };
  return { action: 'hold' };
}

/** Whether the policy sends nothing at all: no approval of the catalog's contacts and no override. */
export function holdsAllEmail(policy: RecipientPolicy): boolean {
  return !policy.override && !policy.contactsApproved;
}

/**
 * Delivers one outbound message at most once: claims it, renders it, sends it and records the
 * outcome. Safe to call for the same message any number of times (replayed stream records,
 * reconciler runs): only the caller that wins the claim sends.
 */
export async function deliverOutboxItem(
  ref: OutboxRef,
  settings: DeliverySettings,
  ports: DeliveryPorts,
): Promise<DeliveryOutcome> {
  // The hold decision depends on the policy alone, so a held message is not even claimed: it
  // stays PENDING untouched and is delivered once the operator approves or sets an override.
  if (holdsAllEmail(settings.policy)) return { outcome: 'held', ref };

  const startedAt = ports.now();
  const staleBefore = new Date(startedAt.getTime() - settings.staleSendingSeconds * 1000);
  const claim = await ports.outbox.claim(ref, startedAt, staleBefore);
  if (!claim) return { outcome: 'skipped', ref };

  const fail = async (reason: string): Promise<DeliveryOutcome> => {
    await ports.outbox.markFailed(claim, reason, ports.now());
    return { outcome: 'failed', ref, attempts: claim.attempts, reason };
  };

  // A message re-claimed after its worker died more often than allowed is given up on rather
  // than retried forever.
  if (claim.attempts > settings.maxAttempts) return fail(`gave up after ${settings.maxAttempts} attempts`);

  let email: RenderedEmail;
  try {
    email = renderMessage(claim.message, settings);
  } catch (error) {
    return fail(renderFailureReason(error));
  }

  const decision = decideRecipient(email.to, settings.policy);
  // Unreachable while the policy cannot change mid-call; kept so the type narrows honestly.
  if (decision.action === 'hold') return fail('held by recipient policy');
  const result = await sendSafely(ports.mailer, { ...email, to: decision.to });

  if (result.ok) {
    await ports.outbox.markSent(claim, result.messageId, ports.now());
    return { outcome: 'sent', ref, attempts: claim.attempts, messageId: result.messageId, overridden: decision.overridden };
  }
  if (result.permanent || claim.attempts >= settings.maxAttempts) return fail(result.reason);
  await ports.outbox.release(claim, result.reason, ports.now());
  return { outcome: 'retry', ref, attempts: claim.attempts, reason: result.reason };
}

function renderMessage(message: OutboxMessage, settings: DeliverySettings): RenderedEmail {
  switch (message.kind) {
    case 'LEAD':
      return renderSiteLeadEmail(message.lead, settings.templates.siteLead);
    case 'CONFIRMATION':
      return renderConfirmationEmail(message.confirmation, settings.templates.patientConfirmation, settings.appUrl);
    case 'INVALID':
      throw new InvalidOutboxItemError(message.reason);
  }
}

class InvalidOutboxItemError extends Error {}

function renderFailureReason(error: unknown): string {
  if (error instanceof UnsafeEmailError) return `unsafe email: ${error.field}`;
  if (error instanceof InvalidOutboxItemError) return `invalid item: ${error.message}`;
  // A template error: its class name is enough to find it; its message could quote data.
  return `could not render the email (${error instanceof Error ? error.name : 'unknown error'})`;
}

async function sendSafely(mailer: Mailer, email: RenderedEmail): Promise<SendResult> {
  try {
    return await mailer.send(email);
  } catch (error) {
    // A mailer is expected to classify its errors; anything that escapes is treated as
    // transient so the message is retried rather than lost.
    return { ok: false, permanent: false, reason: `unexpected mailer error (${error instanceof Error ? error.name : 'unknown'})` };
  }
}
