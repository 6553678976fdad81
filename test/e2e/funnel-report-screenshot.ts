/**
 * The README's screenshot of `trial-screener report --html`: renders the report of a seeded,
 * made-up data set (the catalog's own trials and criteria, random but repeatable answers) and
 * photographs it with Debian's Chromium. Run: `npx tsx test/e2e/funnel-report-screenshot.ts`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderFunnelHtml } from '#cli/report/html';
import { funnelNames } from '#cli/report/names';
import { countFunnel, type FunnelLead, type FunnelScreening } from '#core/funnel';
import type { CriterionResult, Trial } from '#core/model';
import type { SiteOutcome } from '#core/site-leads';

const root = fileURLToPath(new URL('../../', import.meta.url));
const criteriaFiles = readdirSync(join(root, 'data/criteria'))
  .filter((name) => name.endsWith('.json'))
  .slice(0, 3);
const trials = criteriaFiles.map(
  (name) =>
    JSON.parse(readFileSync(join(root, 'data/criteria', name), 'utf8')) as {
      nctId: string;
      criteria: { id: string; kind: 'inclusion' | 'exclusion'; text: string }[];
    },
);

/** A small repeatable generator (mulberry32), so the screenshot does not change between runs. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const next = random(14);
const screenings: FunnelScreening[] = [];
const leads: FunnelLead[] = [];
const catalogTrials = trials.map(
  (trial) => JSON.parse(readFileSync(join(root, 'data/trials', `${trial.nctId}.json`), 'utf8')) as Trial,
);
const sitesOf = (trialIndex: number) => catalogTrials[trialIndex]!.sites.slice(0, 2).map((site) => site.siteId);
for (let index = 0; index < 420; index++) {
  const createdAt = new Date(Date.UTC(2026, 9, 12) + Math.floor(next() * 7 * 8) * 86_400_000).toISOString();
  const urgent = next() < 0.05;
  const results = urgent
    ? []
    : trials.map((trial, trialIndex) => {
        const criteria = trial.criteria.map((criterion, criterionIndex) => {
          const roll = next();
          const notMetShare = 0.04 + ((criterionIndex * 7 + trialIndex * 3) % 5) * 0.03;
          const result: CriterionResult = roll < notMetShare ? 'not_met' : roll < notMetShare + 0.06 ? 'unknown' : 'met';
          return { criterionId: criterion.id, kind: criterion.kind, text: criterion.text, result };
        });
        const eligibility = criteria.some((c) => c.result === 'not_met')
          ? ('ineligible' as const)
          : criteria.some((c) => c.result === 'unknown')
            ? ('possibly_eligible' as const)
            : ('eligible' as const);
        return {
          trialId: trial.nctId,
          siteId: next() < 0.9 ? (sitesOf(trialIndex)[Math.floor(next() * sitesOf(trialIndex).length)] ?? null) : null,
          eligibility,
          criteria,
        };
      });
  const screeningId = `s${index}`;
  screenings.push({ screeningId, createdAt, outcome: urgent ? 'urgent_care' : 'matches', trials: results });
  for (const result of results) {
    if (result.eligibility === 'ineligible' || result.siteId === null || next() > 0.55) continue;
    const delivered = next() < 0.96;
    const outcomes: SiteOutcome[] = [];
    if (delivered && next() < 0.7) {
      outcomes.push(next() < 0.85 ? 'contacted' : 'could_not_reach');
      if (outcomes[0] === 'contacted' && next() < 0.3) outcomes.push('screening_visit_scheduled', 'enrolled');
    }
    leads.push({
      leadId: `l${leads.length}`,
      screeningId,
      trialId: result.trialId,
      siteId: result.siteId,
      createdAt,
      status: delivered ? 'SENT' : 'FAILED',
      outcomes,
    });
  }
}

const report = await countFunnel({
  async *screenings() {
    yield* screenings;
  },
  async *leads() {
    yield* leads;
  },
});
const directory = mkdtempSync(join(tmpdir(), 'funnel-report-'));
const htmlFile = join(directory, 'report.html');
writeFileSync(
  htmlFile,
  renderFunnelHtml(report, funnelNames(catalogTrials), {
    generatedAt: new Date('2026-12-01T12:00:00Z'),
    source: 'a seeded example data set',
  }),
);
const screenshot = process.argv[2] ?? join(root, 'docs/screenshots/report-desktop.png');
execFileSync(
  '/usr/bin/chromium',
  [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--hide-scrollbars',
    `--screenshot=${screenshot}`,
    '--window-size=1280,1400',
    `file://${htmlFile}`,
  ],
  { stdio: 'inherit' },
);
console.log(`report ${htmlFile}, screenshot ${screenshot}`);
