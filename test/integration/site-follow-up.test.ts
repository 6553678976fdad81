/**
 * What follows a lead's email, on DynamoDB Local: the reminder run with a controllable clock
 * (one reminder after 3 working days, escalation after 6, `leads list --unanswered`), and SES
 * delivery events in the documented shape (a hard bounce marks the lead BOUNCED and pauses the
 * address).
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@aws-lambda-powertools/logger';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SNSEvent } from 'aws-lambda';
import { EmailEventRepository } from '#adapters/email-event-repository';
import { loadEmailTemplates } from '#adapters/email-templates';
import { SiteLeadRepository } from '#adapters/site-lead-repository';
import { siteLinkIssuer } from '#adapters/site-links';
import { SitePauseRepository } from '#adapters/site-pause-repository';
import { unansweredLeads } from '#adapters/unanswered-leads';
import { documentClient, tableRef, type TableRef } from '#adapters/dynamo';
import type { Mailer, SendResult } from '#core/delivery';
import type { RenderedEmail } from '#core/lead-email';
import { parseSiteLeadLocation } from '#core/site-leads';
import { createEmailEventHandler } from '#functions/record-email-events/handler';
import { createRemindSitesHandler } from '#functions/remind-sites/reminders';
import { itemKeys } from '#functions/table-schema';
import { createTestTable, deleteTestTable } from '#test/setup/table';
import { CapturedMetrics, deliveryConfig, outboxOf, testDelivery, uniqueAddress, writeReferral } from './delivery-fixtures';

const silent = new Logger({ serviceName: 'site-follow-up-test', logLevel: 'SILENT' });
const tables: string[] = [];

afterAll(async () => {
  for (const name of tables) await deleteTestTable(name);
});

async function freshTable(): Promise<{ tableName: string; table: TableRef }> {
  const tableName = await createTestTable();
  tables.push(tableName);
  return { tableName, table: tableRef(tableName, documentClient()) };
}

class RecordingMailer implements Mailer {
  readonly sent: RenderedEmail[] = [];
  failNext = false;
  async send(email: RenderedEmail): Promise<SendResult> {
    if (this.failNext) {
      this.failNext = false;
      return { ok: false, retry: 'later', reason: 'SES Throttling' };
    }
    this.sent.push(email);
    return { ok: true, messageId: `ses-${this.sent.length}` };
  }
}

/** A referral to one trial, its lead delivered at `sentAt` (the delivery's clock). */
async function aLeadSentAt(tableName: string, sentAt: Date, recipientEmail = uniqueAddress('site')) {
  const referral = await writeReferral(tableName, { name: 'Pat Example', email: uniqueAddress('patient') }, [
    { trialId: 'NCT00000001', recipientEmail },
  ]);
  const mailer = new RecordingMailer();
  const { delivery } = testDelivery(deliveryConfig(tableName), { mailer, now: () => sentAt });
  await delivery.deliver({ kind: 'LEAD', id: referral.leadIds[0]! });
  return { leadId: referral.leadIds[0]!, screeningId: referral.screeningId, recipientEmail, email: mailer.sent[0]! };
}

function reminderRun(table: TableRef, tableName: string, mailer: Mailer, clock: { now: Date }, metrics = new CapturedMetrics()) {
  const handler = createRemindSitesHandler({
    outbox: outboxOf(tableName),
    siteLeads: new SiteLeadRepository(table),
    mailer,
    templates: loadEmailTemplates(),
    policy: { contactsApproved: true },
    appUrl: 'http://localhost:3000/',
    links: siteLinkIssuer(30),
    metrics,
    logger: silent,
    now: () => clock.now,
    reminderWorkingDays: 3,
  });
  return { handler, metrics };
}

// Monday 30 November 2026, 10:00 UTC; working days count Monday to Friday.
const MONDAY = new Date('2026-11-30T10:00:00Z');
const at = (iso: string) => new Date(iso);

