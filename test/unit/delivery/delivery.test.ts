import { describe, expect, it } from '@jest/globals';
import {
  assertClaimOutlivesWorker,
  decideRecipient,
  deliverOutboxItem,
  retryDelaySeconds,
  workerBudgetMs,
  type DeliverySettings,
  type OutboxRef,
  type RecipientPolicy,
} from '#core/delivery';
import { compileEmailTemplate } from '#core/email-template-compiler';
import { aConfirmation, aSiteLead, InMemoryOutbox, RecordingMailer } from './factories';

const template = compileEmailTemplate({ subject: 'Lead {{leadId}}', text: '{{patient.name}}', html: '<p>{{patient.name}}</p>' });
const lead: OutboxRef = { kind: 'LEAD', id: 'lead-1' };
const confirmation: OutboxRef = { kind: 'CONFIRMATION', id: 'confirmation-1' };
const NOW = new Date('2026-11-26T10:00:00.000Z');

function settings(overrides: Partial<DeliverySettings> = {}): DeliverySettings {
  return {
    templates: { siteLead: template, siteLeadMinimal: template, siteLeadReminder: template, patientConfirmation: template },
    policy: { contactsApproved: true },
    siteEmailMode: 'full',
    appUrl: 'https://screener.example',
    maxAttempts: 3,
    staleSendingSeconds: 300,
    deliveryWindowSeconds: 24 * 3600,
    retry: { baseSeconds: 30, maxSeconds: 900 },
    sendTimeoutMs: 8000,
    recordSentTries: 4,
    ...overrides,
  };
}

function outboxWithLead(state: Parameters<InMemoryOutbox['add']>[2] = {}): InMemoryOutbox {
  const outbox = new InMemoryOutbox();
  outbox.add(lead, { kind: 'LEAD', lead: aSiteLead() }, state);
  return outbox;
}

const noWait = async () => undefined;
const deliver = (
  ref: OutboxRef,
  outbox: InMemoryOutbox,
  mailer: RecordingMailer,
  overrides: Partial<DeliverySettings> = {},
  now: Date = NOW,
) => deliverOutboxItem(ref, settings(overrides), { outbox, mailer, now: () => now, random: () => 0, sleep: noWait });
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
const throttled = { ok: false, retry: 'later', reason: 'SES Throttling (400)' } as const;

