/**
 * The site's side through the real handlers on DynamoDB Local: a referral through the patient
 * API, its lead delivered (a recording mailer stands in for SES, so the link in the email can be
 * read), then the lead page's API with the link's token: every refusal, outcomes and their
 * history, the patient's progress on `GET /screenings/{id}`, and "stop sending leads".
 * Every stdout/stderr write of the file is captured and searched for patient data and tokens.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Mailer } from '#core/delivery';
import type { RenderedEmail } from '#core/lead-email';
import { parseSiteLeadLocation } from '#core/site-leads';
import { itemKeys } from '#functions/table-schema';
import { aSite, aTrial } from '#test/factories/catalog';
import { aScreener, adultWithChronicBackPain } from '#test/factories/screener';
import { startTestApi, type TestApi } from '#test/setup/api';
import { OutputCapture } from '#test/setup/output-capture';

const DAY_MS = 24 * 60 * 60 * 1000;
const trial = aTrial({ sites: [aSite()] });
const otherTrial = aTrial({ sites: [aSite()] });
/** The trial whose site says "stop sending leads" (no other test refers to it). */
const pausedTrial = aTrial({ sites: [aSite()] });
const patient = { name: 'Robin Patient', email: `patient-${randomUUID().slice(0, 8)}@example.org`, phone: '+1 410 555 0199' };

let api: TestApi;
/** Imported after the capture starts: the logger binds the output streams when it is created. */
let fixtures: typeof import('./delivery-fixtures');
const output = new OutputCapture();
const captured = output.lines;
const issuedTokens: string[] = [];

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  output.start();
  fixtures = await import('./delivery-fixtures');
  api = await startTestApi({ screeners: [aScreener()], trials: [trial, otherTrial, pausedTrial] });
});

afterAll(() => {
  output.stop();
});

class RecordingMailer implements Mailer {
  readonly sent: RenderedEmail[] = [];
  async send(email: RenderedEmail) {
    this.sent.push(email);
    return { ok: true as const, messageId: `message-${this.sent.length}` };
  }
}

interface DeliveredLead {
  screeningId: string;
  screeningToken: string;
  leadId: string;
  linkToken: string;
  email: RenderedEmail;
}

/** A screening and a referral through the API, and the lead delivered at `sentAt`. */
async function aDeliveredLead(
  trialIds: string[] = [trial.nctId],
  sentAt: Date = new Date(),
  phoneContact = true,
): Promise<DeliveredLead[]> {
  const screening = await api.request('POST', '/screenings', {
    body: { screenerId: 'lower-back-pain', answers: adultWithChronicBackPain() },
  });
  expect(screening.status).toBe(201);
  const { screeningId, token } = screening.body as { screeningId: string; token: string };
  issuedTokens.push(token);
  const referral = await api.request('POST', `/screenings/${screeningId}/referrals`, {
    token,
    body: {
      trialIds,
      contact: patient,
      consent: { shareWithSites: true, phoneContact, textVersion: aScreener().consent.version },
    },
  });
  expect(referral.status).toBe(202);
  const mailer = new RecordingMailer();
  const { delivery } = fixtures.testDelivery(fixtures.deliveryConfig(api.tableName), { mailer, now: () => sentAt });
  const delivered: DeliveredLead[] = [];
  for (const lead of referral.body.leads as { leadId: string }[]) {
    await delivery.deliver({ kind: 'LEAD', id: lead.leadId });
    const email = mailer.sent.at(-1)!;
    const url = new URL(/https?:\/\/\S+\/site\/leads\/\S+/.exec(email.text)![0]);
    const location = parseSiteLeadLocation(url.pathname, url.hash)!;
    expect(location.leadId).toBe(lead.leadId);
    issuedTokens.push(location.token!);
    delivered.push({ screeningId, screeningToken: token, leadId: lead.leadId, linkToken: location.token!, email });
  }
  return delivered;
}

