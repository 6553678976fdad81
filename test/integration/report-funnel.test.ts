/**
 * `trial-screener report` against DynamoDB Local: screenings and referrals through the real API
 * handlers, leads delivered by the real delivery (a recording mailer stands in for SES so the
 * site's link can be read), outcomes recorded by the site's own API with that link; then the
 * report's figures, as JSON, text and HTML. It must show counts and never a patient's details.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Command } from 'commander';
import { registerReportCommands } from '#cli/commands/report';
import type { Mailer } from '#core/delivery';
import { isoWeekOf } from '#core/funnel';
import type { RenderedEmail } from '#core/lead-email';
import { parseSiteLeadLocation } from '#core/site-leads';
import { aCriterion, aSite, aTrial } from '#test/factories/catalog';
import { aScreener, adultWithChronicBackPain } from '#test/factories/screener';
import { startTestApi, type TestApi } from '#test/setup/api';
import { deliveryConfig, testDelivery } from './delivery-fixtures';
import { OutputCapture } from '#test/setup/output-capture';

const painTrial = aTrial({ criteria: [aCriterion({ id: 'pain-12-weeks' })], sites: [aSite()] });
const seniorsTrial = aTrial({
  eligibility: { minAgeYears: 65, maxAgeYears: null, sex: 'ALL', healthyVolunteers: false },
  sites: [aSite()],
});
const patient = { name: 'Robin Reportson', email: 'robin.reportson@example.org', phone: '+1 410 555 0142' };
const thisWeek = isoWeekOf(new Date());

let api: TestApi;
/** What the handlers published as CloudWatch EMF while the records were made (one JSON object a line). */
const emitted: string[] = [];
let leadsDelivered = 0;

