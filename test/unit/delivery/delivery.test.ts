import { describe, expect, it } from '@jest/globals';
import {
  decideRecipient,
  deliverOutboxItem,
  type DeliverySettings,
  type OutboxRef,
  type RecipientPolicy,
} from '../../../functions/core/delivery';
import { compileEmailTemplate } from '../../../functions/core/lead-email';
import { aConfirmation, aSiteLead, InMemoryOutbox, RecordingMailer } from './factories';

const template = compileEmailTemplate({ subject: 'Lead {{leadId}}', text: '{{patient.name}}', html: '<p>{{patient.name}}</p>' });
const lead: OutboxRef = { kind: 'LEAD', id: 'lead-1' };
const confirmation: OutboxRef = { kind: 'CONFIRMATION', id: 'confirmation-1' };
const NOW = new Date('2026-11-26T10:00:00.000Z');

function settings(overrides: Partial<DeliverySettings> = {}): DeliverySettings {
  return {
    templates: { siteLead: template, patientConfirmation: template },
    policy: { contactsApproved: true },
    appUrl: 'https://screener.example',
    maxAttempts: 3,
    staleSendingSeconds: 300,
    ...overrides,
  };
}

function outboxWithLead(state: Parameters<InMemoryOutbox['add']>[2] = {}): InMemoryOutbox {
  const outbox = new InMemoryOutbox();
  outbox.add(lead, { kind: 'LEAD', lead: aSiteLead() }, state);
  return outbox;
}

const deliver = (ref: OutboxRef, outbox: InMemoryOutbox, mailer: RecordingMailer, overrides: Partial<DeliverySettings> = {}) =>
  deliverOutboxItem(ref, settings(overrides), { outbox, mailer, now: () => NOW });

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

  it('puts a lead back to pending after a transient send error', async () => {
    const outbox = outboxWithLead();
    const mailer = new RecordingMailer([{ ok: false, permanent: false, reason: 'SES Throttling (400)' }]);

    const result = await deliver(lead, outbox, mailer);

    expect(result).toMatchObject({ outcome: 'retry', reason: 'SES Throttling (400)' });
    expect(outbox.status(lead)).toMatchObject({ status: 'PENDING', lastError: 'SES Throttling (400)' });
  });

  it('delivers a lead on the attempt after a transient error', async () => {
    const outbox = outboxWithLead();
    const mailer = new RecordingMailer([{ ok: false, permanent: false, reason: 'SES ServiceUnavailable (503)' }]);

    await deliver(lead, outbox, mailer);
    const retried = await deliver(lead, outbox, mailer);

    expect(retried).toMatchObject({ outcome: 'sent', attempts: 2 });
  });

  it('fails a lead at once on a permanent send error', async () => {
    const outbox = outboxWithLead();
    const mailer = new RecordingMailer([{ ok: false, permanent: true, reason: 'SES MessageRejected (400)' }]);

    const result = await deliver(lead, outbox, mailer);

    expect(result).toMatchObject({ outcome: 'failed', reason: 'SES MessageRejected (400)' });
    expect(outbox.status(lead)).toMatchObject({ status: 'FAILED', lastError: 'SES MessageRejected (400)' });
  });

  it('fails a lead whose last allowed attempt hits a transient error', async () => {
    const outbox = outboxWithLead({ attempts: 2 });
    const mailer = new RecordingMailer([{ ok: false, permanent: false, reason: 'SES Throttling (400)' }]);

    const result = await deliver(lead, outbox, mailer);

    expect(result).toMatchObject({ outcome: 'failed', attempts: 3 });
  });

  it('gives up without sending on a lead re-claimed more often than allowed', async () => {
    const outbox = outboxWithLead({ status: 'SENDING', attempts: 3, claimedAt: '2026-11-26T09:00:00.000Z' });
    const mailer = new RecordingMailer();

    const result = await deliver(lead, outbox, mailer);

    expect(result).toMatchObject({ outcome: 'failed', reason: 'gave up after 3 attempts' });
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

    const result = await deliverOutboxItem(lead, settings(), { outbox, mailer, now: () => NOW });

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

describe('decideRecipient', () => {
  const cases: [string, RecipientPolicy, ReturnType<typeof decideRecipient>][] = [
    ['approved, no override', { contactsApproved: true }, { action: 'send', to: 'site@x.example', overridden: false }],
    ['approved, with override', { contactsApproved: true, override: 'ops@x.example' }, { action: 'send', to: 'ops@x.example', overridden: true }],
    ['not approved, with override', { contactsApproved: false, override: 'ops@x.example' }, { action: 'send', to: 'ops@x.example', overridden: true }],
    ['not approved, no override', { contactsApproved: false }, { action: 'hold' }],
  ];

  it.each(cases)('decides for %s', (_name, policy, expected) => {
    expect(decideRecipient('site@x.example', policy)).toEqual(expected);
  });
});