describe('GET /site/leads/{leadId}', () => {
  it('shows no phone number when the patient declined calls', async () => {
    const [lead] = await aDeliveredLead([trial.nctId], new Date(), false);

    const page = await api.request('GET', `/site/leads/${lead!.leadId}`, { token: lead!.linkToken });

    expect(page.status).toBe(200);
    expect(page.body.patient.phoneContact).toBe(false);
    expect(page.body.patient.phone).toBeUndefined();
    expect(JSON.stringify(page.body)).not.toContain(patient.phone.replace(/\D/g, '').slice(-7));
  });

  it('shows the site the lead behind its link: patient, answers, consent and an empty history', async () => {
    const [lead] = await aDeliveredLead();

    const response = await api.request('GET', `/site/leads/${lead!.leadId}`, { token: lead!.linkToken });

    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toMatchObject({
      leadId: lead!.leadId,
      trial: { nctId: trial.nctId, title: trial.title },
      site: { facility: trial.sites[0]!.facility },
      patient: { name: patient.name, email: patient.email, phoneContact: true },
      outcomes: [],
      sitePaused: false,
    });
    expect(response.body.qualifyingAnswers.length).toBeGreaterThan(0);
  });

  it('shows a lead written before its health summary was compressed exactly as a new one', async () => {
    // Imported here, not at the top: the logger must be made after `beforeAll` sets its level.
    const { LEAD_HEALTH_SUMMARY_ATTRIBUTE, storedLeadFields } = await import('#adapters/outbox-repository');
    const [lead] = await aDeliveredLead();
    const key = itemKeys.lead(lead!.leadId);
    const shown = await api.request('GET', `/site/leads/${lead!.leadId}`, { token: lead!.linkToken });
    // Rewritten as older code wrote it: the texts in the clear, no compressed attribute.
    const stored = (await api.table.client.send(new GetCommand({ TableName: api.tableName, Key: key, ConsistentRead: true })))
      .Item!;
    expect(stored[LEAD_HEALTH_SUMMARY_ATTRIBUTE]).toBeInstanceOf(Uint8Array);
    const { [LEAD_HEALTH_SUMMARY_ATTRIBUTE]: _packed, ...clear } = storedLeadFields(stored);
    await api.table.client.send(new PutCommand({ TableName: api.tableName, Item: clear }));

    const shownFromOldItem = await api.request('GET', `/site/leads/${lead!.leadId}`, { token: lead!.linkToken });

    expect(shownFromOldItem.status).toBe(200);
    expect(shownFromOldItem.body).toEqual(shown.body);
    expect(shownFromOldItem.body.qualifyingAnswers.length).toBeGreaterThan(0);
  });

  it('stores only the hash of the link token, with an expiry 30 days after sending', async () => {
    const sentAt = new Date();
    const [lead] = await aDeliveredLead([trial.nctId], sentAt);

    const item = (await api.table.client.send(new GetCommand({ TableName: api.tableName, Key: itemKeys.lead(lead!.leadId) })))
      .Item!;

    expect(JSON.stringify(item)).not.toContain(lead!.linkToken);
    expect(item.siteLinks).toHaveLength(1);
    expect(item.siteLinks[0].expiresAt).toBe(Math.floor(sentAt.getTime() / 1000) + 30 * 24 * 60 * 60);
  });

  it('refuses a request without a token with 401', async () => {
    const [lead] = await aDeliveredLead();

    const response = await api.request('GET', `/site/leads/${lead!.leadId}`);

    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('TOKEN_MISSING');
  });

  it("refuses another lead's token with 403, exactly as an unknown lead", async () => {
    const [first, second] = await aDeliveredLead([trial.nctId, otherTrial.nctId]);

    const otherLeads = await api.request('GET', `/site/leads/${first!.leadId}`, { token: second!.linkToken });
    const unknown = await api.request('GET', '/site/leads/00000000-0000-4000-8000-000000000000', { token: second!.linkToken });

    expect(otherLeads.status).toBe(403);
    expect(unknown.status).toBe(403);
    expect(otherLeads.body).toEqual(unknown.body);
  });

  it('refuses an expired link with 403, exactly as an unknown lead', async () => {
    const [lead] = await aDeliveredLead([trial.nctId], new Date(Date.now() - 31 * DAY_MS));

    const expired = await api.request('GET', `/site/leads/${lead!.leadId}`, { token: lead!.linkToken });
    const unknown = await api.request('GET', '/site/leads/no-such-lead', { token: lead!.linkToken });

    expect(expired.status).toBe(403);
    expect(expired.body).toEqual(unknown.body);
  });

  it('refuses the screening token, which authorises the patient and not the site', async () => {
    const [lead] = await aDeliveredLead();

    const response = await api.request('GET', `/site/leads/${lead!.leadId}`, { token: lead!.screeningToken });

    expect(response.status).toBe(403);
  });

  it('counts every view on the lead and names the link, not the token', async () => {
    const [lead] = await aDeliveredLead();

    await api.request('GET', `/site/leads/${lead!.leadId}`, { token: lead!.linkToken });
    await api.request('GET', `/site/leads/${lead!.leadId}`, { token: lead!.linkToken });

    const item = (await api.table.client.send(new GetCommand({ TableName: api.tableName, Key: itemKeys.lead(lead!.leadId) })))
      .Item!;
    expect(item.siteViews).toBe(2);
    expect(item.lastViewedBy).toBe(item.siteLinks[0].hash.slice(0, 12));
  });
});