describe('reminders', () => {
  it('sends one reminder after 3 working days without an outcome, with a fresh link to the lead', async () => {
    const { tableName, table } = await freshTable();
    const lead = await aLeadSentAt(tableName, MONDAY);
    const mailer = new RecordingMailer();
    const clock = { now: at('2026-12-02T10:00:00Z') };
    const { handler } = reminderRun(table, tableName, mailer, clock);

    expect((await handler()).reminded).toBe(0);
    clock.now = at('2026-12-03T10:00:00Z');
    expect((await handler()).reminded).toBe(1);
    expect((await handler()).reminded).toBe(0);

    expect(mailer.sent).toHaveLength(1);
    const [reminder] = mailer.sent;
    expect(reminder!.to).toBe(lead.recipientEmail);
    expect(reminder!.subject).toMatch(/^Reminder: /);
    expect(reminder!.text).not.toContain('Pat Example');
    const url = new URL(/http:\/\/localhost:3000\/site\/leads\/\S+/.exec(reminder!.text)![0]);
    const location = parseSiteLeadLocation(url.pathname, url.hash)!;
    await expect(new SiteLeadRepository(table).authorize(lead.leadId, location.token!, clock.now)).resolves.toMatchObject({
      lead: { leadId: lead.leadId },
    });
  });

  it('counts a Friday lead’s reminder from the next working days, not the weekend', async () => {
    const { tableName, table } = await freshTable();
    await aLeadSentAt(tableName, at('2026-12-04T10:00:00Z'));
    const mailer = new RecordingMailer();
    const clock = { now: at('2026-12-08T10:00:00Z') };
    const { handler } = reminderRun(table, tableName, mailer, clock);

    expect((await handler()).reminded).toBe(0);
    clock.now = at('2026-12-09T10:00:00Z');
    expect((await handler()).reminded).toBe(1);
  });

  it('never reminds a lead whose site recorded an outcome', async () => {
    const { tableName, table } = await freshTable();
    const lead = await aLeadSentAt(tableName, MONDAY);
    await new SiteLeadRepository(table).recordOutcome(lead.leadId, 'link', { outcome: 'contacted' }, at('2026-11-30T15:00:00Z'));
    const mailer = new RecordingMailer();
    const { handler } = reminderRun(table, tableName, mailer, { now: at('2026-12-15T10:00:00Z') });

    expect(await handler()).toMatchObject({ reminded: 0, unanswered: 0 });
    expect(mailer.sent).toEqual([]);
  });

  it('tries the reminder again on the next run when the send fails', async () => {
    const { tableName, table } = await freshTable();
    await aLeadSentAt(tableName, MONDAY);
    const mailer = new RecordingMailer();
    mailer.failNext = true;
    const { handler } = reminderRun(table, tableName, mailer, { now: at('2026-12-03T10:00:00Z') });

    expect(await handler()).toMatchObject({ reminded: 0, failed: 1 });
    expect(await handler()).toMatchObject({ reminded: 1, failed: 0 });
  });

  it('escalates after 6 working days: counted in LeadsUnanswered and listed as unanswered', async () => {
    const { tableName, table } = await freshTable();
    const lead = await aLeadSentAt(tableName, MONDAY);
    const clock = { now: at('2026-12-07T10:00:00Z') };
    const { handler, metrics } = reminderRun(table, tableName, new RecordingMailer(), clock);

    expect((await handler()).unanswered).toBe(0);
    clock.now = at('2026-12-08T10:00:00Z');
    expect((await handler()).unanswered).toBe(1);

    expect(metrics.count('LeadsUnanswered')).toBe(1);
    const listed = [];
    for await (const unanswered of unansweredLeads(outboxOf(tableName), clock.now, 3)) listed.push(unanswered);
    expect(listed.map(({ leadId, followUp }) => ({ leadId, escalated: followUp.escalated }))).toEqual([
      { leadId: lead.leadId, escalated: true },
    ]);
  });
});

function fixture(name: string): Record<string, any> {
  return JSON.parse(readFileSync(new URL(`../fixtures/ses-events/${name}.json`, import.meta.url), 'utf8'));
}

/** A fixture event for one sent lead, as SNS delivers it to the function. */
function snsEvent(name: string, lead: { leadId: string; recipientEmail: string }, messageId: string): SNSEvent {
  const event = fixture(name);
  event.mail.messageId = messageId;
  event.mail.destination = [lead.recipientEmail];
  event.mail.tags = { ...event.mail.tags, 'outbox-kind': ['LEAD'], 'outbox-id': [lead.leadId] };
  for (const recipient of event.bounce?.bouncedRecipients ?? []) recipient.emailAddress = lead.recipientEmail;
  for (const recipient of event.complaint?.complainedRecipients ?? []) recipient.emailAddress = lead.recipientEmail;
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn',
        Sns: { Message: JSON.stringify(event), MessageId: 'sns-1' } as never,
      },
    ],
  };
}