describe('deliverOutboxItem', () => {
  it('sends a pending lead to its recipient and records it as sent with the message id', async () => {
    const outbox = outboxWithLead();
    const mailer = new RecordingMailer();

    const result = await deliver(lead, outbox, mailer);

    expect(result).toMatchObject({ outcome: 'sent', messageId: 'message-1', attempts: 1 });
    expect(mailer.sent.map((email) => email.to)).toEqual(['coordinator@site.example']);
    expect(outbox.status(lead)).toMatchObject({ status: 'SENT', sesMessageId: 'message-1' });
  });

  it('sends a confirmation to the patient through the same path', async () => {
    const outbox = new InMemoryOutbox();
    outbox.add(confirmation, { kind: 'CONFIRMATION', confirmation: aConfirmation() });
    const mailer = new RecordingMailer();

    await deliver(confirmation, outbox, mailer);

    expect(mailer.sent.map((email) => email.to)).toEqual(['pat@example.org']);
    expect(outbox.status(confirmation)?.status).toBe('SENT');
  });

  it('sends nothing when the same lead is delivered twice', async () => {
    const outbox = outboxWithLead();
    const mailer = new RecordingMailer();

    await deliver(lead, outbox, mailer);
    const second = await deliver(lead, outbox, mailer);

    expect(second.outcome).toBe('skipped');
    expect(mailer.sent).toHaveLength(1);
  });

  it('leaves a lead that another worker is sending to that worker', async () => {
    const outbox = outboxWithLead({ status: 'SENDING', attempts: 1, claimedAt: '2026-11-26T09:59:00.000Z' });
    const mailer = new RecordingMailer();

    const result = await deliver(lead, outbox, mailer);

    expect(result.outcome).toBe('skipped');
    expect(mailer.sent).toHaveLength(0);
  });

  it('re-claims a lead whose sending claim has gone stale', async () => {
    const outbox = outboxWithLead({ status: 'SENDING', attempts: 1, claimedAt: '2026-11-26T09:50:00.000Z' });
    const mailer = new RecordingMailer();

    const result = await deliver(lead, outbox, mailer);

    expect(result).toMatchObject({ outcome: 'sent', attempts: 2 });
  });

  it('schedules the next attempt after a transient send error instead of spending the lead', async () => {
    const outbox = outboxWithLead();
    const mailer = new RecordingMailer([throttled]);

    const result = await deliver(lead, outbox, mailer);

    // Attempt 1 waits between half the base (no jitter drawn) and the base.
    expect(result).toMatchObject({ outcome: 'retry', reason: 'SES Throttling (400)', nextAttemptAt: later(15).toISOString() });
    expect(outbox.status(lead)).toMatchObject({
      status: 'PENDING',
      lastError: 'SES Throttling (400)',
      nextAttemptAt: later(15).toISOString(),
    });
  });

  it('does not claim a rescheduled lead before its next attempt is due', async () => {
    const outbox = outboxWithLead();
    const mailer = new RecordingMailer([throttled]);
    await deliver(lead, outbox, mailer);

    const early = await deliver(lead, outbox, mailer, {}, later(10));

    expect(early.outcome).toBe('skipped');
    expect(mailer.sent).toHaveLength(0);
  });

  it('delivers a lead on the attempt after a transient error, once it is due', async () => {
    const outbox = outboxWithLead();
    const mailer = new RecordingMailer([{ ok: false, retry: 'later', reason: 'SES ServiceUnavailable (503)' }]);

    await deliver(lead, outbox, mailer);
    const retried = await deliver(lead, outbox, mailer, {}, later(16));

    expect(retried).toMatchObject({ outcome: 'sent', attempts: 2 });
  });

  it('keeps retrying through many transient failures while the delivery window lasts', async () => {
    const outbox = outboxWithLead();
    const failures = Array.from({ length: 12 }, () => throttled);
    const mailer = new RecordingMailer(failures);
    let now = NOW;

    for (let attempt = 1; attempt <= 12; attempt += 1) {
      const result = await deliver(lead, outbox, mailer, {}, now);
      expect(result.outcome).toBe('retry');
      now = new Date(outbox.status(lead)!.nextAttemptAt!);
    }
    const last = await deliver(lead, outbox, mailer, {}, now);

    expect(last).toMatchObject({ outcome: 'sent', attempts: 13 });
  });

  it('fails a lead once its next attempt would fall after the delivery window', async () => {
    const outbox = outboxWithLead({ createdAt: new Date(NOW.getTime() - 3600_000 + 10_000).toISOString() });
    const mailer = new RecordingMailer([throttled]);

    const result = await deliver(lead, outbox, mailer, { deliveryWindowSeconds: 3600 });

    expect(result).toMatchObject({ outcome: 'failed', reason: 'SES Throttling (400); delivery window of 1 h passed' });
    expect(outbox.status(lead)?.status).toBe('FAILED');
  });

  it('fails a lead at once on a permanent send error', async () => {
    const outbox = outboxWithLead();
    const mailer = new RecordingMailer([{ ok: false, retry: 'never', reason: 'SES MessageRejected (400)' }]);

    const result = await deliver(lead, outbox, mailer);

    expect(result).toMatchObject({ outcome: 'failed', reason: 'SES MessageRejected (400)' });
    expect(outbox.status(lead)).toMatchObject({ status: 'FAILED', lastError: 'SES MessageRejected (400)' });
  });

  it('holds a lead SES refuses for a reason the operator must fix, and retries it later', async () => {
    const outbox = outboxWithLead();
    const reason = 'SES MessageRejected (400): identity not verified (SES sandbox or sender)';
    const mailer = new RecordingMailer([{ ok: false, retry: 'held', reason }]);

    const held = await deliver(lead, outbox, mailer);
    const retried = await deliver(lead, outbox, mailer, {}, later(30));

    expect(held).toMatchObject({ outcome: 'held', reason, nextAttemptAt: later(15).toISOString() });
    expect(retried).toMatchObject({ outcome: 'sent', attempts: 2 });
  });

  it('records SENT on a later try when the table fails right after SES accepted, sending once', async () => {
    const outbox = outboxWithLead();
    outbox.markSentFaults.push(new Error('ProvisionedThroughputExceededException'), new Error('ServiceUnavailable'));
    const mailer = new RecordingMailer();

    const result = await deliver(lead, outbox, mailer);

    expect(result).toMatchObject({ outcome: 'sent', messageId: 'message-1' });
    expect(outbox.status(lead)?.status).toBe('SENT');
    expect(mailer.sent).toHaveLength(1);
  });

  it('reports a send it could not record and leaves the claim to go stale rather than re-sending', async () => {
    const outbox = outboxWithLead();
    outbox.markSentFaults.push(...Array.from({ length: 4 }, () => Object.assign(new Error('down'), { name: 'TimeoutError' })));
    const mailer = new RecordingMailer();

    const result = await deliver(lead, outbox, mailer);
    const again = await deliver(lead, outbox, mailer, {}, later(60));

    expect(result).toMatchObject({ outcome: 'unrecorded', reason: 'could not record SENT after 4 tries (TimeoutError)' });
    expect(again.outcome).toBe('skipped');
    expect(mailer.sent).toHaveLength(1);
  });

  it('re-sends an abandoned claim only once it is stale, and says so', async () => {
    const outbox = outboxWithLead({ status: 'SENDING', attempts: 1, claimedAt: '2026-11-26T09:54:00.000Z' });
    const mailer = new RecordingMailer();

    const result = await deliver(lead, outbox, mailer);

    expect(result).toMatchObject({ outcome: 'sent', attempts: 2, resentAbandonedClaim: true });
  });

  it('gives up without sending on a lead whose claims were abandoned more often than allowed', async () => {
    const outbox = outboxWithLead({ status: 'SENDING', attempts: 4, abandonedClaims: 3, claimedAt: '2026-11-26T09:00:00.000Z' });
    const mailer = new RecordingMailer();

    const result = await deliver(lead, outbox, mailer);

    expect(result).toMatchObject({ outcome: 'failed', reason: 'gave up after 4 claims abandoned by their workers' });
    expect(mailer.sent).toHaveLength(0);
  });

  it('fails a lead whose email cannot be built safely, naming the field only', async () => {
    const outbox = new InMemoryOutbox();
    outbox.add(lead, { kind: 'LEAD', lead: aSiteLead({ contact: { name: 'Eve', email: 'eve@x.example\r\nBcc: y@z.example' } }) });
    const mailer = new RecordingMailer();

    const result = await deliver(lead, outbox, mailer);

    expect(result).toMatchObject({ outcome: 'failed', reason: 'unsafe email: patient email' });
    expect(mailer.sent).toHaveLength(0);
  });

  it('fails an item that does not have the shape of a lead', async () => {
    const outbox = new InMemoryOutbox();
    outbox.add(lead, { kind: 'INVALID', reason: 'contact.email: expected string' });

    const result = await deliver(lead, outbox, new RecordingMailer());

    expect(result).toMatchObject({ outcome: 'failed', reason: 'invalid item: contact.email: expected string' });
  });

  it('treats an error thrown by the mailer as transient', async () => {
    const outbox = outboxWithLead();
    const mailer = { send: async () => Promise.reject(new TypeError('socket hang up')) };

    const result = await deliverOutboxItem(lead, settings(), { outbox, mailer, now: () => NOW, random: () => 0 });

    expect(result).toMatchObject({ outcome: 'retry', reason: 'unexpected mailer error (TypeError)' });
  });

  it('holds a lead, untouched and pending, when contacts are not approved and no override is set', async () => {
    const outbox = outboxWithLead();
    const mailer = new RecordingMailer();

    const result = await deliver(lead, outbox, mailer, { policy: { contactsApproved: false } });

    expect(result.outcome).toBe('held');
    expect(outbox.status(lead)).toMatchObject({ status: 'PENDING', attempts: 0 });
    expect(mailer.sent).toHaveLength(0);
  });

  it('sends a lead to the override address instead of the catalog contact', async () => {
    const outbox = outboxWithLead();
    const mailer = new RecordingMailer();

    const result = await deliver(lead, outbox, mailer, { policy: { contactsApproved: false, override: 'staging@ops.example' } });

    expect(result).toMatchObject({ outcome: 'sent', overridden: true });
    expect(mailer.sent.map((email) => email.to)).toEqual(['staging@ops.example']);
  });
});

