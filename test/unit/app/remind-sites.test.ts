import { describe, expect, it } from '@jest/globals';
import { remindSites, type RemindSitesSettings } from '#app/remind-sites';
import type { RecipientPolicy } from '#core/delivery';
import { compileEmailTemplate } from '#core/email-template-compiler';
import type { UnansweredLead } from '#core/ports';
import { parseSiteLeadLocation } from '#core/site-leads';
import { InMemorySiteLeads, aSiteLead, recordingMonitor, unansweredLeads } from '#test/factories/ports';
import { RecordingMailer, aSiteLead as aLeadEmailInput } from '#test/unit/delivery/factories';

const clock = () => new Date('2026-12-07T09:00:00Z');
const template = compileEmailTemplate({
  subject: 'Reminder {{leadId}}',
  text: 'Open {{leadPageUrl}}',
  html: '<p>{{leadPageUrl}}</p>',
});
const links = {
  issue: () => ({ token: 'fresh-link-token-0123456789', record: { hash: 'f'.repeat(64), expiresAt: 1_900_000_000 } }),
};

function anUnansweredLead(leadId: string, followUp = { remind: true, escalated: false }): UnansweredLead {
  return { leadId, followUp, message: { kind: 'LEAD', lead: aLeadEmailInput({ leadId }) } };
}

function aReminderRun(leads: UnansweredLead[], options: { mailer?: RecordingMailer; policy?: RecipientPolicy } = {}) {
  const siteLeads = new InMemorySiteLeads();
  for (const lead of leads) siteLeads.add(aSiteLead({ leadId: lead.leadId }), `token-of-${lead.leadId}`);
  const mailer = options.mailer ?? new RecordingMailer();
  const monitor = recordingMonitor();
  const source = unansweredLeads(...leads);
  const settings: RemindSitesSettings = {
    template,
    policy: options.policy ?? { contactsApproved: true },
    appUrl: 'https://screener.example.org/',
    reminderWorkingDays: 3,
    sendDeadline: () => new Date(Date.now() + 1000),
  };
  const run = remindSites({ leads: source, siteLeads, mailer, links, monitor, clock }, settings);
  return { run, siteLeads, mailer, monitor, source };
}

describe('remindSites', () => {
  it('sends one reminder to the site with a fresh lead page link, and claims it on the lead', async () => {
    const { run, mailer, siteLeads } = aReminderRun([anUnansweredLead('lead-1')]);

    const summary = await run();

    expect(summary).toEqual({ examined: 1, reminded: 1, failed: 0, unanswered: 0 });
    expect(mailer.sent.map((email) => email.to)).toEqual(['coordinator@site.example']);
    const url = new URL(/https:\/\/\S+/.exec(mailer.sent[0]!.text)![0]);
    expect(parseSiteLeadLocation(url.pathname, url.hash)).toEqual({ leadId: 'lead-1', token: 'fresh-link-token-0123456789' });
    expect(siteLeads.leads.get('lead-1')?.remindedAt).toBe('2026-12-07T09:00:00.000Z');
  });

  it('asks for the leads unanswered at the clock time after the configured working days', async () => {
    const { run, source } = aReminderRun([]);

    await run();

    expect(source.asked).toEqual(['2026-12-07T09:00:00.000Z after 3 working days']);
  });

  it('sends no second reminder when another run has already claimed it', async () => {
    const { run, mailer, siteLeads } = aReminderRun([anUnansweredLead('lead-1')]);
    await siteLeads.addLink('lead-1', links.issue().record, { remindedAt: '2026-12-07T08:00:00.000Z' });

    expect((await run()).reminded).toBe(0);
    expect(mailer.sent).toEqual([]);
  });

  it('gives the claim back when the send fails, so the next run tries again', async () => {
    const { run, siteLeads, monitor } = aReminderRun([anUnansweredLead('lead-1')], {
      mailer: new RecordingMailer([{ ok: false, retry: 'later', reason: 'throttled' }]),
    });

    const summary = await run();

    expect(summary.failed).toBe(1);
    expect(siteLeads.leads.get('lead-1')?.remindedAt).toBeUndefined();
    expect(monitor.told).toContain('notReminded: lead-1 (throttled)');
  });

  it('sends nothing while the recipient policy holds all email, but still counts the escalations', async () => {
    const { run, mailer } = aReminderRun([anUnansweredLead('lead-1', { remind: true, escalated: true })], {
      policy: { contactsApproved: false },
    });

    expect(await run()).toEqual({ examined: 1, reminded: 0, failed: 0, unanswered: 1 });
    expect(mailer.sent).toEqual([]);
  });

  it('counts a lead unanswered after twice the delay for the operator, whether or not it is reminded now', async () => {
    const { run } = aReminderRun([
      anUnansweredLead('lead-1', { remind: false, escalated: true }),
      anUnansweredLead('lead-2', { remind: true, escalated: true }),
    ]);

    expect(await run()).toEqual({ examined: 2, reminded: 1, failed: 0, unanswered: 2 });
  });

  it('tells the monitor the counts even when none were reminded, so the alarm sees zero', async () => {
    const { run, monitor } = aReminderRun([]);

    await run();

    expect(monitor.told).toEqual(['finished: {"examined":0,"reminded":0,"failed":0,"unanswered":0}']);
  });
});
