import { describe, expect, it } from '@jest/globals';
import { parseWeek } from '#cli/commands/report';
import { renderFunnelHtml } from '#cli/report/html';
import { funnelNames } from '#cli/report/names';
import { formatFunnelText, textTable } from '#cli/report/text';
import { countFunnel, type FunnelRecords } from '#core/funnel';

const HOSTILE_TEXT = 'You are not <script>alert(1)</script> "pregnant" & well';

function oneScreeningWithALead(): FunnelRecords {
  return {
    async *screenings() {
      yield {
        screeningId: 's1',
        createdAt: '2026-12-01T10:00:00.000Z',
        outcome: 'matches' as const,
        trials: [
          {
            trialId: 'NCT00000001',
            siteId: 'site-1',
            eligibility: 'possibly_eligible' as const,
            criteria: [
              { criterionId: 'not-pregnant', kind: 'exclusion' as const, text: HOSTILE_TEXT, result: 'unknown' as const },
              { criterionId: 'adult', kind: 'inclusion' as const, text: 'You are 18 or older.', result: 'met' as const },
            ],
          },
        ],
      };
    },
    async *leads() {
      yield {
        leadId: 'l1',
        screeningId: 's1',
        trialId: 'NCT00000001',
        siteId: 'site-1',
        createdAt: '2026-12-01T10:05:00.000Z',
        status: 'SENT',
        outcomes: ['contacted'],
      };
    },
  };
}

const names = funnelNames([
  {
    nctId: 'NCT00000001',
    title: 'Exercise for back pain',
    sites: [
      { siteId: 'site-1', facility: 'Harbor Spine Center', city: 'Baltimore', country: 'United States', status: 'RECRUITING' },
    ],
  },
]);

describe('the HTML report', () => {
  it('loads nothing from the network: the charting library is inline and the policy allows no source', async () => {
    const html = renderFunnelHtml(await countFunnel(oneScreeningWithALead()), names, { generatedAt: new Date(), source: 'test' });

    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/i);
    const policy = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1]?.replace(/&#39;/g, "'");
    expect(policy).toContain("default-src 'none'");
    expect(policy).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+' 'sha256-[A-Za-z0-9+/=]+';/);
    expect(html).toContain('Chartist');
  });

  it('escapes catalog texts, in the tables and in the embedded chart data', async () => {
    const html = renderFunnelHtml(await countFunnel(oneScreeningWithALead()), names, { generatedAt: new Date(), source: 'test' });

    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
  });

  it('shows the site by its facility and city and the trial by its title', async () => {
    const html = renderFunnelHtml(await countFunnel(oneScreeningWithALead()), names, { generatedAt: new Date(), source: 'test' });

    expect(html).toContain('Harbor Spine Center, Baltimore');
    expect(html).toContain('Exercise for back pain');
  });
});

describe('the text report', () => {
  it('prints a row per week, trial and site with each step, and the criterion left unknown', async () => {
    const text = formatFunnelText(await countFunnel(oneScreeningWithALead()), names, 'test table');

    expect(text).toMatch(/2026-W49 +NCT00000001 +Harbor Spine Center, Baltimore +1 +1 +0 +1 +1 +1 +0/);
    expect(text).toMatch(/NCT00000001 +not-pregnant +exclusion +1 +0 +0 +1/);
  });

  it('says there is nothing to count rather than printing empty tables', async () => {
    const empty = await countFunnel({ async *screenings() {}, async *leads() {} });

    expect(formatFunnelText(empty, names, 'test table')).toContain('Nothing to count in this range.');
  });

  it('right-aligns numbers and pads text to the widest cell', () => {
    expect(
      textTable(
        ['name', 'n'],
        [
          ['a', 5],
          ['bbb', 10],
        ],
      ),
    ).toBe('name   n\n----  --\na      5\nbbb   10');
  });
});

describe('week options', () => {
  it('takes an ISO week as it is and a date as its week', () => {
    expect(parseWeek('2026-W49')).toBe('2026-W49');
    expect(parseWeek('2027-01-01')).toBe('2026-W53');
  });

  it('refuses a week that does not exist and a date that does not', () => {
    expect(() => parseWeek('2027-W53')).toThrow(/ISO week/);
    expect(() => parseWeek('2026-02-30')).toThrow(/ISO week/);
  });
});