describe('POST /site/leads/{leadId}/outcomes', () => {
  it('records an outcome, adds it to the history, and tells the patient in plain words', async () => {
    const [lead] = await aDeliveredLead();

    const recorded = await api.request('POST', `/site/leads/${lead!.leadId}/outcomes`, {
      token: lead!.linkToken,
      body: { outcome: 'contacted' },
    });
    const page = await api.request('GET', `/site/leads/${lead!.leadId}`, { token: lead!.linkToken });
    const patientView = await api.request('GET', `/screenings/${lead!.screeningId}`, { token: lead!.screeningToken });

    expect(recorded.status).toBe(201);
    expect(recorded.body.recorded.outcome).toBe('contacted');
    expect(page.body.outcomes.map((entry: { outcome: string }) => entry.outcome)).toEqual(['contacted']);
    expect(patientView.body.referral.leads[0].progress).toMatchObject({
      outcome: 'contacted',
      text: 'The study team has contacted you.',
    });
  });

  it('keeps the whole history in order and shows the patient the latest step', async () => {
    const [lead] = await aDeliveredLead();

    for (const body of [{ outcome: 'contacted' }, { outcome: 'screening_visit_scheduled' }, { outcome: 'enrolled' }]) {
      expect((await api.request('POST', `/site/leads/${lead!.leadId}/outcomes`, { token: lead!.linkToken, body })).status).toBe(
        201,
      );
    }
    const page = await api.request('GET', `/site/leads/${lead!.leadId}`, { token: lead!.linkToken });
    const patientView = await api.request('GET', `/screenings/${lead!.screeningId}`, { token: lead!.screeningToken });

    expect(page.body.outcomes.map((entry: { outcome: string }) => entry.outcome)).toEqual([
      'contacted',
      'screening_visit_scheduled',
      'enrolled',
    ]);
    expect(patientView.body.referral.leads[0].progress.text).toBe('You are taking part in this study.');
  });

  it('records "not eligible" with a reason from the list and a short text', async () => {
    const [lead] = await aDeliveredLead();

    const response = await api.request('POST', `/site/leads/${lead!.leadId}/outcomes`, {
      token: lead!.linkToken,
      body: { outcome: 'not_eligible', reason: 'other', note: 'Recent spinal surgery' },
    });

    expect(response.status).toBe(201);
    expect(response.body.recorded).toMatchObject({ outcome: 'not_eligible', reason: 'other', note: 'Recent spinal surgery' });
  });

  it.each([
    ['an unknown outcome', { outcome: 'maybe' }],
    ['"not eligible" without a reason', { outcome: 'not_eligible' }],
    ['a reason that is not on the list', { outcome: 'not_eligible', reason: 'bad_luck' }],
    ['"other" without a text', { outcome: 'not_eligible', reason: 'other' }],
    ['a reason with another outcome', { outcome: 'contacted', reason: 'medication' }],
    ['a note with a line break', { outcome: 'contacted', note: 'first\nsecond' }],
  ])('refuses %s with 400 and writes nothing', async (_label, body) => {
    const [lead] = await aDeliveredLead();

    const response = await api.request('POST', `/site/leads/${lead!.leadId}/outcomes`, { token: lead!.linkToken, body });
    const page = await api.request('GET', `/site/leads/${lead!.leadId}`, { token: lead!.linkToken });

    expect(response.status).toBe(400);
    expect(page.body.outcomes).toEqual([]);
  });

  it("refuses an outcome without a token (401), with another lead's token or an expired one (403)", async () => {
    const [first, second] = await aDeliveredLead([trial.nctId, otherTrial.nctId]);
    const [old] = await aDeliveredLead([trial.nctId], new Date(Date.now() - 31 * DAY_MS));
    const body = { outcome: 'contacted' };

    const missing = await api.request('POST', `/site/leads/${first!.leadId}/outcomes`, { body });
    const other = await api.request('POST', `/site/leads/${first!.leadId}/outcomes`, { token: second!.linkToken, body });
    const expired = await api.request('POST', `/site/leads/${old!.leadId}/outcomes`, { token: old!.linkToken, body });
    const page = await api.request('GET', `/site/leads/${first!.leadId}`, { token: first!.linkToken });

    expect([missing.status, other.status, expired.status]).toEqual([401, 403, 403]);
    expect(other.body).toEqual(expired.body);
    expect(page.body.outcomes).toEqual([]);
  });
});

