/**
 * The delivery lifecycle of outbound messages (site leads and patient confirmations):
 * claim -> render -> send -> record, with the recipient guard in front. Both the stream-driven
 * function and the reconciler deliver through `deliverOutboxItem`, so there is one behaviour to
 * reason about. The table and SES are reached through the two ports below; this module does no
 * I/O itself, which keeps every branch unit-testable with in-memory fakes.
 *
 * Status: PENDING -> SENDING -> SENT | FAILED. A transient send error never spends the message:
 * it goes back to PENDING with a `nextAttemptAt` (exponential backoff with jitter) and the
 * reconciler, which owns retries, picks it up from the due index when that time comes. A message
 * is FAILED only on a permanent error (an explicit list, `adapters/ses-mailer.ts`) or when its
 * delivery window (default 24 h from creation) has passed with transient failures only.
 *
 * Send once: after SES accepted a message, recording SENT is retried with backoff; a claim
 * whose worker never recorded an outcome is re-sent only once it is older than the worker's whole
 * send-and-record budget (see `assertClaimOutlivesWorker`), and counted as a possible duplicate.
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
import { emailTagsFor } from './email-events';
import { siteLeadLinkUrl, type SiteEmailMode, type SiteLinkIssuer, type SiteLinkRecord } from './site-leads';

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
  /** When the message was created: its delivery window starts here. */
  createdAt: string;
  /**
   * Set when this claim took over a SENDING claim whose worker never recorded an outcome: that
   * worker may have sent the email before it died. Counts such take-overs, this one included.
   */
  abandonedClaims: number;
  message: OutboxMessage;
}

/** The table side of delivery (implemented by `adapters/outbox-repository.ts`). */
export interface OutboxStore {
  /**
   * Moves a PENDING message (or one SENDING since before `staleBefore`) to SENDING and returns
   * it, or null when it is not claimable: already sent, failed, claimed by someone else or erased.
   * The claim is due again to the reconciler at `staleAt` if its worker never records an outcome.
   */
  claim(ref: OutboxRef, now: Date, staleBefore: Date, staleAt: Date): Promise<OutboxClaim | null>;
  /** Records SENT; false when the claim was lost meanwhile (taken over or erased). */
  /** `siteLink`: the hash and expiry of the lead page link the sent email carries (leads only). */
  markSent(claim: OutboxClaim, sesMessageId: string, now: Date, siteLink?: SiteLinkRecord): Promise<boolean>;
  markFailed(claim: OutboxClaim, reason: string, now: Date): Promise<void>;
  /** Puts the message back to PENDING, due to the reconciler at `nextAttemptAt`. */
  reschedule(claim: OutboxClaim, reason: string, nextAttemptAt: Date, now: Date): Promise<void>;
}

/**
 * The result of one send; `reason` names the error class only (no addresses, no content).
 * `retry`: `never` for an error about this message (permanent), `later` for a fault that passes,
 * `held` for a refusal the operator must fix (SES sandbox, unverified identity, access denied):
 * retried like a transient fault within the delivery window, and counted as held.
 */
export type SendResult = { ok: true; messageId: string } | { ok: false; retry: 'never' | 'later' | 'held'; reason: string };

/** Limits of one send, for the mailer. */
export interface SendOptions {
  /** The send is abandoned (aborted) at this instant, so no send outlives its claim's budget. */
  deadline: Date;
}