/** How often `name` was counted in the published metrics. */
function published(name: string): number {
  return emitted
    .filter((line) => line.startsWith('{') && line.includes('"CloudWatchMetrics"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .reduce((total, emf) => total + (typeof emf[name] === 'number' ? (emf[name] as number) : 0), 0);
}

class RecordingMailer implements Mailer {
  readonly sent: RenderedEmail[] = [];
  async send(email: RenderedEmail) {
    this.sent.push(email);
    return { ok: true as const, messageId: `message-${this.sent.length}` };
  }
}

async function aScreening(answers = adultWithChronicBackPain()): Promise<{ screeningId: string; token: string }> {
  const response = await api.request('POST', '/screenings', { body: { screenerId: 'lower-back-pain', answers } });
  expect(response.status).toBe(201);
  return response.body;
}

/** Refers the screening to the pain trial and delivers the lead; returns the lead and its link token. */
async function aDeliveredReferral(screening: {
  screeningId: string;
  token: string;
}): Promise<{ leadId: string; linkToken: string }> {
  const referral = await api.request('POST', `/screenings/${screening.screeningId}/referrals`, {
    token: screening.token,
    body: {
      trialIds: [painTrial.nctId],
      contact: patient,
      consent: { shareWithSites: true, phoneContact: true, textVersion: aScreener().consent.version },
    },
  });
  expect(referral.status).toBe(202);
  const mailer = new RecordingMailer();
  const { delivery, metrics } = testDelivery(deliveryConfig(api.tableName), { mailer });
  const leadId = (referral.body.leads as { leadId: string }[])[0]!.leadId;
  await delivery.deliver({ kind: 'LEAD', id: leadId });
  delivery.publishMetrics();
  leadsDelivered += metrics.count('LeadsDelivered');
  const url = new URL(/https?:\/\/\S+\/site\/leads\/\S+/.exec(mailer.sent.at(-1)!.text)![0]);
  return { leadId, linkToken: parseSiteLeadLocation(url.pathname, url.hash)!.token! };
}

/** Runs `trial-screener report <args>` against this file's table; returns what it printed. */
async function report(...args: string[]): Promise<string> {
  const printed: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void printed.push(parts.join(' ')));
  const error = jest.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void printed.push(parts.join(' ')));
  try {
    const program = new Command().exitOverride();
    registerReportCommands(program);
    await program.parseAsync([
      'node',
      'trial-screener',
      'report',
      ...args,
      '--table',
      api.tableName,
      '--endpoint',
      process.env.AWS_ENDPOINT_URL_DYNAMODB!,
    ]);
    return printed.join('\n');
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

beforeAll(async () => {
  const output = new OutputCapture();
  output.start();
  try {
    await seed();
  } finally {
    output.stop();
    emitted.push(...output.lines);
  }
});

async function seed(): Promise<void> {
  api = await startTestApi({ screeners: [aScreener()], trials: [painTrial, seniorsTrial] });
  // Two referred (one enrolled by its site, one delivered and not answered yet), one screened out by pain duration.
  const enrolled = await aDeliveredReferral(await aScreening());
  for (const outcome of ['contacted', 'enrolled']) {
    const recorded = await api.request('POST', `/site/leads/${enrolled.leadId}/outcomes`, {
      token: enrolled.linkToken,
      body: { outcome },
    });
    expect(recorded.status).toBeLessThan(300);
  }
  await aDeliveredReferral(await aScreening());
  await aScreening(adultWithChronicBackPain({ pain_duration: 'P4W' }));
}

describe('trial-screener report', () => {
  it('counts the funnel per week, trial and site from the stored records', async () => {
    const json = JSON.parse(await report('--json'));

    expect(json.screenings).toEqual({ total: 3, urgentCare: 0, withResults: 3 });
    const rowsOf = (trialId: string) => (json.rows as { trialId: string }[]).filter((row) => row.trialId === trialId);
    expect(json.rows).toHaveLength(2);
    expect(rowsOf(painTrial.nctId)).toEqual([
      expect.objectContaining({
        week: thisWeek,
        siteId: painTrial.sites[0]!.siteId,
        siteName: `${painTrial.sites[0]!.facility}, Baltimore`,
        screenings: 3,
        possiblyEligible: 0,
        eligible: 2,
        referred: 2,
        delivered: 2,
        contacted: 1,
        enrolled: 1,
      }),
    ]);
    expect(rowsOf(seniorsTrial.nctId)).toEqual([
      expect.objectContaining({ week: thisWeek, screenings: 3, eligible: 0, referred: 0 }),
    ]);
    expect(json.unreadable).toEqual({ screenings: 0, leads: 0 });
  });

  it('counts for each criterion the screenings it made not met', async () => {
    const json = JSON.parse(await report('--json'));

    const attrition = Object.fromEntries(
      (json.attrition as { trialId: string; criterionId: string; notMet: number; onlyNotMet: number; unknown: number }[]).map(
        (entry) => [`${entry.trialId} ${entry.criterionId}`, [entry.notMet, entry.onlyNotMet, entry.unknown]],
      ),
    );
    expect(attrition[`${seniorsTrial.nctId} age-min`]).toEqual([3, 3, 0]);
    expect(attrition[`${painTrial.nctId} pain-12-weeks`]).toEqual([1, 1, 0]);
    expect(attrition[`${painTrial.nctId} age-min`]).toEqual([0, 0, 0]);
  });

  it('counts only the trial and weeks asked for', async () => {
    const json = JSON.parse(await report('--json', '--trial', seniorsTrial.nctId, '--from', thisWeek, '--to', thisWeek));

    expect(json.byTrial).toEqual([expect.objectContaining({ trialId: seniorsTrial.nctId, screenings: 3 })]);
    const lastWeek = JSON.parse(await report('--json', '--to', isoWeekOf(new Date(Date.now() - 7 * 86_400_000))));
    expect(lastWeek.total.screenings).toBe(0);
  });

  it('prints the same figures as text tables', async () => {
    const text = await report();

    expect(text).toContain(`Funnel and attrition, ${thisWeek} to ${thisWeek}, all trials`);
    expect(text).toMatch(new RegExp(`${painTrial.nctId} +3 +0 +2 +2 +2 +1 +1`));
  });

  it('writes a self-contained HTML report with the figures', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'report-')), 'funnel.html');

    await report('--html', file);

    const html = readFileSync(file, 'utf8');
    expect(html).toContain(painTrial.title);
    expect(html).toContain('id="chart-funnel"');
    expect(html).not.toMatch(/<script[^>]+src=/);
  });

  it('agrees with the live metrics the handlers published while the records were made', () => {
    expect(published('Screenings')).toBe(3);
    expect(published('TrialResultsEligible')).toBe(2);
    expect(published('TrialResultsPossiblyEligible')).toBe(0);
    expect(published('Referrals')).toBe(2);
    expect(published('LeadsReferred')).toBe(2);
    expect(leadsDelivered).toBe(2);
    expect(published('SiteOutcome_contacted')).toBe(1);
    expect(published('SiteOutcome_enrolled')).toBe(1);
  });

  it("never shows a patient's name, email, phone or answers", async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'report-')), 'funnel.html');
    const outputs = [await report('--json'), await report(), await report('--html', file), readFileSync(file, 'utf8')];

    for (const output of outputs) {
      for (const detail of [patient.name, patient.email, patient.phone, '555 0142', 'degenerative_disc', 'pain_duration_weeks']) {
        expect(output).not.toContain(detail);
      }
    }
  });
});