describe('POST /site/leads/{leadId}/pause-site', () => {
  it('stops leads to the site: new results say it is not taking referrals and a referral is refused', async () => {
    const [lead] = await aDeliveredLead([pausedTrial.nctId]);

    const paused = await api.request('POST', `/site/leads/${lead!.leadId}/pause-site`, {
      token: lead!.linkToken,
      body: { reason: 'Recruitment closed' },
    });
    const page = await api.request('GET', `/site/leads/${lead!.leadId}`, { token: lead!.linkToken });
    const screening = await api.request('POST', '/screenings', {
      body: { screenerId: 'lower-back-pain', answers: adultWithChronicBackPain() },
    });
    issuedTokens.push(screening.body.token);
    const result = screening.body.results.find((candidate: { trialId: string }) => candidate.trialId === pausedTrial.nctId);
    const referral = await api.request('POST', `/screenings/${screening.body.screeningId}/referrals`, {
      token: screening.body.token,
      body: {
        trialIds: [pausedTrial.nctId],
        contact: patient,
        consent: { shareWithSites: true, phoneContact: false, textVersion: aScreener().consent.version },
      },
    });

    expect(paused.status).toBe(200);
    expect(page.body.sitePaused).toBe(true);
    expect(result.nearestSite.acceptsReferrals).toBe(false);
    expect(result.notReferableReason).toEqual({
      code: 'SITE_PAUSED',
      message: 'This study site is not taking referrals at the moment.',
    });
    expect(referral.status).toBe(409);
    expect(referral.body.error.code).toBe('TRIAL_NOT_REFERABLE');
  });

  it('refuses to pause without a valid link', async () => {
    const [first, second] = await aDeliveredLead([trial.nctId, otherTrial.nctId]);

    const missing = await api.request('POST', `/site/leads/${first!.leadId}/pause-site`, { body: {} });
    const other = await api.request('POST', `/site/leads/${first!.leadId}/pause-site`, { token: second!.linkToken, body: {} });

    expect([missing.status, other.status]).toEqual([401, 403]);
    const screening = await api.request('POST', '/screenings', {
      body: { screenerId: 'lower-back-pain', answers: adultWithChronicBackPain() },
    });
    issuedTokens.push(screening.body.token);
    const result = screening.body.results.find((candidate: { trialId: string }) => candidate.trialId === trial.nctId);
    expect(result.nearestSite.acceptsReferrals).toBe(true);
  });
});

describe('logs of the site routes', () => {
  it('never carry patient data, notes or tokens, and name each view and outcome by lead and link', async () => {
    const [lead] = await aDeliveredLead();
    await api.request('GET', `/site/leads/${lead!.leadId}`, { token: lead!.linkToken });
    await api.request('POST', `/site/leads/${lead!.leadId}/outcomes`, {
      token: lead!.linkToken,
      body: { outcome: 'not_eligible', reason: 'other', note: 'Unique-note-text-4711' },
    });

    const output = captured.join('\n');
    for (const secret of [patient.name, patient.email, patient.phone, '+14105550199', 'Unique-note-text-4711', ...issuedTokens]) {
      expect(output).not.toContain(secret);
    }
    const siteLines = captured.filter((line) => line.includes(lead!.leadId) && /site (lead viewed|outcome recorded)/.test(line));
    expect(siteLines.length).toBe(2);
    for (const line of siteLines) expect(JSON.parse(line).link).toMatch(/^[0-9a-f]{12}$/);
  });
});