describe('SES delivery events', () => {
  async function setUp() {
    const { tableName, table } = await freshTable();
    const lead = await aLeadSentAt(tableName, MONDAY);
    const metrics = new CapturedMetrics();
    const handler = createEmailEventHandler({
      events: new EmailEventRepository(table),
      pauses: new SitePauseRepository(table),
      metrics,
      logger: silent,
      now: () => at('2026-11-30T10:05:00Z'),
    });
    const item = async () =>
      (await table.client.send(new GetCommand({ TableName: tableName, Key: itemKeys.lead(lead.leadId) }))).Item!;
    return { table, lead, metrics, handler, item };
  }

  it('marks a hard-bounced lead BOUNCED, pauses the address and counts LeadsBounced', async () => {
    const { table, lead, metrics, handler, item } = await setUp();

    expect(await handler(snsEvent('bounce-permanent', lead, 'ses-1'))).toMatchObject({ recorded: 1, bounced: 1 });

    const stored = await item();
    expect(stored.status).toBe('BOUNCED');
    expect(stored.GSI1PK).toBe('OUTBOX#BOUNCED');
    expect(stored.emailEvents).toEqual([
      { type: 'Bounce', at: '2017-08-05T00:41:02.669Z', messageId: 'ses-1', bounceType: 'Permanent', bounceSubType: 'General' },
    ]);
    expect(JSON.stringify(stored.emailEvents)).not.toContain(lead.recipientEmail);
    expect(await new SitePauseRepository(table).list()).toEqual([
      expect.objectContaining({
        kind: 'address',
        address: lead.recipientEmail.toLowerCase(),
        pausedBy: 'bounce',
        leadId: lead.leadId,
      }),
    ]);
    expect(metrics.count('LeadsBounced')).toBe(1);
  });

  it('counts a replayed hard bounce once', async () => {
    const { lead, metrics, handler } = await setUp();

    await handler(snsEvent('bounce-permanent', lead, 'ses-1'));
    expect(await handler(snsEvent('bounce-permanent', lead, 'ses-1'))).toMatchObject({ bounced: 0 });
    expect(metrics.count('LeadsBounced')).toBe(1);
  });

  it('records a transient bounce without marking the lead or pausing anything', async () => {
    const { table, lead, handler, item } = await setUp();

    expect(await handler(snsEvent('bounce-transient', lead, 'ses-1'))).toMatchObject({ recorded: 1, bounced: 0 });

    expect((await item()).status).toBe('SENT');
    expect((await item()).lastEmailEvent).toBe('Bounce');
    expect(await new SitePauseRepository(table).list()).toEqual([]);
  });

  it('records deliveries and complaints on the message and counts them', async () => {
    const { lead, metrics, handler, item } = await setUp();

    await handler(snsEvent('delivery', lead, 'ses-1'));
    await handler(snsEvent('complaint', lead, 'ses-1'));

    expect((await item()).emailEvents.map((entry: { type: string }) => entry.type)).toEqual(['Delivery', 'Complaint']);
    expect((await item()).status).toBe('SENT');
    expect(metrics.count('EmailsDelivered')).toBe(1);
    expect(metrics.count('EmailComplaints')).toBe(1);
  });

  it('ignores an event for mail it did not tag', async () => {
    const { handler } = await setUp();
    const untagged: SNSEvent = {
      Records: [{ Sns: { Message: JSON.stringify(fixture('bounce-permanent')), MessageId: 'sns-2' } } as never],
    };

    expect(await handler(untagged)).toEqual({ recorded: 0, bounced: 0, ignored: 1 });
  });

  it('tags every email the pipeline sends with its outbox message', async () => {
    const { tableName } = await freshTable();
    const lead = await aLeadSentAt(tableName, MONDAY);

    expect(lead.email.tags).toEqual({ 'outbox-kind': 'LEAD', 'outbox-id': lead.leadId });
  });
});