describe('retryDelaySeconds', () => {
  const policy = { baseSeconds: 30, maxSeconds: 900 };

  it('doubles per attempt between half and all of the exponential delay', () => {
    expect([1, 2, 3].map((attempts) => retryDelaySeconds(attempts, policy, () => 0))).toEqual([15, 30, 60]);
    expect([1, 2, 3].map((attempts) => retryDelaySeconds(attempts, policy, () => 0.999999))).toEqual([
      expect.closeTo(30, 3),
      expect.closeTo(60, 3),
      expect.closeTo(120, 3),
    ]);
  });

  it('never waits longer than the maximum', () => {
    expect(retryDelaySeconds(40, policy, () => 0.999999)).toBeLessThanOrEqual(900);
  });

  it('spreads messages failed at the same moment', () => {
    const draws = [0.1, 0.5, 0.9].map((value) => retryDelaySeconds(3, policy, () => value));
    expect(new Set(draws).size).toBe(3);
  });
});

describe('assertClaimOutlivesWorker', () => {
  it('refuses a stale-claim threshold shorter than a worker can spend on one claim', () => {
    const budget = { sendTimeoutMs: 8000, recordSentTries: 8 };
    expect(Math.ceil(workerBudgetMs(budget) / 1000)).toBe(25);
    expect(() => assertClaimOutlivesWorker({ ...budget, staleSendingSeconds: 20 })).toThrow(/must exceed/);
    expect(() => assertClaimOutlivesWorker({ ...budget, staleSendingSeconds: 300 })).not.toThrow();
  });
});

describe('decideRecipient', () => {
  const cases: [string, RecipientPolicy, ReturnType<typeof decideRecipient>][] = [
    ['approved, no override', { contactsApproved: true }, { action: 'send', to: 'site@x.example', overridden: false }],
    [
      'approved, with override',
      { contactsApproved: true, override: 'ops@x.example' },
      { action: 'send', to: 'ops@x.example', overridden: true },
    ],
    [
      'not approved, with override',
      { contactsApproved: false, override: 'ops@x.example' },
      { action: 'send', to: 'ops@x.example', overridden: true },
    ],
    ['not approved, no override', { contactsApproved: false }, { action: 'hold' }],
  ];

  it.each(cases)('decides for %s', (_name, policy, expected) => {
    expect(decideRecipient('site@x.example', policy)).toEqual(expected);
  });
});