/** The email side of delivery (implemented by `adapters/ses-mailer.ts`). */
export interface Mailer {
  send(email: RenderedEmail, options: SendOptions): Promise<SendResult>;
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

/** Exponential backoff between attempts: `base * 2^(n-1)`, capped, with jitter. */
export interface RetryPolicy {
  baseSeconds: number;
  maxSeconds: number;
}

export interface DeliverySettings {
  templates: EmailTemplates;
  policy: RecipientPolicy;
  /** The patient form's public URL, for the erasure link in confirmations. */
  appUrl: string;
  /** Claims abandoned by their workers (crash, timeout) before the message is given up on. */
  maxAttempts: number;
  /** A SENDING claim older than this is presumed abandoned (its worker died) and may be re-claimed. */
  staleSendingSeconds: number;
  /** Transient failures are retried until this long after the message was created, then FAILED. */
  deliveryWindowSeconds: number;
  retry: RetryPolicy;
  /** How long one send may take before it is aborted. */
  sendTimeoutMs: number;
  /** Tries at recording SENT after SES accepted, with backoff from 200 ms (capped at 5 s). */
  recordSentTries: number;
  /**
   * What the site email carries: `minimal` (the default) names the trial, the site and the lead
   * and links to the lead page; `full` also carries the patient's contact and answers.
   */
  siteEmailMode?: SiteEmailMode;
}

export interface DeliveryPorts {
  outbox: OutboxStore;
  mailer: Mailer;
  now: () => Date;
  /** A number in [0, 1) for jitter; `Math.random` in production. */
  random?: () => number;
  /** Waits between tries at recording SENT. */
  sleep?: (ms: number) => Promise<void>;
  /** Issues the lead page link of each site email; without it the email carries no link. */
  siteLinks?: SiteLinkIssuer;
}

/** What happened to one message; `retry` and `held` carry when the reconciler tries again. */
export type DeliveryOutcome =
  | { outcome: 'sent'; ref: OutboxRef; attempts: number; messageId: string; overridden: boolean; resentAbandonedClaim: boolean }
  | { outcome: 'unrecorded'; ref: OutboxRef; attempts: number; messageId: string; reason: string }
  | { outcome: 'held'; ref: OutboxRef; reason?: string; attempts?: number; nextAttemptAt?: string }
  | { outcome: 'skipped'; ref: OutboxRef }
  | { outcome: 'retry'; ref: OutboxRef; attempts: number; reason: string; nextAttemptAt: string }
  | { outcome: 'failed'; ref: OutboxRef; attempts: number; reason: string };

// Defined apart (see the module) so the HTTP functions that write messages need not bundle the
// email rendering this module imports.
export { ERASURE_WAITS_FOR_SEND_MS, SEND_TIMEOUT_MS, STREAM_GRACE_SECONDS } from './outbox-timing';

/** Recording SENT backs off from this delay, doubling, capped at `RECORD_SENT_MAX_DELAY_MS`. */
export const RECORD_SENT_FIRST_DELAY_MS = 200;
export const RECORD_SENT_MAX_DELAY_MS = 5_000;

/** The longest a worker spends on one claim: the send, then every try at recording SENT. */
export function workerBudgetMs(settings: Pick<DeliverySettings, 'sendTimeoutMs' | 'recordSentTries'>): number {
  let total = settings.sendTimeoutMs;
  for (let tryIndex = 1; tryIndex < settings.recordSentTries; tryIndex += 1) total += recordSentDelayMs(tryIndex);
  return total;
}

/**
 * Throws unless a claim goes stale only after its worker's whole budget: otherwise the reconciler
 * could re-send a message whose first worker is still about to record it as SENT.
 */
export function assertClaimOutlivesWorker(
  settings: Pick<DeliverySettings, 'sendTimeoutMs' | 'recordSentTries' | 'staleSendingSeconds'>,
): void {
  const budgetMs = workerBudgetMs(settings);
  if (settings.staleSendingSeconds * 1000 <= budgetMs) {
    throw new Error(
      `LEAD_STALE_SENDING_SECONDS (${settings.staleSendingSeconds}) must exceed a worker's send-and-record budget (${Math.ceil(budgetMs / 1000)} s)`,
    );
  }
}

function recordSentDelayMs(tryIndex: number): number {
  return Math.min(RECORD_SENT_MAX_DELAY_MS, RECORD_SENT_FIRST_DELAY_MS * 2 ** (tryIndex - 1));
}

/**
 * The wait before the next attempt after `attempts` failed ones: exponential from the base,
 * capped, with "equal jitter" (half fixed, half random) so that messages failed by one outage do
 * not all come back in the same second, yet none comes back at once.
 */
export function retryDelaySeconds(attempts: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponential = Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** Math.max(0, attempts - 1));
  return exponential / 2 + random() * (exponential / 2);
}

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
 * reconciler runs): only the caller that wins the claim sends. Throws only on table errors.
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
  const staleAt = new Date(startedAt.getTime() + settings.staleSendingSeconds * 1000);
  const claim = await ports.outbox.claim(ref, startedAt, staleBefore, staleAt);
  if (!claim) return { outcome: 'skipped', ref };

  const fail = async (reason: string): Promise<DeliveryOutcome> => {
    await ports.outbox.markFailed(claim, reason, ports.now());
    return { outcome: 'failed', ref, attempts: claim.attempts, reason };
  };

  // A message whose workers keep dying (or timing out) mid-delivery is given up on rather than
  // re-claimed forever: each take-over may have sent it once already.
  if (claim.abandonedClaims > settings.maxAttempts) {
    return fail(`gave up after ${claim.abandonedClaims} claims abandoned by their workers`);
  }

  // A fresh link per attempt: only the one in the email that was sent is recorded (its hash).
  const siteLink = claim.message.kind === 'LEAD' ? ports.siteLinks?.issue(startedAt) : undefined;
  let email: RenderedEmail;
  try {
    email = renderMessage(claim.message, settings, siteLink?.token);
  } catch (error) {
    return fail(renderFailureReason(error));
  }

  const decision = decideRecipient(email.to, settings.policy);
  // Unreachable while the policy cannot change mid-call; kept so the type narrows honestly.
  if (decision.action === 'hold') return fail('held by recipient policy');
  // The claim is re-checked against its deadline before sending: erasure waits only that long
  // for a send in flight, so a worker that was slowed down (a frozen or throttled process) must
  // not send afterwards. It gives the claim back instead, due again at once.
  const deadline = new Date(startedAt.getTime() + settings.sendTimeoutMs);
  if (ports.now().getTime() >= deadline.getTime()) {
    const now = ports.now();
    await ports.outbox.reschedule(claim, 'claim expired before sending', now, now);
    return {
      outcome: 'retry',
      ref,
      attempts: claim.attempts,
      reason: 'claim expired before sending',
      nextAttemptAt: now.toISOString(),
    };
  }
  const result = await sendSafely(ports.mailer, { ...email, to: decision.to, tags: emailTagsFor(ref.kind, ref.id) }, deadline);

  if (result.ok) return recordSent(claim, result.messageId, decision.overridden, settings, ports, siteLink?.record);
  if (result.retry === 'never') return fail(result.reason);

  const now = ports.now();
  const nextAttemptAt = new Date(now.getTime() + retryDelaySeconds(claim.attempts, settings.retry, ports.random) * 1000);
  const windowEnds = Date.parse(claim.createdAt) + settings.deliveryWindowSeconds * 1000;
  if (!(nextAttemptAt.getTime() < windowEnds)) {
    return fail(`${result.reason}; delivery window of ${formatWindow(settings.deliveryWindowSeconds)} passed`);
  }
  await ports.outbox.reschedule(claim, result.reason, nextAttemptAt, now);
  const retryAt = nextAttemptAt.toISOString();
  return result.retry === 'held'
    ? { outcome: 'held', ref, reason: result.reason, attempts: claim.attempts, nextAttemptAt: retryAt }
    : { outcome: 'retry', ref, attempts: claim.attempts, reason: result.reason, nextAttemptAt: retryAt };
}

