import { describe, expect, it } from '@jest/globals';
import { pauseSite } from '#app/pause-site';
import { recordSiteOutcome } from '#app/record-site-outcome';
import { viewSiteLead } from '#app/view-site-lead';
import { aSiteLead, InMemorySiteLeads, InMemorySitePauses } from '#test/factories/ports';
import { refusalOf } from './refusal';

const clock = () => new Date('2026-12-02T09:00:00Z');
const TOKEN = 'link-token-of-lead-1';

function aSiteLoop(options: { maxOutcomes?: number } = {}) {
  const siteLeads = new InMemorySiteLeads(options.maxOutcomes).add(aSiteLead(), TOKEN);
  const sitePauses = new InMemorySitePauses();
  return {
    siteLeads,
    sitePauses,
    view: viewSiteLead({ siteLeads, sitePauses, clock }),
    record: recordSiteOutcome({ siteLeads, clock }),
    pause: pauseSite({ siteLeads, sitePauses, clock }),
  };
}

describe('viewSiteLead', () => {
  it('opens the lead its link belongs to and counts the view under the link id, not the token', async () => {
    const { view, siteLeads } = aSiteLoop();

    const viewed = await view('lead-1', TOKEN);

    expect(viewed.lead.leadId).toBe('lead-1');
    expect(siteLeads.leads.get('lead-1')?.views).toEqual([viewed.linkId]);
    expect(viewed.linkId).not.toContain(TOKEN);
  });

  it('refuses a wrong token, another lead, an unknown lead and an expired link with the same words', async () => {
    const { view, siteLeads } = aSiteLoop();
    siteLeads.add(aSiteLead({ leadId: 'lead-2' }), 'link-token-of-lead-2');
    siteLeads.add(aSiteLead({ leadId: 'lead-3' }), 'expired-link-token', Date.parse('2026-12-01T00:00:00Z') / 1000);

    const refusals = await Promise.all([
      refusalOf(view('lead-1', 'not-the-token')),
      refusalOf(view('lead-1', 'link-token-of-lead-2')),
      refusalOf(view('no-such-lead', TOKEN)),
      refusalOf(view('lead-3', 'expired-link-token')),
    ]);

    expect(new Set(refusals.map((refusal) => `${refusal.code}: ${refusal.message}`)).size).toBe(1);
    expect(refusals[0]!.code).toBe('TOKEN_INVALID');
  });

  it('says the site is paused when its (trial, site) is', async () => {
    const { view, sitePauses } = aSiteLoop();
    await sitePauses.pauseSite('NCT00000001', 'site-1', { pausedBy: 'operator' }, clock());

    expect((await view('lead-1', TOKEN)).sitePaused).toBe(true);
  });

  it('says the site is paused when the address its leads go to bounced, whatever its case', async () => {
    const { view, sitePauses } = aSiteLoop();
    await sitePauses.pauseAddress('Coordinator@Hospital.example.org', { pausedBy: 'bounce' }, clock());

    expect((await view('lead-1', TOKEN)).sitePaused).toBe(true);
  });

  it('says the site takes leads when nothing is paused', async () => {
    expect((await aSiteLoop().view('lead-1', TOKEN)).sitePaused).toBe(false);
  });
});

describe('recordSiteOutcome', () => {
  it('appends the outcome at the clock time under the link id and answers the whole history', async () => {
    const { record } = aSiteLoop();
    await record('lead-1', TOKEN, { outcome: 'contacted' });

    const result = await record('lead-1', TOKEN, { outcome: 'not_eligible', reason: 'other', note: 'Lives abroad' });

    expect(result.recorded).toEqual(
      expect.objectContaining({ outcome: 'not_eligible', reason: 'other', note: 'Lives abroad', at: '2026-12-02T09:00:00.000Z' }),
    );
    expect(result.outcomes.map((entry) => entry.outcome)).toEqual(['contacted', 'not_eligible']);
    expect(result.recorded.link).toBe(result.linkId);
  });

  it('refuses a lead erased between the link check and the write like an unknown lead', async () => {
    const { siteLeads } = aSiteLoop();
    const erasingStore = Object.assign(Object.create(siteLeads) as InMemorySiteLeads, {
      recordOutcome: async () => undefined,
    });

    const refusal = await refusalOf(
      recordSiteOutcome({ siteLeads: erasingStore, clock })('lead-1', TOKEN, { outcome: 'contacted' }),
    );

    expect(refusal.code).toBe('TOKEN_INVALID');
    expect(refusal.message).toBe((await refusalOf(aSiteLoop().view('no-such-lead', TOKEN))).message);
  });

  it('refuses an outcome once the history is full', async () => {
    const { record } = aSiteLoop({ maxOutcomes: 1 });
    await record('lead-1', TOKEN, { outcome: 'contacted' });

    expect((await refusalOf(record('lead-1', TOKEN, { outcome: 'enrolled' }))).code).toBe('OUTCOME_LIMIT_REACHED');
  });

  it('records nothing for a wrong token', async () => {
    const { record, siteLeads } = aSiteLoop();

    expect((await refusalOf(record('lead-1', 'not-the-token', { outcome: 'contacted' }))).code).toBe('TOKEN_INVALID');
    expect(siteLeads.leads.get('lead-1')?.lead.outcomes).toEqual([]);
  });
});

describe('pauseSite', () => {
  it("pauses the lead's trial site for the site, with its reason and the lead", async () => {
    const { pause, sitePauses } = aSiteLoop();

    const paused = await pause('lead-1', TOKEN, { reason: 'Recruitment is full' });

    expect(paused).toEqual(expect.objectContaining({ trialId: 'NCT00000001', siteId: 'site-1', newlyPaused: true }));
    expect(sitePauses.pauses).toEqual([
      expect.objectContaining({ kind: 'site', pausedBy: 'site', reason: 'Recruitment is full', leadId: 'lead-1' }),
    ]);
  });

  it('keeps the first pause and says a second one is not new', async () => {
    const { pause, sitePauses } = aSiteLoop();
    await pause('lead-1', TOKEN, { reason: 'first' });

    expect((await pause('lead-1', TOKEN, { reason: 'second' })).newlyPaused).toBe(false);
    expect(sitePauses.pauses.map((entry) => entry.reason)).toEqual(['first']);
  });

  it('pauses nothing for a wrong token', async () => {
    const { pause, sitePauses } = aSiteLoop();

    expect((await refusalOf(pause('lead-1', 'not-the-token', {}))).code).toBe('TOKEN_INVALID');
    expect(sitePauses.pauses).toEqual([]);
  });
});
