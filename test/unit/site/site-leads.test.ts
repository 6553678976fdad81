/** The site's side in the core: the lead page link, working days, follow-ups, pauses in results. */
import { describe, expect, it } from '@jest/globals';
import { followUpFor, parseSiteLeadLocation, patientProgress, siteLeadLinkUrl, workingDaysBefore } from '#core/site-leads';
import { applySitePauses, indexPauses, refusePausedSites } from '#core/site-pauses';
import type { TrialResult } from '#core/model';

const TOKEN = 'AbCdEfGhIjKlMnOpQrStUv';

describe('the lead page link', () => {
  it('puts the lead id in the path and the token in the fragment', () => {
    expect(siteLeadLinkUrl('https://screener.example/', 'lead-1', TOKEN)).toBe(
      `https://screener.example/site/leads/lead-1#t=${TOKEN}`,
    );
  });

  it('keeps the path of a form served under a prefix', () => {
    expect(siteLeadLinkUrl('https://example.org/screener', 'lead-1', TOKEN)).toBe(
      `https://example.org/screener/site/leads/lead-1#t=${TOKEN}`,
    );
  });

  it('reads back what it wrote', () => {
    const url = new URL(siteLeadLinkUrl('https://example.org/screener/', 'lead-1', TOKEN));
    expect(parseSiteLeadLocation(url.pathname, url.hash)).toEqual({ leadId: 'lead-1', token: TOKEN });
  });

  it('reads a link cut short as a lead without a token', () => {
    expect(parseSiteLeadLocation('/site/leads/lead-1', '#t=AbC')).toEqual({ leadId: 'lead-1', token: undefined });
  });

  it('is not a lead page anywhere else', () => {
    expect(parseSiteLeadLocation('/', `#t=${TOKEN}`)).toBeUndefined();
    expect(parseSiteLeadLocation('/site/leads/', '')).toBeUndefined();
    expect(parseSiteLeadLocation('/site/leads/a%2Fb', '')).toBeUndefined();
  });
});

describe('working days', () => {
  // Wednesday 9 December 2026, noon UTC.
  const wednesday = new Date('2026-12-09T12:00:00Z');

  it('counts back over a weekend', () => {
    expect(workingDaysBefore(wednesday, 3).toISOString()).toBe('2026-12-04T12:00:00.000Z');
  });

  it('reminds a lead unanswered for 3 working days, once', () => {
    expect(followUpFor({ sentAt: '2026-12-04T12:00:00Z', hasOutcome: false }, wednesday, 3)).toEqual({
      remind: true,
      escalated: false,
    });
    expect(followUpFor({ sentAt: '2026-12-04T12:00:01Z', hasOutcome: false }, wednesday, 3)).toEqual({
      remind: false,
      escalated: false,
    });
    expect(
      followUpFor({ sentAt: '2026-12-04T12:00:00Z', hasOutcome: false, remindedAt: '2026-12-09T11:00:00Z' }, wednesday, 3),
    ).toEqual({ remind: false, escalated: false });
  });

  it('escalates after twice the reminder delay, and never with an outcome', () => {
    expect(
      followUpFor({ sentAt: '2026-12-01T12:00:00Z', hasOutcome: false, remindedAt: '2026-12-04T12:00:00Z' }, wednesday, 3),
    ).toEqual({ remind: false, escalated: true });
    expect(followUpFor({ sentAt: '2026-12-01T12:00:00Z', hasOutcome: true }, wednesday, 3)).toEqual({
      remind: false,
      escalated: false,
    });
  });
});

describe('patient progress', () => {
  it('tells the patient the latest step in plain words', () => {
    expect(
      patientProgress([
        { outcome: 'contacted', at: '2026-12-01T10:00:00Z', link: 'x' },
        { outcome: 'screening_visit_scheduled', at: '2026-12-02T10:00:00Z', link: 'x' },
      ])?.text,
    ).toBe('The study team has booked a screening visit with you.');
  });

  it('never tells the patient the site’s reason or note', () => {
    const progress = patientProgress([
      { outcome: 'not_eligible', reason: 'medication', note: 'On warfarin', at: '2026-12-01T10:00:00Z', link: 'x' },
    ]);
    expect(progress?.text).not.toMatch(/medication|warfarin/i);
  });
});

describe('site pauses in results', () => {
  const result = (trialId: string, siteId: string): TrialResult => ({
    trialId,
    title: trialId,
    summary: '',
    recordDate: '2026-01-01',
    eligibility: 'eligible',
    criteria: [],
    nearestSite: { siteId, facility: siteId, country: 'United States', acceptsReferrals: true },
    referable: true,
    leftToStudyTeam: [],
  });

  it('marks a paused site as not taking referrals and leaves the others', () => {
    const pauses = indexPauses([
      { kind: 'site', trialId: 'NCT1', siteId: 'a', pausedAt: '2026-12-01T00:00:00Z', pausedBy: 'site' },
    ]);
    const [paused, open] = applySitePauses([result('NCT1', 'a'), result('NCT2', 'a')], pauses, () => undefined);
    expect(paused).toMatchObject({ nearestSite: { acceptsReferrals: false }, notReferableReason: { code: 'SITE_PAUSED' } });
    expect(open).toEqual(result('NCT2', 'a'));
  });

  it('marks a site whose lead address is paused, whatever its case', () => {
    const pauses = indexPauses([
      { kind: 'address', address: 'coordinator@site.example', pausedAt: '2026-12-01T00:00:00Z', pausedBy: 'bounce' },
    ]);
    const [paused] = applySitePauses([result('NCT1', 'a')], pauses, () => 'Coordinator@Site.Example');
    expect(paused?.nearestSite?.acceptsReferrals).toBe(false);
  });

  it('refuses a referral to a paused site with one detail per trial', () => {
    const pauses = indexPauses([
      { kind: 'site', trialId: 'NCT1', siteId: 'a', pausedAt: '2026-12-01T00:00:00Z', pausedBy: 'operator' },
    ]);
    const results = applySitePauses([result('NCT1', 'a'), result('NCT2', 'b')], pauses, () => undefined);
    expect(() => refusePausedSites(results, ['NCT2', 'NCT1'])).toThrow(
      expect.objectContaining({ code: 'TRIAL_NOT_REFERABLE', details: [expect.objectContaining({ path: ['trialIds', 1] })] }),
    );
    expect(() => refusePausedSites(results, ['NCT2'])).not.toThrow();
  });
});