/**
 * Records SENT after SES accepted the message, retrying with backoff: a table fault at this
 * moment must not turn into a second email. When every try fails the claim stays SENDING and is
 * not re-sent before it goes stale (which outlasts this budget, see `assertClaimOutlivesWorker`).
 */
async function recordSent(
  claim: OutboxClaim,
  messageId: string,
  overridden: boolean,
  settings: DeliverySettings,
  ports: DeliveryPorts,
  siteLink?: SiteLinkRecord,
): Promise<DeliveryOutcome> {
  const sleep = ports.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let lastError: unknown;
  for (let tryIndex = 1; tryIndex <= settings.recordSentTries; tryIndex += 1) {
    try {
      await ports.outbox.markSent(claim, messageId, ports.now(), siteLink);
      return {
        outcome: 'sent',
        ref: claim.ref,
        attempts: claim.attempts,
        messageId,
        overridden,
        resentAbandonedClaim: claim.abandonedClaims > 0,
      };
    } catch (error) {
      lastError = error;
      if (tryIndex < settings.recordSentTries) await sleep(recordSentDelayMs(tryIndex));
    }
  }
  return {
    outcome: 'unrecorded',
    ref: claim.ref,
    attempts: claim.attempts,
    messageId,
    reason: `could not record SENT after ${settings.recordSentTries} tries (${lastError instanceof Error ? lastError.name : 'unknown error'})`,
  };
}

function formatWindow(seconds: number): string {
  return seconds % 3600 === 0 ? `${seconds / 3600} h` : `${seconds} s`;
}

function renderMessage(message: OutboxMessage, settings: DeliverySettings, siteLinkToken: string | undefined): RenderedEmail {
  switch (message.kind) {
    case 'LEAD': {
      const mode = settings.siteEmailMode ?? 'minimal';
      const leadPageUrl = siteLinkToken ? siteLeadLinkUrl(settings.appUrl, message.lead.leadId, siteLinkToken) : undefined;
      return renderSiteLeadEmail(
        message.lead,
        mode === 'full' ? settings.templates.siteLead : settings.templates.siteLeadMinimal,
        {
          mode,
          leadPageUrl,
        },
      );
    }
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

async function sendSafely(mailer: Mailer, email: RenderedEmail, deadline: Date): Promise<SendResult> {
  try {
    return await mailer.send(email, { deadline });
  } catch (error) {
    // A mailer is expected to classify its errors; anything that escapes is treated as
    // transient so the message is retried rather than lost.
    return { ok: false, retry: 'later', reason: `unexpected mailer error (${error instanceof Error ? error.name : 'unknown'})` };
  }
}
